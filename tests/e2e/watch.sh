#!/usr/bin/env bash
# Auto-ingest: `serve --watch PREFIX` loads what lands in storage by itself, from the listing
# compared with the ledger: new files are loaded, an overwritten file is replaced, files
# outside the prefix and objects that are not reports are left alone.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" watch

sf generate --days 2 --rows-per-day 1500 --dirty-rate 0.002 --seed 41 --out "$E2E_TMP/v1"
sf generate --days 2 --rows-per-day 1500 --dirty-rate 0.002 --seed 42 --out "$E2E_TMP/v2"
m1="$E2E_TMP/v1/manifest.json"
m2="$E2E_TMP/v2/manifest.json"
mapfile -t files < <(jq -r '.files[].name' "$m1")

e2e_start_server serve --workers 1 --watch drop/ --watch-interval 1
for f in "${files[@]}"; do
  e2e_aws s3 cp --only-show-errors "$E2E_TMP/v1/$f" "$(e2e_s3_url "drop/$f")"
done
printf 'not a report\n' >"$E2E_TMP/notes.txt"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/notes.txt" "$(e2e_s3_url drop/notes.txt)"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/v1/${files[0]}" "$(e2e_s3_url "elsewhere/${files[0]}")"

# statuses: "key=status" lines of every report, sorted.
statuses() { "$SALESFLOW_BIN" reports --json | jq -r '.reports[] | "\(.key)=\(.status)"' | sort; }
all_loaded() {
  local s
  s="$(statuses)"
  for f in "${files[@]}"; do grep -qx "drop/$f=loaded" <<<"$s" || return 1; done
}
e2e_wait_for 60 "the watcher loads both drops" all_loaded
expect_eq "totals == manifest" "$(manifest_totals "$m1")" "$(stats_totals)"
expect_eq "statuses" "$(printf '%s\n' "drop/${files[0]}=loaded" "drop/${files[1]}=loaded" \
  "drop/notes.txt=ignored" "elsewhere/${files[0]}=new" | sort)" "$(statuses)"
# jobs_by_outcome: "outcome=count" lines. A scan that raced a finishing job may enqueue the
# report once more: that job must be a no-op (`unchanged`), never a second load.
jobs_by_outcome() {
  e2e_sql "SELECT CONCAT(status, ':', outcome, '=', COUNT(*)) FROM jobs
           WHERE outcome IS NULL OR outcome <> 'unchanged' GROUP BY status, outcome ORDER BY 1"
}
expect_eq "jobs (besides no-op re-scans)" "succeeded:loaded=2" "$(jobs_by_outcome)"
expect_eq "jobs per key" "drop/${files[0]}
drop/${files[1]}" "$(e2e_sql 'SELECT DISTINCT report_key FROM jobs ORDER BY 1')"

e2e_log "overwrite ${files[1]}: the watcher replaces it"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/v2/${files[1]}" "$(e2e_s3_url "drop/${files[1]}")"
replaced() {
  [ "$(e2e_sql "SELECT COUNT(*) FROM jobs WHERE outcome = 'replaced' AND status = 'succeeded'")" = 1 ]
}
e2e_wait_for 60 "the watcher replaces the overwritten report" replaced
expect_eq "${files[1]} now" "$(manifest_totals "$m2" "${files[1]}")" \
  "$(stats_totals --from "$(jq -r '.files[1].date' "$m2")" --to "$(jq -r '.files[1].date' "$m2")")"
expect_eq "${files[0]} unchanged" "$(manifest_totals "$m1" "${files[0]}")" \
  "$(stats_totals --from "$(jq -r '.files[0].date' "$m1")" --to "$(jq -r '.files[0].date' "$m1")")"
expect_eq "jobs after the overwrite (besides no-op re-scans)" \
  "$(printf '%s\n' succeeded:loaded=2 succeeded:replaced=1)" "$(jobs_by_outcome)"
e2e_log "no-op re-scans: $(e2e_sql "SELECT COUNT(*) FROM jobs WHERE outcome = 'unchanged'")"
echo "PASS watch"
