#!/usr/bin/env bash
# Load benchmark (DESIGN.md "Quality bars"): one report of N lines, side by side in one run,
#   (a) salesflow: the report in s3rver, `salesflow serve --workers 1`, POST /api/process
#       {"key": ..., "wait": true}; wall time of the request, the job's own started_at..
#       finished_at, and the serve process's peak RSS (VmHWM, HTTP server included);
#   (b) raw: the `mariadb` client's LOAD DATA LOCAL INFILE of the same (plain CSV) file into
#       a table with the same schema and indexes as `sales`, in a separate database;
#   (c) the original system's way: pandas read_csv + to_sql (bench/loader/pandas_load.py).
# (a) and (b) run BENCH_REPEATS times interleaved (a, b, a, b, ...), each on a fresh
# database; the table shows medians.
#
#   scripts/with-services.sh bench/loader/run.sh [LINES...]     (default: 1000000 5000000)
#
# Environment: SALESFLOW_BIN (default build/release/salesflow), BENCH_REPEATS (5: the VM's
# speed drifts by +-5% within minutes, and 5 adjacent pairs keep the medians steady),
# BENCH_PANDAS_MAX_LINES (1000000: pandas is skipped above it, it takes minutes),
# BENCH_WORK (keep logs and results in this directory instead of a deleted temp dir),
# BENCH_PARTS (default "salesflow raw pandas": which of (a), (b), (c) to run),
# BENCH_PROFILE=1 (one more, untimed salesflow run per size with the server's slow log at
# long_query_time=0: prints where the database time of a load goes, statement by statement),
# plus what scripts/with-services.sh exports (SALESFLOW_TEST_DB, AWS_*, SALESFLOW_TEST_S3_BUCKET).
# Exit status: 0 when every load succeeded and was checked (a missed bar prints
# "BAR MISSED" but is not a failure), 1 when something failed, 2 for a usage error.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/loader"
bin="${SALESFLOW_BIN:-$root/build/release/salesflow}"
repeats="${BENCH_REPEATS:-5}"
pandas_max="${BENCH_PANDAS_MAX_LINES:-1000000}"
parts=" ${BENCH_PARTS:-salesflow raw pandas} "
python=/usr/bin/python3 # Debian's: the only one that sees python3-pandas (TOOLCHAIN.md)
ratio_bar=1.2
rss_bar_mib=64

die() { echo "bench/loader: $*" >&2; exit 1; }
usage() { echo "bench/loader: $*" >&2; exit 2; }

[ -x "$bin" ] || usage "no salesflow binary at $bin (build it, or set SALESFLOW_BIN)"
for var in SALESFLOW_TEST_DB AWS_ENDPOINT_URL_S3 SALESFLOW_TEST_S3_BUCKET; do
  [ -n "${!var:-}" ] || usage "$var is not set: run under scripts/with-services.sh"
done
if [ $# -eq 0 ]; then set -- 1000000 5000000; fi
for n in "$@"; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || usage "LINES must be positive integers, got '$n'"; done
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || usage "BENCH_REPEATS must be a positive integer"

# mysql://user[:password]@host:port/  ->  client arguments and URLs for each tool.
[[ "$SALESFLOW_TEST_DB" =~ ^mysql://([^:@/]+)(:([^@/]*))?@([^:/]+):([0-9]+)/?$ ]] ||
  usage "SALESFLOW_TEST_DB must look like mysql://user@host:port/"
db_user="${BASH_REMATCH[1]}" db_pass="${BASH_REMATCH[3]}"
db_host="${BASH_REMATCH[4]}" db_port="${BASH_REMATCH[5]}"
db_auth="$db_user${db_pass:+:$db_pass}@$db_host:$db_port"
mariadb_args=(--no-defaults --protocol=tcp -h "$db_host" -P "$db_port" -u "$db_user")
[ -n "$db_pass" ] && mariadb_args+=("-p$db_pass")

if [ -n "${BENCH_WORK:-}" ]; then
  work="$BENCH_WORK"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/salesflow-bench-loader.XXXXXX")"
fi
run_id="bench-loader-$(date +%Y%m%d%H%M%S)-$$"
serve_pid=""
results="$work/results.tsv"
: >"$results"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_serve
  if [ -z "${BENCH_WORK:-}" ]; then rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sql() { mariadb "${mariadb_args[@]}" --batch --skip-column-names "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# One field of a JSON document (file), by a Python expression over `d`.
json_field() { "$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
fresh_database() {
  sql -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
}
drop_database() { sql -e "DROP DATABASE IF EXISTS \`$1\`"; }
# CPU seconds (user + system) a process has used so far; "" when it is not readable.
clock_ticks="$(getconf CLK_TCK)"
cpu_seconds() {
  [ -r "/proc/$1/stat" ] || return 0
  awk -v hz="$clock_ticks" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}
cpu_diff() {
  if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; else echo "?"; fi
}
# The database server's error log, last lines: the other half of a failed load's story.
server_log_tail() {
  local file; file="$(sql -e 'SELECT @@log_error' 2>/dev/null || true)"
  if [ -n "$file" ] && [ -r "$file" ]; then
    echo "--- $file (last 15 lines)" >&2
    tail -15 "$file" >&2
  fi
}
record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >>"$results"; }

stop_serve() {
  [ -n "$serve_pid" ] || return 0
  kill -TERM "$serve_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$serve_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -KILL "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}

# --- inputs: one generated report per size, uploaded once ------------------------------
# Generates N clean lines (one day, fixed seed) into $work/gen-N; sets report_file,
# report_lines (from the manifest) and report_key (uploaded to the s3rver bucket).
prepare_report() {
  local n="$1" dir="$work/gen-$1"
  rm -rf "$dir"
  local t0; t0="$(now)"
  "$bin" generate --out "$dir" --days 1 --rows-per-day "$n" --seed 42 >"$work/generate-$n.log" 2>&1 ||
    { cat "$work/generate-$n.log" >&2; die "salesflow generate failed for $n lines"; }
  local t1; t1="$(now)"
  report_file="$(ls "$dir"/*.csv)"
  report_lines="$(json_field "$dir/manifest.json" 'd["lines"]')"
  [ "$(json_field "$dir/manifest.json" 'd["bad_lines"]')" = 0 ] || die "generated report has bad lines"
  report_key="$run_id/$n/$(basename "$report_file")"
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 cp --only-show-errors \
    "$report_file" "s3://$SALESFLOW_TEST_S3_BUCKET/$report_key" || die "upload to s3rver failed"
  local t2; t2="$(now)"
  local bytes; bytes="$(stat -c %s "$report_file")"
  echo "  generated $report_lines lines, $((bytes / 1048576)) MiB in $(elapsed "$t0" "$t1") s; uploaded to s3://$SALESFLOW_TEST_S3_BUCKET/$report_key in $(elapsed "$t1" "$t2") s"
  record input "$n" "$report_lines" "$bytes"
}

# The `sales` table as salesflow's migrations create it, taken from a migrated database so
# the raw load always gets the current schema and indexes.
sales_ddl=""
load_sales_ddl() {
  local db="${run_id//-/_}_schema"
  fresh_database "$db"
  SALESFLOW_DB="mysql://$db_auth/$db" "$bin" migrate >"$work/migrate.log" 2>&1 ||
    { cat "$work/migrate.log" >&2; die "salesflow migrate failed"; }
  sales_ddl="$(sql -e "SHOW CREATE TABLE \`$db\`.sales" | cut -f2-)"
  sales_ddl="$(printf '%b' "$sales_ddl")" # --batch escapes the newlines as \n
  [[ "$sales_ddl" == CREATE\ TABLE* ]] || die "could not read the sales table's definition"
  drop_database "$db"
  # The server's pid, to split the time into salesflow's CPU and the database's CPU.
  mariadbd_pid="$(cat "$(sql -e 'SELECT @@pid_file')" 2>/dev/null || true)"
}
mariadbd_pid=""

# --- (a) salesflow ------------------------------------------------------------------------
run_salesflow() {
  local n="$1" rep="$2" db="${run_id//-/_}_sf_${1}_$2" kind="${3:-salesflow}"
  local port; port="$(free_port)"
  local log="$work/serve-$n-$rep.log" response="$work/process-$n-$rep.json"
  fresh_database "$db"
  local workers_flag=()
  "$bin" serve --help 2>/dev/null | grep -q -- '--workers' && workers_flag=(--workers 1)
  SALESFLOW_DB="mysql://$db_auth/$db" SALESFLOW_STORAGE="s3://$SALESFLOW_TEST_S3_BUCKET" \
    SALESFLOW_LISTEN="127.0.0.1:$port" SALESFLOW_WORKERS=1 \
    "$bin" serve "${workers_flag[@]}" >"$log" 2>&1 &
  serve_pid=$!
  local base="http://127.0.0.1:$port" deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
    kill -0 "$serve_pid" 2>/dev/null || { tail -20 "$log" >&2; die "salesflow serve exited during startup"; }
    [ $SECONDS -lt $deadline ] || { tail -20 "$log" >&2; die "salesflow serve not healthy in 60 s"; }
    sleep 0.05
  done

  local body="{\"key\": \"$report_key\", \"wait\": true}"
  local db_cpu0 sf_cpu0
  db_cpu0="$(cpu_seconds "$mariadbd_pid")" sf_cpu0="$(cpu_seconds "$serve_pid")"
  local t0; t0="$(now)"
  local code
  code="$(curl -sS -o "$response" -w '%{http_code}' --max-time 3600 -X POST \
    -H 'Content-Type: application/json' --data "$body" "$base/api/process")" ||
    { tail -20 "$log" >&2; die "POST /api/process failed"; }
  local job_id
  job_id="$(json_field "$response" 'd["jobs"][0]["job_id"]')" ||
    { cat "$response" >&2; die "POST /api/process answered $code without a job"; }
  # A wait is bounded server-side (5 min, then 202 with the current state): follow the job to
  # its end, once a second (the job's own times come from the jobs table, in milliseconds).
  while [ "$(json_field "$response" 'd["jobs"][0]["status"]' 2>/dev/null)" != succeeded ] &&
    [ "$(json_field "$response" 'd["jobs"][0]["status"]' 2>/dev/null)" != failed ]; do
    kill -0 "$serve_pid" 2>/dev/null || { tail -20 "$log" >&2; die "salesflow serve died during the job"; }
    sleep 1
    curl -fsS "$base/api/jobs/$job_id" | "$python" -c 'import json,sys; print(json.dumps({"jobs": [json.load(sys.stdin)]}))' >"$response.tmp" &&
      mv "$response.tmp" "$response"
  done
  local t1; t1="$(now)"
  local hwm_kib db_cpu sf_cpu
  hwm_kib="$(awk '/^VmHWM:/ { print $2 }' "/proc/$serve_pid/status")"
  sf_cpu="$(cpu_diff "$sf_cpu0" "$(cpu_seconds "$serve_pid")")"
  db_cpu="$(cpu_diff "$db_cpu0" "$(cpu_seconds "$mariadbd_pid")")"
  stop_serve

  local check
  check="$(json_field "$response" 'd["jobs"][0]["status"] + " " + str(d["jobs"][0]["outcome"]) + " " + str(d["jobs"][0]["rows_loaded"]) + " " + str(d["jobs"][0]["rows_rejected"])')"
  if [ "$check" != "succeeded loaded $report_lines 0" ]; then
    cat "$response" >&2; echo >&2
    tail -20 "$log" >&2
    server_log_tail
    die "salesflow job $job_id: expected 'succeeded loaded $report_lines 0', got '$check'"
  fi
  local in_table
  in_table="$(sql -e "SELECT COUNT(*) FROM \`$db\`.sales")"
  [ "$in_table" = "$report_lines" ] || die "salesflow: sales holds $in_table rows, expected $report_lines"
  # The API's timestamps have whole seconds; the jobs table has milliseconds.
  local job_seconds
  job_seconds="$(sql -e "SELECT TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) / 1e6 FROM \`$db\`.jobs WHERE id = $job_id")"
  local wall; wall="$(elapsed "$t0" "$t1")"
  echo "  (a) salesflow  run $rep: ${wall} s (job ${job_seconds} s), peak RSS $((hwm_kib / 1024)) MiB; CPU: salesflow ${sf_cpu} s, mariadbd ${db_cpu} s"
  record "$kind" "$n" "$rep" "$wall" "$job_seconds" "$hwm_kib" "$sf_cpu" "$db_cpu"
  profiled_db="$db"
  [ "$kind" = salesflow-profile ] || drop_database "$db"
}

# One more salesflow run with every statement in the server's slow log (mysql.slow_log),
# then the statements by time: the database's share of a load, step by step.
profiled_db=""
run_profile() {
  local n="$1"
  sql -e "SET GLOBAL slow_query_log = OFF; TRUNCATE TABLE mysql.slow_log;
          SET GLOBAL log_output = 'TABLE', long_query_time = 0, slow_query_log = ON"
  run_salesflow "$n" profile salesflow-profile
  sql -e "SET GLOBAL slow_query_log = OFF, long_query_time = 10"
  echo "  profile (server slow log, the salesflow run above; seconds, statement):"
  sql -e "SELECT FORMAT(TIME_TO_SEC(query_time), 3), LEFT(REGEXP_REPLACE(CONVERT(sql_text USING utf8mb4), '[[:space:]]+', ' '), 140)
          FROM mysql.slow_log WHERE db = '$profiled_db' AND query_time >= 0.01
          ORDER BY query_time DESC LIMIT 25" | sed 's/^/    /'
  echo "  by kind of statement (count, seconds, first 60 characters):"
  sql -e "SELECT COUNT(*), FORMAT(SUM(TIME_TO_SEC(query_time)), 3), k FROM (SELECT query_time,
            LEFT(REGEXP_REPLACE(CONVERT(sql_text USING utf8mb4), '[[:space:]]+', ' '), 60) AS k
            FROM mysql.slow_log WHERE db = '$profiled_db') x
          GROUP BY k ORDER BY SUM(TIME_TO_SEC(query_time)) DESC LIMIT 12" | sed 's/^/    /'
  sql -e "SELECT CONCAT('    all ', COUNT(*), ' statements: ', FORMAT(SUM(TIME_TO_SEC(query_time)), 3), ' s')
          FROM mysql.slow_log WHERE db = '$profiled_db'"
  cp "$work/serve-$n-profile.log" "$work/profile-serve-$n.log" 2>/dev/null || true
  drop_database "$profiled_db"
}

# --- (b) raw LOAD DATA by the mariadb client -----------------------------------------------
# The file's header names the columns. The baseline is the cheapest load the table
# accepts, so the ratio is never flattered: order_date (date or date-time in the file) is
# cut to its date, and the NOT NULL columns salesflow derives (revenue, the order_key
# dictionary id, lineage) get constants. Computing revenue and a line counter in SET as
# well made the raw load about 30% slower in a trial.
raw_load_sql() {
  local file="$1" header header_cols=() columns=() col
  header="$(head -1 "$file" | tr -d '\r')"
  IFS=',' read -r -a header_cols <<<"$header"
  for col in "${header_cols[@]}"; do
    if [ "$col" = order_date ]; then columns+=("@order_date"); else columns+=("$col"); fi
  done
  cat <<SQL
LOAD DATA LOCAL INFILE '$file' INTO TABLE sales CHARACTER SET utf8mb4
  FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY ''
  LINES TERMINATED BY '\n' IGNORE 1 LINES
  ($(IFS=,; echo "${columns[*]}"))
  SET order_date = LEFT(@order_date, 10),
      revenue = 0, order_key = 0, report_id = 1, job_id = 1, source_line = 0;
SELECT ROW_COUNT(), @@warning_count;
SQL
}

run_raw() {
  local n="$1" rep="$2" db="${run_id//-/_}_raw_${1}_$2"
  fresh_database "$db"
  sql "$db" -e "$sales_ddl"
  local load; load="$(raw_load_sql "$report_file")"
  local db_cpu0; db_cpu0="$(cpu_seconds "$mariadbd_pid")"
  local t0; t0="$(now)"
  local out
  out="$(/usr/bin/time -f '%M' -o "$work/raw-rss" mariadb "${mariadb_args[@]}" --local-infile=1 \
    --batch --skip-column-names "$db" -e "$load")" || die "raw LOAD DATA failed"
  local t1; t1="$(now)"
  local db_cpu; db_cpu="$(cpu_diff "$db_cpu0" "$(cpu_seconds "$mariadbd_pid")")"
  local loaded warnings
  read -r loaded warnings <<<"$out"
  [ "$loaded" = "$report_lines" ] || die "raw LOAD DATA loaded $loaded rows, expected $report_lines"
  [ "$warnings" = 0 ] || echo "  note: raw LOAD DATA reported $warnings warnings"
  local wall; wall="$(elapsed "$t0" "$t1")"
  echo "  (b) raw load   run $rep: ${wall} s; CPU: mariadbd ${db_cpu} s"
  record raw "$n" "$rep" "$wall" "$(cat "$work/raw-rss")" "$db_cpu"
  drop_database "$db"
}

# --- (c) pandas ------------------------------------------------------------------------------
run_pandas() {
  local n="$1" db="${run_id//-/_}_pandas_$1"
  if [ "$report_lines" -gt "$pandas_max" ]; then
    echo "  (c) pandas     skipped: $report_lines lines > BENCH_PANDAS_MAX_LINES=$pandas_max (it takes minutes)"
    return 0
  fi
  fresh_database "$db"
  local out
  out="$("$python" "$here/pandas_load.py" "$report_file" "mysql+pymysql://$db_auth/$db" 1000)" ||
    die "pandas load failed"
  local in_table
  in_table="$(sql -e "SELECT COUNT(*) FROM \`$db\`.sales")"
  [ "$in_table" = "$report_lines" ] || die "pandas: table holds $in_table rows, expected $report_lines"
  local seconds rss
  seconds="$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$out")"
  rss="$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["max_rss_mib"])' "$out")"
  echo "  (c) pandas     run 1: ${seconds} s (read_csv + to_sql chunksize=1000), peak RSS ${rss} MiB"
  record pandas "$n" 1 "$seconds" "$rss"
  drop_database "$db"
}

# --- main -----------------------------------------------------------------------------------
echo "salesflow load benchmark: $bin, ${repeats} interleaved runs per size, $(nproc) cores"
# Every mariadbd deletes all "#sql*" files in its tmpdir when it starts (left-overs of its
# own crash, it assumes): a private server sharing /tmp with other test servers loses its
# internal temporary tables whenever another one starts, and a big GROUP BY fails with
# "Error on delete of '/tmp/#sql-temptable-...MAI'". mariadbd takes its tmpdir from TMPDIR.
if [ "$(sql -e 'SELECT @@tmpdir')" = /tmp ]; then
  echo "warning: the database server's tmpdir is the shared /tmp; if other MariaDB servers start" \
    "meanwhile, loads can fail. Run: TMPDIR=\$(mktemp -d) scripts/with-services.sh bench/loader/run.sh ..."
fi
load_sales_ddl
for n in "$@"; do
  echo "N = $n"
  prepare_report "$n"
  for rep in $(seq "$repeats"); do
    if [[ "$parts" == *" salesflow "* ]]; then run_salesflow "$n" "$rep"; fi
    if [[ "$parts" == *" raw "* ]]; then run_raw "$n" "$rep"; fi
  done
  if [[ "$parts" == *" pandas "* ]]; then run_pandas "$n"; fi
  if [ "${BENCH_PROFILE:-0}" = 1 ]; then run_profile "$n"; fi
done

"$python" - "$results" "$ratio_bar" "$rss_bar_mib" <<'PY'
import statistics, sys
path, ratio_bar, rss_bar = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
sizes = [r[1] for r in rows if r[0] == "input"]
lines = {r[1]: int(r[2]) for r in rows if r[0] == "input"}
def of(kind, n, col):
    return [float(r[col]) for r in rows if r[0] == kind and r[1] == n]
def median(values):
    return statistics.median(values) if values else None
def fmt(value, spec):
    return "-" if value is None else format(value, spec)
header = ("N", "salesflow s", "job s", "raw s", "sf/raw", "pandas s", "pandas/sf",
          "sf peak RSS MiB", "sf rows/s", "db CPU sf/raw")
table, missed = [], []
for n in sizes:
    sf, job, raw = median(of("salesflow", n, 3)), median(of("salesflow", n, 4)), median(of("raw", n, 3))
    rss_values = of("salesflow", n, 5)
    rss = max(rss_values) / 1024 if rss_values else None
    pandas = median(of("pandas", n, 3))
    ratio = sf / raw if sf and raw else None
    def cpu(values):  # "?" where /proc was not readable
        return median([float(v) for v in values if v != "?"])
    sf_db_cpu = cpu([r[7] for r in rows if r[0] == "salesflow" and r[1] == n and len(r) > 7])
    raw_db_cpu = cpu([r[5] for r in rows if r[0] == "raw" and r[1] == n and len(r) > 5])
    table.append((f"{lines[n]:,}", fmt(sf, ".2f"), fmt(job, ".2f"), fmt(raw, ".2f"), fmt(ratio, ".2f"),
                  fmt(pandas, ".1f"),
                  fmt(pandas / sf if pandas and sf else None, ".1f"),
                  fmt(rss, ".1f"), fmt(lines[n] / sf if sf else None, ",.0f"),
                  fmt(sf_db_cpu / raw_db_cpu if sf_db_cpu and raw_db_cpu else None, ".2f")))
    if ratio is not None and ratio > ratio_bar:
        missed.append(f"N={lines[n]:,}: salesflow/raw = {ratio:.2f} > {ratio_bar}")
    if rss is not None and rss >= rss_bar:
        missed.append(f"N={lines[n]:,}: salesflow peak RSS {rss:.1f} MiB >= {rss_bar:.0f} MiB")
widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(header)]
print()
print("medians of the interleaved runs; peak RSS is the highest VmHWM of `salesflow serve`")
print("(HTTP server + 1 worker); job s = the job's started_at..finished_at; db CPU sf/raw =")
print("the database server's CPU seconds during a salesflow load over those of a raw load")
print("(less sensitive than wall time to other work on the machine)")
for row in (header, *table):
    print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
for n in sizes:  # adjacent runs share the machine's state: their ratios drift least
    walls = {kind: {r[2]: float(r[3]) for r in rows if r[0] == kind and r[1] == n}
             for kind in ("salesflow", "raw")}
    pairs = [walls["salesflow"][rep] / walls["raw"][rep]
             for rep in walls["salesflow"] if rep in walls["raw"]]
    if pairs:
        print(f"N={lines[n]:,} salesflow/raw per pair: " + " ".join(f"{p:.2f}" for p in pairs)
              + f" (median {statistics.median(pairs):.2f})")
for m in missed:
    print(f"BAR MISSED: {m}")
if not missed and any(row[4] != "-" for row in table):
    print(f"bars met: salesflow/raw <= {ratio_bar}, peak RSS < {rss_bar:.0f} MiB")
PY
