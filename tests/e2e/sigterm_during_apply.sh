#!/usr/bin/env bash
# SIGTERM of `serve --grace-period 1` while a job's long apply statement runs must exit within
# the grace period (plus a margin): when the grace period ends the job's session is KILLed, its
# transaction rolls back, the lease is released, and after a restart the job completes exactly
# once. The long statement is the staged path's upsert: report B repeats every line of report
# A (already loaded) with one field changed, so the direct load stands down and B's 200k lines
# are upserted (last load wins) and their day's summaries recomputed.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" sigterm_during_apply

grace=1
sf generate --days 1 --rows-per-day 200000 --dirty-rate 0 --seed 31 --out "$E2E_TMP/gen"
manifest="$E2E_TMP/gen/manifest.json"
file="$(jq -r '.files[0].name' "$manifest")"
# B: the same lines, line 1's payment method changed (no total changes; the content does).
sed -E '2s/,[^,]*$/,voucher/' "$E2E_TMP/gen/$file" >"$E2E_TMP/again.csv"
cmp -s "$E2E_TMP/gen/$file" "$E2E_TMP/again.csv" && e2e_fail "report B does not differ from A"

e2e_start_server serve --workers 1 --grace-period "$grace" --lease 3
sf upload "$E2E_TMP/gen/$file"
sf upload --key "again-$file" "$E2E_TMP/again.csv"
sf process "$file" --wait
expect_eq "totals after A == manifest" "$(manifest_totals "$manifest")" "$(stats_totals)"

job_id="$("$SALESFLOW_BIN" process "again-$file" --json | jq -r '.jobs[0].job_id')"
[[ "$job_id" =~ ^[0-9]+$ ]] || e2e_fail "no job for report B: '$job_id'"
upserting() {
  [ "$(e2e_sql "SELECT COUNT(*) FROM information_schema.processlist
                WHERE db = DATABASE() AND info LIKE 'INSERT INTO sales %ON DUPLICATE KEY UPDATE%'")" -ge 1 ]
}
e2e_wait_for 300 "job $job_id upserting its lines (staged path)" upserting
e2e_stop "$E2E_SERVER_PID"
expect_eq "exit code on SIGTERM" 0 "$E2E_STOP_RC"
status="$(e2e_sql "SELECT status FROM jobs WHERE id = $job_id")"
e2e_log "stopped $E2E_STOP_MS ms after SIGTERM (grace $grace s), job $job_id $status"
[ "$E2E_STOP_MS" -le $(((grace + 2) * 1000)) ] ||
  e2e_fail "serve took $E2E_STOP_MS ms to stop with a job in its apply step (grace $grace s)"
# The killed session's statement does not outlive the process.
left() {
  [ "$(e2e_sql "SELECT COUNT(*) FROM information_schema.processlist
                WHERE db = DATABASE() AND info LIKE 'INSERT INTO sales %'")" = 0 ]
}
e2e_wait_for 30 "the killed upsert gone from the server" left
if [ "$status" != succeeded ]; then
  expect_eq "job $job_id released for another worker" queued "$status"
  expect_eq "nothing of B visible" 0 "$(e2e_sql "SELECT COUNT(*) FROM sales WHERE payment_method = 'voucher'")"
fi

e2e_start_server serve-again --workers 1
done_() { [ "$(e2e_api GET "/api/jobs/$job_id" | jq -r .status)" = succeeded ]; }
e2e_wait_for 300 "job $job_id succeeded after the restart" done_
job="$(e2e_api GET "/api/jobs/$job_id")"
lines="$(jq -r '.totals.USD.lines' "$manifest")"
expect_eq "B updated every line (last load wins)" "$lines" "$(jq -r .rows_updated <<<"$job")"
expect_eq "totals == manifest (no line twice)" "$(manifest_totals "$manifest")" "$(stats_totals)"
expect_eq "B's change loaded once" 1 "$(e2e_sql "SELECT COUNT(*) FROM sales WHERE payment_method = 'voucher'")"
echo "PASS sigterm_during_apply"
