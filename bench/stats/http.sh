#!/usr/bin/env bash
# GET /api/stats over HTTP at scale: loads N lines through the real load path (stats_bench
# --load-only) into a private MariaDB, serves them with the real `salesflow serve`, and for
# each bar query (full-range total; a month by day; top 10 skus over a quarter) measures
#   * the cold first request after the server starts (curl),
#   * p50 / p99 / requests per second with `wrk -t2 -c8 -d20s --latency`,
#   * the naive GROUP BY over `sales` (mariadb client), and checks that the API's totals and
#     every group are the same strings (revenue, orders, lines, units, customers).
# Prints a table. Exit 1 when an answer differs or a step fails; "BAR MISSED" (exit 0) when
# a p99 is over 20 ms. Figures and commands: docs/stats.md.
#
#   bench/stats/http.sh [--lines N=10000000] [--duration 20s] [--threads 2] [--connections 8]
#                       [--database stats_http] [--keep-going]
#   nice -n 15 bench/stats/http.sh --lines 1000000        # quick run, polite on a shared box
#
# SALESFLOW_BENCH_BUILD_DIR: Release build to use (default build/statshttp; built here,
# targets salesflow and stats_bench, -j1). Needs wrk, curl, jq, mariadb (scripts/install-deps.sh).
# --inner: skip the build and with-services.sh, use the services of the environment
# (SALESFLOW_TEST_DB, SALESFLOW_TEST_DB_SOCKET): measures again a warehouse loaded earlier
# (stats_bench --reuse), e.g. to compare two builds on the same data.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SALESFLOW_BENCH_BUILD_DIR:-$root/build/statshttp}

lines=10000000
duration=20s
threads=2
connections=8
database=stats_http
inner=0
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) lines=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    --inner) inner=1; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "http.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$lines" in '' | *[!0-9]*) echo "http.sh: --lines needs a number" >&2; exit 2 ;; esac
[[ "$database" =~ ^[A-Za-z0-9_]+$ ]] || { echo "http.sh: --database: letters, digits, _" >&2; exit 2; }

if [ "$inner" -eq 0 ]; then
  for tool in wrk curl jq mariadb; do
    command -v "$tool" >/dev/null ||
      { echo "http.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
  done
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target salesflow stats_bench -j1 >/dev/null
  exec "$root/scripts/with-services.sh" "$0" --inner --lines "$lines" --duration "$duration" \
    --threads "$threads" --connections "$connections" --database "$database"
fi

# ---- inside with-services.sh: a private MariaDB (SALESFLOW_TEST_DB, *_SOCKET) --------------
work=$(mktemp -d "${TMPDIR:-/tmp}/stats-http.XXXXXX")
serve_pid=""
stop_server() {
  if [ -n "$serve_pid" ]; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

sql() {
  mariadb --no-defaults --socket="$SALESFLOW_TEST_DB_SOCKET" -uroot -N -B "$database" -e "$1"
}
now_ms() { date +%s%3N; }

echo "== loading $lines lines into $database (stats_bench --load-only) =="
"$build/bench/stats/stats_bench" --lines "$lines" --database "$database" --reuse --load-only
echo "warehouse: $(sql 'SELECT COUNT(*) FROM sales') sales lines, $(sql 'SELECT COUNT(*) FROM daily_summary') daily_summary rows"

# Starts `salesflow serve` on a free loopback port (no keys file: loopback, no auth) and
# waits until /healthz answers. Sets serve_pid and base_url.
start_server() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/reports"
  env -u SALESFLOW_API_KEYS_FILE SALESFLOW_DB="${SALESFLOW_TEST_DB}${database}" \
    SALESFLOW_STORAGE="file://$work/reports" SALESFLOW_LISTEN="127.0.0.1:$port" \
    SALESFLOW_CURRENCY=USD "$build/salesflow" serve >>"$work/serve.log" 2>&1 &
  serve_pid=$!
  base_url="http://127.0.0.1:$port"
  local deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null "$base_url/healthz"; do
    if ! kill -0 "$serve_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "http.sh: salesflow serve did not come up; its log:" >&2
      tail -20 "$work/serve.log" >&2
      exit 1
    fi
    sleep 0.1
  done
}

# The API's answer as TSV lines: "totals" then every group; key revenue orders lines units customers.
json_rows() {
  jq -r '(["totals", .totals.revenue, .totals.orders, .totals.lines, .totals.units,
           .totals.customers] | @tsv),
         (.groups[] | [.key, .revenue, .orders, .lines, .units, .customers] | @tsv)' "$1"
}

# wrk's "--latency" percentile (e.g. "  99%    2.56ms") in milliseconds.
wrk_ms() {
  awk -v q="$1%" '$1 == q {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
      f = unit == "us" ? 0.001 : unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60000 : -1;
      printf "%.2f", v * f }' "$2"
}

figures="COALESCE(SUM(revenue), 0.00), COUNT(DISTINCT order_id), COUNT(*), COALESCE(SUM(quantity), 0), COUNT(DISTINCT customer_id)"
names=() colds=() p50s=() p99s=() rates=() naives=() verdicts=() rss=()
failed=0
missed=0

# measure NAME QUERY_STRING WHERE GROUP_SQL: one query's row of the table.
#   GROUP_SQL: the naive groups' SELECT (empty for totals only), in the API's order.
measure() {
  local name=$1 query=$2 where=$3 groups=$4
  stop_server
  start_server
  local url="$base_url/api/stats?$query"
  echo
  echo "== $name: $url =="
  local cold
  cold=$(curl -fsS -o "$work/cold.json" -w '%{time_total}' "$url")
  cold=$(awk -v s="$cold" 'BEGIN { printf "%.1f", s * 1000 }')
  echo "cold first request: $cold ms"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" >"$work/wrk.txt"
  cat "$work/wrk.txt"
  local p50 p99 rate
  p50=$(wrk_ms 50 "$work/wrk.txt")
  p99=$(wrk_ms 99 "$work/wrk.txt")
  rate=$(awk '$1 == "Requests/sec:" { print $2 }' "$work/wrk.txt")
  if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt" || [ -z "$p50" ] || [ -z "$p99" ] || [ -z "$rate" ]; then
    echo "http.sh: wrk saw errors or printed no latency for $name" >&2
    failed=1
  fi
  curl -fsS -o "$work/warm.json" "$url"
  rss+=("$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$serve_pid/status")")
  stop_server

  local start naive
  start=$(now_ms)
  {
    sql "SELECT 'totals', $figures FROM sales WHERE $where"
    [ -z "$groups" ] || sql "$groups"
  } >"$work/naive.tsv"
  naive=$(($(now_ms) - start))
  json_rows "$work/cold.json" >"$work/cold.tsv"
  json_rows "$work/warm.json" >"$work/warm.tsv"
  local verdict=identical
  if ! cmp -s "$work/naive.tsv" "$work/cold.tsv" || ! cmp -s "$work/naive.tsv" "$work/warm.tsv"; then
    verdict=DIFFER
    failed=1
    echo "http.sh: $name: the API's answer differs from GROUP BY (naive < > API):" >&2
    diff "$work/naive.tsv" "$work/cold.tsv" | head -20 >&2 || true
    diff "$work/naive.tsv" "$work/warm.tsv" | head -20 >&2 || true
  fi
  echo "naive GROUP BY: $naive ms, $(wc -l <"$work/naive.tsv") rows ($(head -1 "$work/naive.tsv")); answers $verdict"
  if awk -v p="$p99" 'BEGIN { exit !(p == "" || p >= 20) }'; then missed=1; fi
  names+=("$name") colds+=("$cold") p50s+=("$p50") p99s+=("$p99") rates+=("$rate")
  naives+=("$naive") verdicts+=("$verdict")
}

usd="currency = 'USD'"
june="$usd AND order_date BETWEEN '2025-06-01' AND '2025-06-30'"
q2="$usd AND order_date BETWEEN '2025-04-01' AND '2025-06-30'"
measure "(a) full-range total" "currency=USD" "$usd" ""
measure "(b) 2025-06 by day" "from=2025-06-01&to=2025-06-30&group_by=day&currency=USD" "$june" \
  "SELECT order_date, $figures FROM sales WHERE $june GROUP BY order_date ORDER BY order_date"
measure "(c) top 10 skus, 2025-Q2" "from=2025-04-01&to=2025-06-30&group_by=sku&top=10&currency=USD" "$q2" \
  "SELECT COALESCE(sku, '') AS k, $figures FROM sales WHERE $q2 GROUP BY k ORDER BY SUM(revenue) DESC, k LIMIT 10"

echo
echo "== GET /api/stats over HTTP, $lines lines, wrk -t$threads -c$connections -d$duration (load average $(cut -d' ' -f1-3 /proc/loadavg)) =="
printf '| %-26s | %9s | %8s | %8s | %9s | %9s | %8s | %-9s |\n' query "cold ms" "p50 ms" "p99 ms" \
  "req/s" "naive ms" "RSS MiB" answers
printf '|%s|\n' "----------------------------|-----------|----------|----------|-----------|-----------|----------|-----------"
for i in "${!names[@]}"; do
  printf '| %-26s | %9s | %8s | %8s | %9s | %9s | %8s | %-9s |\n' "${names[$i]}" "${colds[$i]}" \
    "${p50s[$i]}" "${p99s[$i]}" "${rates[$i]}" "${naives[$i]}" "${rss[$i]}" "${verdicts[$i]}"
done
echo "(RSS MiB: the serve process's peak RSS, VmHWM, after cold request + wrk)"
if [ "$failed" -ne 0 ]; then
  echo "RESULT: FAILED (an answer differs from GROUP BY, or a request failed)"
  exit 1
fi
if [ "$missed" -ne 0 ]; then
  echo "BAR MISSED: a p99 is over 20 ms (answers identical)"
  exit 0
fi
echo "RESULT: answers identical to GROUP BY, every p99 under 20 ms"
