#!/usr/bin/env bash
# Database outage with a running server: stop the (shared) MariaDB -> /readyz and the stats
# API answer 503 with the JSON error body and the server stays up; start it again -> /readyz
# is 200 again within a bounded time and a process request succeeds.
# Registered RUN_SERIAL: stopping MariaDB would break every test running beside it. The EXIT
# trap restarts MariaDB even when an assertion fails.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" outage

db_stopped=0
restart_db() {
  if [ "$db_stopped" = 1 ]; then
    "$SALESFLOW_TEST_MARIADB_CTL" start && db_stopped=0
  fi
}
E2E_CLEANUP_HOOKS+=(restart_db)

sf generate --days 2 --rows-per-day 1000 --dirty-rate 0 --seed 3 --out "$E2E_TMP/gen"
manifest="$E2E_TMP/gen/manifest.json"
mapfile -t files < <(jq -r '.files[].name' "$manifest")
e2e_start_server serve --workers 1
sf upload "$E2E_TMP/gen/${files[0]}" "$E2E_TMP/gen/${files[1]}"
sf process "${files[0]}" --wait
expect_eq "readyz before the outage" 200 "$(e2e_api_status GET /readyz)"
expect_eq "totals before the outage" "$(manifest_totals "$manifest" "${files[0]}")" "$(stats_totals)"

e2e_log "stopping MariaDB"
db_stopped=1
"$SALESFLOW_TEST_MARIADB_CTL" stop
expect_eq "readyz during the outage" 503 "$(e2e_api_status GET /readyz)"
expect_eq "readyz error code" unavailable "$(jq -r .error.code "$E2E_TMP/last_body")"
expect_contains "readyz names the database" database "$(jq -r .error.message "$E2E_TMP/last_body")"
expect_eq "stats during the outage" 503 "$(e2e_api_status GET /api/stats)"
expect_eq "stats error code" unavailable "$(jq -r .error.code "$E2E_TMP/last_body")"
[ -n "$(jq -r '.error.message // empty' "$E2E_TMP/last_body")" ] || e2e_fail "503 without a message"
expect_eq "liveness during the outage" 200 "$(e2e_api_status GET /healthz)"
rc=0
"$SALESFLOW_BIN" stats >/dev/null 2>"$E2E_TMP/cli.err" || rc=$?
expect_eq "client exit code for 503 (retrying may help)" 3 "$rc"
e2e_alive "$E2E_SERVER_PID" || e2e_fail "the server died during the outage"

e2e_log "starting MariaDB"
"$SALESFLOW_TEST_MARIADB_CTL" start
db_stopped=0
readyz_200() { [ "$(e2e_api_status GET /readyz)" = 200 ]; }
e2e_wait_for 30 "readyz 200 after MariaDB is back" readyz_200
e2e_alive "$E2E_SERVER_PID" || e2e_fail "the server died after the outage"

out="$("$SALESFLOW_BIN" process "${files[1]}" --wait --json)" || e2e_fail "process after the outage failed"
expect_eq "job after the outage" "succeeded|loaded" \
  "$(jq -r '.jobs[0] | "\(.status)|\(.outcome)"' <<<"$out")"
expect_eq "totals after the outage" "$(manifest_totals "$manifest")" "$(stats_totals)"
echo "PASS outage"
