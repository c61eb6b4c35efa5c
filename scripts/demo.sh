#!/usr/bin/env bash
# `make demo`: the whole system on one machine with sample data. A private MariaDB and
# s3rver (scripts/with-services.sh), then `salesflow demo`: migrate, generate a month of
# sample reports into the S3 bucket, serve the API + dashboard with workers, process every
# pending report, print the stats. On a terminal it keeps serving until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
exec "$root/scripts/with-services.sh" bash -c '
  set -euo pipefail
  db_port="${SALESFLOW_TEST_DB##*:}"; db_port="${db_port%/}"
  export SALESFLOW_DB="mysql://root@127.0.0.1:${db_port}/salesflow_demo"
  export SALESFLOW_STORAGE="s3://${SALESFLOW_TEST_S3_BUCKET}"
  exec "$0" demo
' "$bin"
