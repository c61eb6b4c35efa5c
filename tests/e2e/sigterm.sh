#!/usr/bin/env bash
# SIGTERM of `salesflow serve` exits 0 within the grace period: idle, and with a job
# running (the job finishes or its lease is released; a restarted server completes it and
# the totals are exact either way).
source "$(dirname "$0")/lib.sh"
e2e_init "$1" sigterm

grace=1  # short, so the busy case shows that a running job is released, not waited for
sf generate --days 1 --rows-per-day 100000 --dirty-rate 0 --seed 31 --out "$E2E_TMP/gen"
manifest="$E2E_TMP/gen/manifest.json"
file="$(jq -r '.files[0].name' "$manifest")"

e2e_log "idle server"
e2e_start_server serve-idle --workers 1 --grace-period "$grace"
e2e_stop "$E2E_SERVER_PID"
expect_eq "exit code of an idle serve on SIGTERM" 0 "$E2E_STOP_RC"
[ "$E2E_STOP_MS" -le 2000 ] || e2e_fail "idle serve took $E2E_STOP_MS ms to stop"
grep -q '"msg":"stopped"' "$E2E_TMP/serve-idle.log" || e2e_fail "no 'stopped' log line"

e2e_log "server with a job running"
e2e_start_server serve-busy --workers 1 --grace-period "$grace" --lease 5
sf upload "$E2E_TMP/gen/$file"
job_id="$("$SALESFLOW_BIN" process "$file" --json | jq -r '.jobs[0].job_id')"
running() { [ "$(e2e_api GET "/api/jobs/$job_id" | jq -r .status)" = running ]; }
e2e_wait_for 60 "job $job_id running" running
e2e_stop "$E2E_SERVER_PID"
expect_eq "exit code of a busy serve on SIGTERM" 0 "$E2E_STOP_RC"
e2e_log "stopped $E2E_STOP_MS ms after SIGTERM (grace $grace s)"
# Grace plus 2 s for the rollback and the lease release.
[ "$E2E_STOP_MS" -le $(((grace + 2) * 1000)) ] ||
  e2e_fail "busy serve took $E2E_STOP_MS ms to stop (grace $grace s)"
state="$(e2e_sql "SELECT status FROM jobs WHERE id = $job_id")"
e2e_log "job state after the stop: $state"
case "$state" in
  succeeded | queued) ;;
  *) e2e_fail "job $job_id is '$state' after a clean stop (expected succeeded or queued)" ;;
esac

e2e_start_server serve-again --workers 1
done_() { [ "$(e2e_api GET "/api/jobs/$job_id" | jq -r .status)" = succeeded ]; }
e2e_wait_for 90 "job $job_id succeeded after the restart" done_
expect_eq "job after the restart" "succeeded|100000|100000" \
  "$(e2e_api GET "/api/jobs/$job_id" | jq -r '"\(.status)|\(.rows_read)|\(.rows_loaded)"')"
expect_eq "totals == manifest" "$(manifest_totals "$manifest")" "$(stats_totals)"
e2e_stop "$E2E_SERVER_PID"
expect_eq "exit code of serve on SIGTERM" 0 "$E2E_STOP_RC"
echo "PASS sigterm"
