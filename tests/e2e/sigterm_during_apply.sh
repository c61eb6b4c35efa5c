#!/usr/bin/env bash
# KNOWN BUG (registered only with -DSALESFLOW_E2E_KNOWN_BUGS=ON, see docs/testing.md):
# SIGTERM of `serve --grace-period 1` once a job has streamed its whole report (bytes_read ==
# bytes_total, status running: the apply step) must exit within the grace period, releasing
# or finishing the job. Found: the apply step is not interruptible, so serve waits for it
# (14 s for 100k lines in a Debug build) and exits long after the grace period.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" sigterm_during_apply

grace=1
sf generate --days 1 --rows-per-day 100000 --dirty-rate 0 --seed 31 --out "$E2E_TMP/gen"
manifest="$E2E_TMP/gen/manifest.json"
file="$(jq -r '.files[0].name' "$manifest")"
e2e_start_server serve --workers 1 --grace-period "$grace" --lease 3
sf upload "$E2E_TMP/gen/$file"
job_id="$("$SALESFLOW_BIN" process "$file" --json | jq -r '.jobs[0].job_id')"
streamed() {
  local job
  job="$(e2e_api GET "/api/jobs/$job_id")"
  [ "$(jq -r .status <<<"$job")" = running ] &&
    [ "$(jq -r '(.bytes_read > 0) and (.bytes_read == .bytes_total)' <<<"$job")" = true ]
}
e2e_wait_for 120 "job $job_id running with the whole report read" streamed
e2e_stop "$E2E_SERVER_PID"
expect_eq "exit code on SIGTERM" 0 "$E2E_STOP_RC"
e2e_log "stopped $E2E_STOP_MS ms after SIGTERM (grace $grace s), job $(e2e_sql "SELECT status FROM jobs WHERE id = $job_id")"
[ "$E2E_STOP_MS" -le $(((grace + 2) * 1000)) ] ||
  e2e_fail "serve took $E2E_STOP_MS ms to stop with a job in its apply step (grace $grace s)"
e2e_start_server serve-again --workers 1
done_() { [ "$(e2e_api GET "/api/jobs/$job_id" | jq -r .status)" = succeeded ]; }
e2e_wait_for 120 "job $job_id succeeded after the restart" done_
expect_eq "totals == manifest" "$(manifest_totals "$manifest")" "$(stats_totals)"
echo "PASS sigterm_during_apply"
