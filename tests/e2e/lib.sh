# Shared helpers of the end-to-end tests (sourced, never run). Each test script:
#
#   source "$(dirname "$0")/lib.sh"
#   e2e_init "$1" main_flow        # binary path from CMake, short test name
#   e2e_start_server               # salesflow serve on a free port, waits for /healthz
#   ...
#
# e2e_init gives the test its own database (SALESFLOW_DB), its own S3 key prefix
# (SALESFLOW_STORAGE=s3://bucket/<prefix>, so `pending` and listings see only this test's
# objects), a scratch directory ($E2E_TMP) and one EXIT trap that stops every process the
# test started (by pid), drops the database, removes the prefix and the scratch directory.
# Readiness is polled (log line, /healthz, job states), never waited for by fixed sleeps.

set -euo pipefail

E2E_PIDS=()           # processes to stop on exit
E2E_CLEANUP_HOOKS=()  # extra commands run first on exit (e.g. restart MariaDB)

e2e_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

e2e_log() { echo "--- $*" >&2; }

e2e_require_env() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || e2e_fail "$name is not set: run under scripts/with-services.sh"
  done
}

# e2e_init BINARY NAME
e2e_init() {
  [ -x "${1:-}" ] || e2e_fail "salesflow binary '${1:-}' is not executable"
  SALESFLOW_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  E2E_NAME="$2"
  e2e_require_env SALESFLOW_TEST_DB SALESFLOW_TEST_DB_SOCKET SALESFLOW_TEST_MARIADB_CTL \
    AWS_ENDPOINT_URL_S3 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY SALESFLOW_TEST_S3_BUCKET
  command -v jq >/dev/null || e2e_fail "jq is required (scripts/install-deps.sh installs it)"
  command -v curl >/dev/null || e2e_fail "curl is required"
  E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/salesflow-e2e-$E2E_NAME.XXXXXX")"
  local unique
  unique="${E2E_NAME}_$$_$RANDOM"
  E2E_DB_NAME="e2e_${unique}"
  E2E_PREFIX="e2e/${unique}"
  local db_port="${SALESFLOW_TEST_DB##*:}"
  E2E_DB_PORT="${db_port%/}"
  export SALESFLOW_DB="mysql://root@127.0.0.1:${E2E_DB_PORT}/${E2E_DB_NAME}"
  export SALESFLOW_STORAGE="s3://${SALESFLOW_TEST_S3_BUCKET}/${E2E_PREFIX}"
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  unset SALESFLOW_API_KEY SALESFLOW_API_KEYS_FILE SALESFLOW_URL SALESFLOW_WORKERS
  trap e2e_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  e2e_log "$E2E_NAME: database $E2E_DB_NAME, storage $SALESFLOW_STORAGE, scratch $E2E_TMP"
}

e2e_cleanup() {
  local rc=$?
  trap - EXIT
  set +e
  local hook pid
  for hook in "${E2E_CLEANUP_HOOKS[@]}"; do eval "$hook"; done
  for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${E2E_PIDS[@]}"; do
    # A stuck process gets 20 s, then SIGKILL: cleanup never hangs the suite.
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  local log
  # A sanitizer report in any process's log fails the test, even from a process whose exit
  # code the test did not check (servers stopped here).
  for log in "$E2E_TMP"/*.log; do
    if [ -f "$log" ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
      echo "FAIL: sanitizer report in $log:" >&2
      grep -E -A 30 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log" | head -n 60 >&2
      rc=1
    fi
  done
  if [ $rc -ne 0 ]; then
    for log in "$E2E_TMP"/*.log; do
      [ -f "$log" ] || continue
      echo "===== tail of $log =====" >&2
      tail -n 40 "$log" >&2
    done
  fi
  e2e_sql_admin "DROP DATABASE IF EXISTS \`$E2E_DB_NAME\`" >/dev/null 2>&1
  e2e_aws s3 rm --recursive --quiet "s3://$SALESFLOW_TEST_S3_BUCKET/$E2E_PREFIX/" >/dev/null 2>&1
  rm -rf "$E2E_TMP"
  exit $rc
}

# --- peers ------------------------------------------------------------------------------

# Debian's AWS CLI (v2.9) predates AWS_ENDPOINT_URL_S3 support: pass the endpoint.
e2e_aws() { /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL_S3" "$@"; }

# s3 URL of KEY in this test's storage prefix.
e2e_s3_url() { echo "s3://$SALESFLOW_TEST_S3_BUCKET/$E2E_PREFIX/$1"; }

e2e_sql_admin() {
  mariadb --no-defaults --socket="$SALESFLOW_TEST_DB_SOCKET" -uroot -N -B -e "$1"
}

# One value (or rows, tab-separated) from the test's database.
e2e_sql() {
  mariadb --no-defaults --socket="$SALESFLOW_TEST_DB_SOCKET" -uroot -N -B \
    --default-character-set=utf8mb4 "$E2E_DB_NAME" -e "$1"
}

# --- processes --------------------------------------------------------------------------

# e2e_spawn LOGNAME ARGS...: salesflow ARGS in the background, stderr+stdout to
# $E2E_TMP/LOGNAME.log; sets E2E_LAST_PID.
e2e_spawn() {
  local log="$E2E_TMP/$1.log"
  shift
  : >"$log"  # exists before anyone polls it
  "$SALESFLOW_BIN" "$@" >"$log" 2>&1 &
  E2E_LAST_PID=$!
  E2E_PIDS+=("$E2E_LAST_PID")
}

# e2e_wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 100 ms.
e2e_wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || e2e_fail "$what: not within ${seconds}s"
    sleep 0.1
  done
}

e2e_alive() { kill -0 "$1" 2>/dev/null; }

e2e_http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# e2e_start_server [LOGNAME] [EXTRA ARGS...]: `salesflow serve` on a port the kernel picks
# (--listen 127.0.0.1:0; the URL is read from its "listening on" log line), then polls
# /healthz. Exports SALESFLOW_URL; sets E2E_SERVER_PID and E2E_SERVER_LOG.
e2e_start_server() {
  local name="${1:-serve}"
  shift || true
  e2e_spawn "$name" serve --listen 127.0.0.1:0 "$@"
  E2E_SERVER_PID=$E2E_LAST_PID
  E2E_SERVER_LOG="$E2E_TMP/$name.log"
  local deadline=$((SECONDS + 60)) url=""
  while [ -z "$url" ]; do
    e2e_alive "$E2E_SERVER_PID" || e2e_fail "salesflow serve exited: $(tail -n 5 "$E2E_SERVER_LOG")"
    [ $SECONDS -lt $deadline ] || e2e_fail "salesflow serve did not log its address in 60s"
    url="$(grep -o 'listening on https\?://[0-9.:]*' "$E2E_SERVER_LOG" | head -n1 | cut -d' ' -f3 || true)"
    [ -n "$url" ] || sleep 0.1
  done
  export SALESFLOW_URL="$url"
  e2e_wait_for 30 "GET $url/healthz" e2e_http_ok "$url/healthz"
}

# e2e_stop PID: SIGTERM, waits for the exit; sets E2E_STOP_RC (its exit code) and
# E2E_STOP_MS (milliseconds until it exited). (Not a $(...) helper: a subshell cannot wait
# for our children.)
e2e_stop() {
  local pid="$1" start
  start="$(date +%s%N)"
  E2E_STOP_RC=0
  kill -TERM "$pid"
  wait "$pid" || E2E_STOP_RC=$?
  E2E_STOP_MS=$((($(date +%s%N) - start) / 1000000))
}

# --- client -----------------------------------------------------------------------------

# Runs `salesflow ARGS`; the test fails (showing stderr) unless it exits 0.
sf() {
  local err="$E2E_TMP/client.err" rc=0
  "$SALESFLOW_BIN" "$@" 2>"$err" || rc=$?
  if [ $rc -ne 0 ]; then
    e2e_fail "salesflow $* exited $rc: $(cat "$err")"
  fi
}

# GET/DELETE/POST to the API with curl; prints the body. `e2e_api GET /api/jobs/3`.
e2e_api() {
  local method="$1" path="$2"
  shift 2
  curl -sS --max-time 60 -X "$method" "$@" "$SALESFLOW_URL$path"
}

# HTTP status code of a request: `e2e_api_status GET /readyz`.
e2e_api_status() {
  local method="$1" path="$2"
  shift 2
  curl -sS --max-time 60 -o "$E2E_TMP/last_body" -w '%{http_code}' -X "$method" "$@" \
    "$SALESFLOW_URL$path"
}

# --- assertions -------------------------------------------------------------------------

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" != "$3" ]; then
    e2e_fail "$1: expected '$2', got '$3'"
  fi
}

expect_contains() {
  case "$3" in
    *"$2"*) ;;
    *) e2e_fail "$1: expected to contain '$2', got '$3'" ;;
  esac
}

# --- manifest ---------------------------------------------------------------------------

# Totals of the manifest (whole run, or one file with FILE) as the stats API writes them:
# revenue|lines|units|orders|customers, in USD (the generator's default currency).
manifest_totals() {
  local manifest="$1" file="${2:-}"
  if [ -z "$file" ]; then
    jq -r '.totals.USD | "\(.revenue)|\(.lines)|\(.units)|\(.orders)|\(.customers)"' "$manifest"
  else
    jq -r --arg f "$file" '.files[] | select(.name == $f) | .totals.USD
      | "\(.revenue)|\(.lines)|\(.units)|\(.orders)|\(.customers)"' "$manifest"
  fi
}

# The same five figures from `salesflow stats --json` (optionally with extra args).
stats_totals() {
  local json
  json="$("$SALESFLOW_BIN" stats --json "$@")" || e2e_fail "salesflow stats failed"
  jq -r '.totals | "\(.revenue)|\(.lines)|\(.units)|\(.orders)|\(.customers)"' <<<"$json"
}

# Cents of a decimal string with exactly two places ("-12.30" -> -1230).
cents() {
  local v="$1" sign=""
  [ "${v#-}" != "$v" ] && sign="-" && v="${v#-}"
  [[ "$v" =~ ^[0-9]+\.[0-9]{2}$ ]] || e2e_fail "not a money string: '$1'"
  echo "${sign}$((10#${v%.*} * 100 + 10#${v#*.}))"
}

# Decimal string of cents (-1230 -> "-12.30").
money() {
  local c="$1" sign=""
  [ "$c" -lt 0 ] && sign="-" && c=$((-c))
  printf '%s%d.%02d' "$sign" $((c / 100)) $((c % 100))
}
