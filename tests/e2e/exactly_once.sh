#!/usr/bin/env bash
# Exactly once, through the real binary and the AWS CLI: the same content again is
# `unchanged`; the same file under another key is a `duplicate`; --force is a `replaced`
# with the same totals; changed content under the same keys shows `changed`, then loads as
# `replaced` with the new manifest's totals; unload drops exactly one file's figures.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" exactly_once

# process_one KEY [FLAGS...]: processes KEY, waits, prints the final job as JSON.
process_one() {
  local out
  out="$("$SALESFLOW_BIN" process "$@" --wait --json)" || e2e_fail "process $* failed"
  expect_eq "jobs of process $*" 1 "$(jq '.jobs | length' <<<"$out")"
  jq -c '.jobs[0]' <<<"$out"
}

report_status() {
  "$SALESFLOW_BIN" reports --json | jq -r --arg k "$1" '.reports[] | select(.key == $k) | .status'
}

sf generate --days 2 --rows-per-day 2000 --dirty-rate 0.002 --seed 11 --out "$E2E_TMP/v1"
sf generate --days 2 --rows-per-day 2000 --dirty-rate 0.002 --seed 12 --out "$E2E_TMP/v2"
m1="$E2E_TMP/v1/manifest.json"
m2="$E2E_TMP/v2/manifest.json"
mapfile -t files < <(jq -r '.files[].name' "$m1")
expect_eq "same file names for both seeds" "$(jq -r '.files[].name' "$m1")" \
  "$(jq -r '.files[].name' "$m2")"
a="${files[0]}"
b="${files[1]}"
cmp -s "$E2E_TMP/v1/$a" "$E2E_TMP/v2/$a" && e2e_fail "seeds 11 and 12 wrote the same $a"

e2e_start_server serve --workers 2
for f in "$a" "$b"; do
  e2e_aws s3 cp --only-show-errors "$E2E_TMP/v1/$f" "$(e2e_s3_url "$f")"
done
sf process --pending --wait
expect_eq "totals after the first load" "$(manifest_totals "$m1")" "$(stats_totals)"

e2e_log "same key, same content -> unchanged"
job="$(process_one "$a")"
expect_eq "outcome" "succeeded|unchanged|0|0" \
  "$(jq -r '"\(.status)|\(.outcome)|\(.rows_loaded)|\(.rows_updated)"' <<<"$job")"
expect_eq "totals after unchanged" "$(manifest_totals "$m1")" "$(stats_totals)"

e2e_log "same content under another key -> duplicate of $a"
copy="copy of $a (1).csv"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/v1/$a" "$(e2e_s3_url "$copy")"
expect_eq "status of the copy" new "$(report_status "$copy")"
job="$(process_one "$copy")"
expect_eq "duplicate" "succeeded|duplicate|$a|0" \
  "$(jq -r '"\(.status)|\(.outcome)|\(.duplicate_of)|\(.rows_loaded)"' <<<"$job")"
expect_eq "totals after duplicate" "$(manifest_totals "$m1")" "$(stats_totals)"
expect_eq "sales rows after duplicate" "$(jq -r .totals.USD.lines "$m1")" \
  "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
e2e_aws s3 rm --only-show-errors "$(e2e_s3_url "$copy")"

e2e_log "--force -> replaced, same totals"
lines_a="$(jq -r --arg f "$a" '.files[] | select(.name == $f) | .lines' "$m1")"
bad_a="$(jq -r --arg f "$a" '.files[] | select(.name == $f) | .bad_lines' "$m1")"
job="$(process_one "$a" --force)"
expect_eq "forced" "succeeded|replaced|$lines_a|$bad_a" \
  "$(jq -r '"\(.status)|\(.outcome)|\(.rows_read)|\(.rows_rejected)"' <<<"$job")"
expect_eq "forced rows_loaded + rows_updated" "$((lines_a - bad_a))" \
  "$(jq -r '.rows_loaded + .rows_updated' <<<"$job")"
expect_eq "totals after --force" "$(manifest_totals "$m1")" "$(stats_totals)"
expect_eq "sales rows after --force" "$(jq -r .totals.USD.lines "$m1")" \
  "$(e2e_sql 'SELECT COUNT(*) FROM sales')"

e2e_log "changed content under the same keys -> changed, then replaced"
for f in "$a" "$b"; do
  e2e_aws s3 cp --only-show-errors "$E2E_TMP/v2/$f" "$(e2e_s3_url "$f")"
  expect_eq "status of $f after the overwrite" changed "$(report_status "$f")"
done
out="$("$SALESFLOW_BIN" process --pending --wait --json)" || e2e_fail "process --pending failed"
expect_eq "jobs for the changed reports" "$(printf '%s\n' "$a" "$b")" \
  "$(jq -r '.jobs[].key' <<<"$out" | sort)"
for f in "$a" "$b"; do
  expect_eq "$f reload" "succeeded|replaced" \
    "$(jq -r --arg k "$f" '.jobs[] | select(.key == $k) | "\(.status)|\(.outcome)"' <<<"$out")"
  expect_eq "rejects of $f now" \
    "$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bad_lines' "$m2")" \
    "$(jq -r --arg k "$f" '.jobs[] | select(.key == $k) | .rows_rejected' <<<"$out")"
  expect_eq "status of $f after the reload" loaded "$(report_status "$f")"
done
expect_eq "totals == the new manifest" "$(manifest_totals "$m2")" "$(stats_totals)"
expect_eq "sales rows == the new manifest" "$(jq -r .totals.USD.lines "$m2")" \
  "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
# order_id = SO-<yyyymmdd>-<run tag>-<seq>: the run tag tells the two versions apart.
tag1="$(grep -o -m1 '^SO-[0-9]*-[0-9A-Fa-f]*-' "$E2E_TMP/v1/$a" | cut -d- -f3)"
tag2="$(grep -o -m1 '^SO-[0-9]*-[0-9A-Fa-f]*-' "$E2E_TMP/v2/$a" | cut -d- -f3)"
if [ -z "$tag1" ] || [ "$tag1" = "$tag2" ]; then e2e_fail "run tags '$tag1' '$tag2' do not tell seeds apart"; fi
expect_eq "lines of the old version left" 0 \
  "$(e2e_sql "SELECT COUNT(*) FROM sales WHERE order_id LIKE 'SO-%-$tag1-%'")"
sf rejects "$a" --out "$E2E_TMP/rejects.csv"
expect_eq "rejects of $a are the new version's" \
  "$(jq -cS --arg f "$a" '.files[] | select(.name == $f) | .bad_by_reason' "$m2")" \
  "$(python3 "$(dirname "$0")/csv_tool.py" reasons "$E2E_TMP/rejects.csv")"

e2e_log "unload $a -> its rows gone, totals drop by its manifest totals"
before="$(stats_totals)"
unload_out="$("$SALESFLOW_BIN" unload "$a" 2>&1)" || e2e_fail "unload $a failed: $unload_out"
IFS='|' read -r rev0 lines0 units0 orders0 customers0 <<<"$before"
IFS='|' read -r rev_a lines_a units_a orders_a customers_a <<<"$(manifest_totals "$m2" "$a")"
IFS='|' read -r rev1 lines1 units1 orders1 customers1 <<<"$(stats_totals)"
expect_eq "revenue drop" "$rev_a" "$(money $(($(cents "$rev0") - $(cents "$rev1"))))"
expect_eq "lines drop" "$lines_a" "$((lines0 - lines1))"
expect_eq "units drop" "$units_a" "$((units0 - units1))"
expect_eq "orders drop (orders are per day)" "$orders_a" "$((orders0 - orders1))"
expect_eq "totals after unload == $b alone" "$(manifest_totals "$m2" "$b")" \
  "$rev1|$lines1|$units1|$orders1|$customers1"
day_a="$(jq -r --arg f "$a" '.files[] | select(.name == $f) | .date' "$m2")"
expect_eq "stats of $day_a after unload" 0 \
  "$("$SALESFLOW_BIN" stats --from "$day_a" --to "$day_a" --json | jq -r .totals.lines)"
expect_eq "sales rows after unload" "$lines1" "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
e2e_log "the same order lines in another report: updated, never counted twice"
python3 - "$E2E_TMP/v2/$b" "$E2E_TMP/overlap.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, \
     open(sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
    for i, record in enumerate(reader):
        if i > 10:
            break
        writer.writerow(record)  # the header and the first 10 lines, same values
PY
e2e_aws s3 cp --only-show-errors "$E2E_TMP/overlap.csv" "$(e2e_s3_url overlap.csv)"
job="$(process_one overlap.csv)"
expect_eq "overlap job: read|loaded|updated|rejected" "10|0|10|0" \
  "$(jq -r '"\(.rows_read)|\(.rows_loaded)|\(.rows_updated)|\(.rows_rejected)"' <<<"$job")"
expect_eq "totals after the overlap (last load wins, same values)" \
  "$rev1|$lines1|$units1|$orders1|$customers1" "$(stats_totals)"
expect_eq "sales rows after the overlap" "$lines1" "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
echo "PASS exactly_once"
