#!/usr/bin/env bash
# The main flow, end to end: generate 3 daily reports, put one into S3 with the AWS CLI and
# two through `salesflow upload`, see them `new`, process everything pending, and check the
# warehouse against manifest.json to the cent: totals, per-day figures, per-file job counts,
# rejects by reason, and the reports' final status.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" main_flow

sf generate --days 3 --rows-per-day 3000 --dirty-rate 0.002 --seed 7 --out "$E2E_TMP/gen"
manifest="$E2E_TMP/gen/manifest.json"
mapfile -t files < <(jq -r '.files[].name' "$manifest")
expect_eq "files in the manifest" 3 "${#files[@]}"
expect_eq "lines in the manifest" 9000 "$(jq -r .lines "$manifest")"
[ "$(jq -r .bad_lines "$manifest")" -gt 0 ] || e2e_fail "the manifest has no injected bad rows"

e2e_start_server serve --workers 2

e2e_log "upload: ${files[0]} with aws s3 cp, the others with salesflow upload"
e2e_aws s3 cp --only-show-errors "$E2E_TMP/gen/${files[0]}" "$(e2e_s3_url "${files[0]}")"
sf upload "$E2E_TMP/gen/${files[1]}" "$E2E_TMP/gen/${files[2]}"

reports="$("$SALESFLOW_BIN" reports --json)"
expect_eq "reports listed" "$(printf '%s\n' "${files[@]}" | sort)" \
  "$(jq -r '.reports[].key' <<<"$reports" | sort)"
for f in "${files[@]}"; do
  expect_eq "status of $f before processing" new \
    "$(jq -r --arg k "$f" '.reports[] | select(.key == $k) | .status' <<<"$reports")"
  expect_eq "size of $f" "$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bytes' "$manifest")" \
    "$(jq -r --arg k "$f" '.reports[] | select(.key == $k) | .size' <<<"$reports")"
done

e2e_log "dry run of ${files[0]}: full validation, no writes"
f="${files[0]}"
lines="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .lines' "$manifest")"
bad="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bad_lines' "$manifest")"
dry="$("$SALESFLOW_BIN" process "$f" --dry-run --wait --json)" || e2e_fail "dry run failed"
expect_eq "dry run" "succeeded|dry_run|$lines|$((lines - bad))|$bad" \
  "$(jq -r '.jobs[0] | "\(.status)|\(.outcome)|\(.rows_read)|\(.rows_loaded)|\(.rows_rejected)"' <<<"$dry")"
expect_eq "lines after the dry run" 0 "$("$SALESFLOW_BIN" stats --json | jq -r .totals.lines)"
expect_eq "sales rows after the dry run" 0 "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "status after the dry run" new \
  "$("$SALESFLOW_BIN" reports --json | jq -r --arg k "$f" '.reports[] | select(.key == $k) | .status')"

e2e_log "process --pending --wait"
jobs="$("$SALESFLOW_BIN" process --pending --wait --json)" || e2e_fail "process --pending --wait failed"
expect_eq "jobs" 3 "$(jq '.jobs | length' <<<"$jobs")"
for f in "${files[@]}"; do
  job="$(jq -c --arg k "$f" '.jobs[] | select(.key == $k)' <<<"$jobs")"
  lines="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .lines' "$manifest")"
  bad="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bad_lines' "$manifest")"
  expect_eq "$f status" succeeded "$(jq -r .status <<<"$job")"
  expect_eq "$f outcome" loaded "$(jq -r .outcome <<<"$job")"
  expect_eq "$f rows_read" "$lines" "$(jq -r .rows_read <<<"$job")"
  expect_eq "$f rows_loaded" "$((lines - bad))" "$(jq -r .rows_loaded <<<"$job")"
  expect_eq "$f rows_updated" 0 "$(jq -r .rows_updated <<<"$job")"
  expect_eq "$f rows_rejected" "$bad" "$(jq -r .rows_rejected <<<"$job")"
  expect_eq "$f bytes_read" "$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bytes' "$manifest")" \
    "$(jq -r .bytes_read <<<"$job")"
done

e2e_log "stats totals == manifest grand totals"
expect_eq "stats totals (revenue|lines|units|orders|customers)" \
  "$(manifest_totals "$manifest")" "$(stats_totals)"
stats="$("$SALESFLOW_BIN" stats --json)"
expect_eq "stats currency" USD "$(jq -r .currency <<<"$stats")"
expect_eq "stats currencies" '["USD"]' "$(jq -c .currencies <<<"$stats")"
revenue_cents="$(cents "$(jq -r .totals.revenue <<<"$stats")")"
orders="$(jq -r .totals.orders <<<"$stats")"
# avg_order_value = revenue / orders, half away from zero, to the cent.
expected_aov=$(((2 * revenue_cents + orders) / (2 * orders)))
expect_eq "avg_order_value" "$(money "$expected_aov")" "$(jq -r .totals.avg_order_value <<<"$stats")"

e2e_log "stats --by day == manifest per file"
by_day="$("$SALESFLOW_BIN" stats --by day --json)"
expect_eq "day groups, in date order" "$(jq -r '.files[].date' "$manifest")" \
  "$(jq -r '.groups[].key' <<<"$by_day")"
for f in "${files[@]}"; do
  day="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .date' "$manifest")"
  expect_eq "stats of $day" "$(manifest_totals "$manifest" "$f")" \
    "$(jq -r --arg d "$day" '.groups[] | select(.key == $d)
       | "\(.revenue)|\(.lines)|\(.units)|\(.orders)|\(.customers)"' <<<"$by_day")"
  expect_eq "stats --from $day --to $day" "$(manifest_totals "$manifest" "$f")" \
    "$(stats_totals --from "$day" --to "$day")"
done

e2e_log "rejects per report == manifest bad rows by reason"
for f in "${files[@]}"; do
  sf rejects "$f" --out "$E2E_TMP/rejects.csv"
  expect_eq "rejects of $f by reason" \
    "$(jq -cS --arg f "$f" '.files[] | select(.name == $f) | .bad_by_reason' "$manifest")" \
    "$(python3 "$(dirname "$0")/csv_tool.py" reasons "$E2E_TMP/rejects.csv")"
  expect_eq "reject lines of $f are distinct" "" \
    "$(python3 "$(dirname "$0")/csv_tool.py" column line "$E2E_TMP/rejects.csv" | sort | uniq -d)"
done

e2e_log "reports now loaded"
reports="$("$SALESFLOW_BIN" reports --json)"
for f in "${files[@]}"; do
  lines="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .lines' "$manifest")"
  bad="$(jq -r --arg f "$f" '.files[] | select(.name == $f) | .bad_lines' "$manifest")"
  expect_eq "$f status|rows_loaded|rows_rejected" "loaded|$((lines - bad))|$bad" \
    "$(jq -r --arg k "$f" '.reports[] | select(.key == $k)
       | "\(.status)|\(.rows_loaded)|\(.rows_rejected)"' <<<"$reports")"
done

e2e_log "the warehouse as analysts see it: sales == manifest"
expect_eq "sales rows" "$(jq -r .totals.USD.lines "$manifest")" "$(e2e_sql 'SELECT COUNT(*) FROM sales')"
expect_eq "sales revenue" "$(jq -r .totals.USD.revenue "$manifest")" \
  "$(e2e_sql 'SELECT SUM(revenue) FROM sales')"
echo "PASS main_flow"
