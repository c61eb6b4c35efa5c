#!/usr/bin/env bash
# Workers coordinating through the jobs table: `serve --workers 0` only queues, three
# `salesflow worker` processes drain 12 reports, each loaded exactly once. Then a worker is
# SIGKILLed in the middle of a 200k-line load; after its lease expires another worker takes
# the job over and finishes it: exact totals, no line twice.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" workers

lease=3  # seconds; the smallest the option allows is 2
sf generate --days 12 --rows-per-day 800 --dirty-rate 0.002 --seed 21 --out "$E2E_TMP/small"
sf generate --days 1 --rows-per-day 200000 --dirty-rate 0 --seed 22 --start-date 2027-03-01 \
  --out "$E2E_TMP/big"
small="$E2E_TMP/small/manifest.json"
big="$E2E_TMP/big/manifest.json"
big_file="$(jq -r '.files[0].name' "$big")"

e2e_start_server serve --workers 0
mapfile -t files < <(jq -r '.files[].name' "$small")
expect_eq "small reports" 12 "${#files[@]}"
(cd "$E2E_TMP/small" && sf upload "${files[@]}" --prefix daily/)

e2e_log "12 reports queued through the API, drained by 3 workers"
queued="$("$SALESFLOW_BIN" process --pending --json)" || e2e_fail "process --pending failed"
expect_eq "jobs queued" 12 "$(jq '.jobs | length' <<<"$queued")"
expect_eq "queued keys" "$(printf 'daily/%s\n' "${files[@]}" | sort)" \
  "$(jq -r '.jobs[].key' <<<"$queued" | sort)"
worker_pids=()
for i in 1 2 3; do
  e2e_spawn "worker$i" worker --lease "$lease"
  worker_pids+=("$E2E_LAST_PID")
done
mapfile -t ids < <(jq -r '.jobs[].job_id' <<<"$queued")
all_finished() {
  local id status
  for id in "${ids[@]}"; do
    status="$(e2e_api GET "/api/jobs/$id" | jq -r .status)"
    [ "$status" = succeeded ] || [ "$status" = failed ] || return 1
  done
}
e2e_wait_for 120 "12 jobs finished by the workers" all_finished
for id in "${ids[@]}"; do
  job="$(e2e_api GET "/api/jobs/$id")"
  key="$(jq -r .key <<<"$job")"
  f="${key#daily/}"
  lines="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .lines' "$small")"
  bad="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bad_lines' "$small")"
  expect_eq "job $id ($key)" "succeeded|loaded|$lines|$((lines - bad))|$bad" \
    "$(jq -r '"\(.status)|\(.outcome)|\(.rows_read)|\(.rows_loaded)|\(.rows_rejected)"' <<<"$job")"
done
expect_eq "jobs in the table" 12 "$(e2e_sql 'SELECT COUNT(*) FROM jobs')"
expect_eq "sales rows == manifest lines" "$(jq -r .totals.USD.lines "$small")" \
  "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "one loading job per report" 12 "$(e2e_sql 'SELECT COUNT(DISTINCT job_id) FROM sales')"
expect_eq "totals == manifest" "$(manifest_totals "$small")" "$(stats_totals)"
expect_eq "claims over the 12 jobs (each claimed once)" 12 "$(e2e_sql 'SELECT SUM(attempts) FROM jobs')"
for i in 1 2 3; do
  e2e_log "worker$i ran $(grep -c 'succeeded' "$E2E_TMP/worker$i.log" || true) of the jobs"
done

e2e_log "stopping the workers (SIGTERM -> exit 0)"
for pid in "${worker_pids[@]}"; do
  e2e_stop "$pid"
  expect_eq "worker exit code on SIGTERM" 0 "$E2E_STOP_RC"
done

e2e_log "a worker SIGKILLed mid-load; another takes over after the lease"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/big/$big_file" "$(e2e_s3_url "big/$big_file")"
e2e_spawn victim worker --lease "$lease"
victim=$E2E_LAST_PID
job_id="$("$SALESFLOW_BIN" process "big/$big_file" --json | jq -r '.jobs[0].job_id')"
[[ "$job_id" =~ ^[0-9]+$ ]] || e2e_fail "no job id for big/$big_file"
mid_load() {
  local job
  job="$(e2e_api GET "/api/jobs/$job_id")"
  [ "$(jq -r .status <<<"$job")" = running ] && [ "$(jq -r .bytes_read <<<"$job")" -gt 0 ]
}
e2e_wait_for 60 "job $job_id running with bytes_read > 0" mid_load
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
killed_at=$SECONDS
job="$(e2e_api GET "/api/jobs/$job_id")"
e2e_log "killed the worker at bytes_read=$(jq -r .bytes_read <<<"$job") of $(jq -r .bytes_total <<<"$job")"
expect_eq "job state right after the kill" running "$(jq -r .status <<<"$job")"
expect_eq "nothing of the big report visible after the kill" 0 \
  "$(e2e_sql "SELECT COUNT(*) FROM sales WHERE order_date = '2027-03-01'")"

e2e_spawn heir worker --lease "$lease"
job_done() { [ "$(e2e_api GET "/api/jobs/$job_id" | jq -r .status)" = succeeded ]; }
# Generous: under ASan on a busy machine a 200k-line load takes about 90 s.
e2e_wait_for 240 "job $job_id finished by the second worker" job_done
job="$(e2e_api GET "/api/jobs/$job_id")"
e2e_log "taken over and finished $((SECONDS - killed_at)) s after the kill"
expect_eq "big job" "succeeded|loaded|200000|200000|0|0" \
  "$(jq -r '"\(.status)|\(.outcome)|\(.rows_read)|\(.rows_loaded)|\(.rows_updated)|\(.rows_rejected)"' <<<"$job")"
expect_eq "big report totals == manifest" "$(manifest_totals "$big")" \
  "$(stats_totals --from 2027-03-01 --to 2027-03-01)"
expect_eq "sales rows == both manifests" \
  "$(($(jq -r .totals.USD.lines "$small") + $(jq -r .totals.USD.lines "$big")))" \
  "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "distinct order lines == rows" "$(e2e_sql 'SELECT COUNT(*) FROM sales')" \
  "$(e2e_sql 'SELECT COUNT(*) FROM (SELECT DISTINCT order_id, line_no FROM sales) d')"
expect_eq "claims of the big job (killed run + takeover)" 2 \
  "$(e2e_sql "SELECT attempts FROM jobs WHERE id = $job_id")"
expect_eq "the big report's lines came from one job" "$job_id" \
  "$(e2e_sql "SELECT GROUP_CONCAT(DISTINCT job_id) FROM sales WHERE order_date = '2027-03-01'")"
expect_eq "the small reports are untouched" "$(manifest_totals "$small")" \
  "$(stats_totals --to 2026-12-31)"
echo "PASS workers"
