#!/usr/bin/env bash
# Runs a command with a private MariaDB and a private s3rver on free loopback ports, and
# stops both when the command ends, fails or is interrupted. Never touches a server that
# is already running on the machine.
#
#   scripts/with-services.sh ctest --preset release
#
# The command sees:
#   SALESFLOW_TEST_DB               mysql://root@127.0.0.1:PORT/  (tests create their own database)
#   SALESFLOW_TEST_DB_SOCKET        the server's unix socket
#   SALESFLOW_TEST_MARIADB_CTL      a script: `$SALESFLOW_TEST_MARIADB_CTL stop|start` (outage tests)
#   AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION   for s3rver
#   SALESFLOW_TEST_S3_BUCKET        a bucket that exists ("reports")
# Optional: SALESFLOW_TEST_MARIADB_BUFFER_POOL (default 512M), the server's InnoDB buffer
# pool, e.g. 4G for a 5M-line load benchmark whose tables would not fit in 512M.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/salesflow-services.XXXXXX")"
mariadb_pid=""
s3rver_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -f "$work/mariadb.pid" ]; then timeout 60 "$work/mariadb-ctl" stop 2>/dev/null || true; fi
  [ -n "$s3rver_pid" ] && kill "$s3rver_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Polls `check` until it succeeds or `seconds` pass: readiness, not a fixed sleep.
wait_until() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "with-services: $what did not start in ${seconds}s" >&2; return 1; fi
    sleep 0.1
  done
}

# --- MariaDB --------------------------------------------------------------------------
db_port="$(free_port)"
db_socket="$work/mariadb.sock"
db_user_args=()
[ "$(id -u)" -eq 0 ] && db_user_args=(--user=root)
# A private tmpdir: every mariadbd deletes all #sql* files in its tmpdir when it starts, so
# servers sharing /tmp would destroy each other's internal temporary tables.
mkdir -p "$work/tmp"
mariadb-install-db --no-defaults --datadir="$work/mariadb" "${db_user_args[@]}" --tmpdir="$work/tmp" \
  --auth-root-authentication-method=normal --skip-test-db >"$work/mariadb-install.log" 2>&1 ||
  { cat "$work/mariadb-install.log" >&2; exit 1; }
cat >"$work/mariadb-ctl" <<CTL
#!/usr/bin/env bash
# stop|start the private MariaDB of this test run (same datadir, port and socket).
set -euo pipefail
case "\$1" in
  stop)
    kill "\$(cat $work/mariadb.pid)"
    while [ -e "$work/mariadb.pid" ]; do sleep 0.05; done ;;
  start)
    mariadbd --no-defaults --datadir="$work/mariadb" ${db_user_args[*]} --port=$db_port \
      --bind-address=127.0.0.1 --socket="$db_socket" --local-infile=1 --tmpdir="$work/tmp" \
      --pid-file="$work/mariadb.pid" --max-connections=500 --innodb-buffer-pool-size="${SALESFLOW_TEST_MARIADB_BUFFER_POOL:-512M}" \
      --innodb-flush-log-at-trx-commit=2 --log-error="$work/mariadb.err" >>"$work/mariadb.out" 2>&1 &
    for _ in \$(seq 300); do
      mariadb-admin --no-defaults --socket="$db_socket" -uroot ping >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "mariadb did not start" >&2; exit 1 ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
chmod +x "$work/mariadb-ctl"
"$work/mariadb-ctl" start || { cat "$work/mariadb.err" >&2; exit 1; }
# Anonymous users shadow 'user'@'%' logins (TOOLCHAIN.md): drop them.
mariadb --no-defaults --socket="$db_socket" -uroot -e \
  "DELETE FROM mysql.global_priv WHERE User=''; FLUSH PRIVILEGES;"

# --- s3rver ---------------------------------------------------------------------------
s3_port="$(free_port)"
mkdir -p "$work/s3"
NODE_OPTIONS=--openssl-legacy-provider "$root/test-tools/node_modules/.bin/s3rver" \
  -d "$work/s3" -a 127.0.0.1 -p "$s3_port" --silent --configure-bucket reports \
  >"$work/s3rver.log" 2>&1 &
s3rver_pid=$!
wait_until "s3rver" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$s3_port" ||
  { cat "$work/s3rver.log" >&2; exit 1; }

export SALESFLOW_TEST_DB="mysql://root@127.0.0.1:$db_port/"
export SALESFLOW_TEST_DB_SOCKET="$db_socket"
export SALESFLOW_TEST_MARIADB_CTL="$work/mariadb-ctl"
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$s3_port"
export AWS_ACCESS_KEY_ID=S3RVER
export AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
export SALESFLOW_TEST_S3_BUCKET=reports
echo "with-services: MariaDB on 127.0.0.1:$db_port, s3rver on 127.0.0.1:$s3_port"

set +e
"$@"
rc=$?
set -e
exit $rc
