#!/usr/bin/env bash
# Hostile inputs through the whole stack: SQL-looking, quoted, tabbed, backslashed, \N and
# 4-byte UTF-8 product names are stored verbatim; a gzip bomb and a binary file named .csv
# fail their jobs with a clear error, load nothing and leave the server up (and its memory
# bounded); keys with `..` segments or control characters are refused with 400.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" hostile
here="$(cd "$(dirname "$0")" && pwd)"

e2e_start_server serve --workers 1
# Peak RSS (VmHWM) of the server in KiB: the worker runs inside it.
server_hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$E2E_SERVER_PID/status"; }

e2e_log "hostile but valid text is stored verbatim"
read -r good bad < <(python3 "$here/hostile_report.py" "$E2E_TMP/hostile.csv" "$E2E_TMP/expected.tsv")
sf upload "$E2E_TMP/hostile.csv" --key "odd/names; DROP TABLE reports.csv"
out="$("$SALESFLOW_BIN" process "odd/names; DROP TABLE reports.csv" --wait --json \
  --max-reject-ratio 0.5)" || e2e_fail "process of the hostile report failed: $out"
expect_eq "hostile job" "succeeded|loaded|$((good + bad))|$good|$bad" \
  "$(jq -r '.jobs[0] | "\(.status)|\(.outcome)|\(.rows_read)|\(.rows_loaded)|\(.rows_rejected)"' <<<"$out")"
expect_eq "product names and category, byte for byte" "$(cat "$E2E_TMP/expected.tsv")" \
  "$(e2e_sql 'SELECT order_id, HEX(product_name), HEX(category) FROM sales ORDER BY order_id')"
expect_eq "sales still a table with its rows" "$good" "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "stats of the hostile report" "$good.00|$good|$good|$good|$good" \
  "$(stats_totals --from 2026-05-04 --to 2026-05-04)"
by_category="$("$SALESFLOW_BIN" stats --by category --json)"
expect_eq "category group key" "Toys, Kids & Baby É" "$(jq -r '.groups[0].key' <<<"$by_category")"

sf rejects "odd/names; DROP TABLE reports.csv" --out "$E2E_TMP/rejects.csv"
expect_eq "reject reasons" '{"bad_number":2}' \
  "$(python3 "$here/csv_tool.py" reasons "$E2E_TMP/rejects.csv")"
mapfile -t raws < <(python3 "$here/csv_tool.py" column raw "$E2E_TMP/rejects.csv")
expect_eq "reject rows" 2 "${#raws[@]}"
raw1="${raws[0]}"
raw2="${raws[1]}"
# A raw cell starting with `=` is neutralised with a leading `'`; the rest is verbatim.
expect_eq "raw of the formula row" \
  "'=1+2,1,2026-05-04,C1,SKU-X,'); DROP TABLE sales; --,\"Toys, Kids & Baby É\",abc,1.00,0,USD" \
  "$raw1"
expect_eq "raw of the quote row" \
  "H-BAD-2,1,2026-05-04,C1,SKU-Y,\"quote \"\" and \\N\",\"Toys, Kids & Baby É\",abc,1.00,0,USD" \
  "$raw2"

e2e_log "gzip bombs named .csv: a header + 256 MiB of NUL bytes, or of one endless line"
hwm_before="$(server_hwm)"
{
  printf 'order_id,order_date,sku,quantity,unit_price\n'
  head -c 268435456 /dev/zero
} | gzip -9 >"$E2E_TMP/bomb.csv"
{
  printf 'order_id,order_date,sku,quantity,unit_price\n'
  head -c 268435456 /dev/zero | tr '\0' 'A'
} | gzip -9 >"$E2E_TMP/bomb-line.csv"
for bomb in bomb.csv bomb-line.csv; do
  [ "$(stat -c %s "$E2E_TMP/$bomb")" -lt 1048576 ] || e2e_fail "$bomb is not small"
  e2e_aws s3 cp --only-show-errors "$E2E_TMP/$bomb" "$(e2e_s3_url "$bomb")"
done
# head -c of the binary itself: deterministic bytes that are not text.
head -c 300000 "$SALESFLOW_BIN" >"$E2E_TMP/binary.csv"
sf upload "$E2E_TMP/binary.csv"
for key in bomb.csv bomb-line.csv binary.csv; do
  rc=0
  out="$("$SALESFLOW_BIN" process "$key" --wait --json 2>"$E2E_TMP/process.err")" || rc=$?
  expect_eq "exit code of process $key --wait (a job failed)" 4 "$rc"
  expect_contains "stderr of process $key" "failed" "$(cat "$E2E_TMP/process.err")"
  id="$(jq -r '.jobs[0].job_id' <<<"$out")"
  job="$(e2e_api GET "/api/jobs/$id")"
  expect_eq "$key job" "failed|0|0" "$(jq -r '"\(.status)|\(.rows_loaded)|\(.rows_updated)"' <<<"$job")"
  error="$(jq -r '.error // empty' <<<"$job")"
  [ -n "$error" ] || e2e_fail "$key failed without an error message"
  e2e_log "$key: $error"
  [ "${#error}" -lt 1000 ] || e2e_fail "$key: error message of ${#error} bytes"
  expect_contains "$key: the error names the report" "'$key'" "$error"
  [[ "$error" =~ "not a text file"|"gzip bomb" ]] || e2e_fail "$key: unclear error '$error'"
  expect_eq "$key status in reports" failed \
    "$("$SALESFLOW_BIN" reports --json | jq -r --arg k "$key" '.reports[] | select(.key == $k) | .status')"
done
e2e_alive "$E2E_SERVER_PID" || e2e_fail "the server died on hostile files"
expect_eq "readyz after hostile files" 200 "$(e2e_api_status GET /readyz)"
expect_eq "nothing loaded by hostile files" "$good" "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "stats unchanged" "$good.00|$good|$good|$good|$good" "$(stats_totals)"
hwm_after="$(server_hwm)"
e2e_log "server peak RSS: $((hwm_before / 1024)) MiB before the bomb, $((hwm_after / 1024)) MiB after"
[ $((hwm_after - hwm_before)) -lt 65536 ] ||
  e2e_fail "the bomb grew the server's peak RSS by $(((hwm_after - hwm_before) / 1024)) MiB (limit 64)"

e2e_log "keys with .. segments or control characters are refused with 400"
printf 'order_id,order_date,sku,quantity,unit_price\nX,2026-05-04,S,1,1.00\n' >"$E2E_TMP/tiny.csv"
for key in '../escape.csv' 'a/../../escape.csv' '..' $'ctl\001.csv' 'a/..'; do
  status="$(e2e_api_status POST /api/upload -F "key=$key" -F "file=@$E2E_TMP/tiny.csv")"
  expect_eq "upload with key $(printf %q "$key")" 400 "$status"
  expect_eq "error code for key $(printf %q "$key")" invalid_argument \
    "$(jq -r .error.code "$E2E_TMP/last_body")"
done
# (the client side of a refused upload: upload_refused.sh)
expect_eq "traversal in a path segment" 400 "$(e2e_api_status GET '/api/reports/..%2Fescape.csv/rejects')"
expect_eq "traversal in an unload" 400 "$(e2e_api_status DELETE '/api/reports/a%2F..%2F..%2Fx.csv/rows')"
expect_eq "traversal in a process request" 400 \
  "$(e2e_api_status POST /api/process -H 'Content-Type: application/json' -d '{"key":"../escape.csv"}')"
if e2e_aws s3 ls --recursive "s3://$SALESFLOW_TEST_S3_BUCKET/" | grep -q 'escape\.csv'; then
  e2e_fail "an escape.csv object was written"
fi
e2e_alive "$E2E_SERVER_PID" || e2e_fail "the server died"
echo "PASS hostile"
