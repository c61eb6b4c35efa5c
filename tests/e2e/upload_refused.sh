#!/usr/bin/env bash
# An upload the server refuses from its headers (a key with `..`, a body over the size limit,
# a role that may not upload) ends `salesflow upload` with exit code 1 and a one-line reason,
# never with a signal, even when the server answers before reading a large body
# (docs/cli.md: "When a server refuses from the headers and closes ...").
source "$(dirname "$0")/lib.sh"
e2e_init "$1" upload_refused

keys_file="$E2E_TMP/keys.jsonl"
viewer="$("$SALESFLOW_BIN" keys add e2e-viewer --role viewer --file "$keys_file" 2>/dev/null)"
admin="$("$SALESFLOW_BIN" keys add e2e-admin --role admin --file "$keys_file" 2>/dev/null)"
e2e_start_server serve --workers 0 --max-upload-bytes 1000000 --api-keys-file "$keys_file"
# 20 MB: far more than the socket buffers hold, so the client is still writing the body when
# the server answers and closes.
awk 'BEGIN { print "order_id,order_date,sku,quantity,unit_price"
             for (i = 0; i < 1000000; i++) print "X" i ",2026-05-04,S,1,1.00" }' >"$E2E_TMP/big.csv"

# upload API-KEY ARGS...: runs salesflow upload; the exit code must be a failure the CLI
# chose (docs/cli.md: 1 refused, 2 usage, 3 unreachable), not death by a signal (>= 128),
# with one line `salesflow: <reason>` on stderr. Sets $message.
upload_fails() {
  local key="$1" rc=0
  shift
  SALESFLOW_API_KEY="$key" "$SALESFLOW_BIN" upload "$@" >/dev/null 2>"$E2E_TMP/upload.err" || rc=$?
  message="$(cat "$E2E_TMP/upload.err")"
  [ "$rc" -ge 1 ] && [ "$rc" -le 3 ] ||
    e2e_fail "salesflow upload $* exited $rc (stderr: '$message'), expected 1..3"
  expect_eq "lines on stderr of salesflow upload $*" 1 "$(wc -l <"$E2E_TMP/upload.err")"
  expect_contains "stderr of salesflow upload $*" "salesflow: " "$message"
}
e2e_log "a key with a '..' segment: the reason names it"
upload_fails "$admin" "$E2E_TMP/big.csv" --key ../escape.csv
expect_contains "reason for ../escape.csv" "'..'" "$message"
e2e_log "over the size limit: the reason names the limit"
upload_fails "$admin" "$E2E_TMP/big.csv" --key big.csv
[[ "$message" =~ 413|SALESFLOW_MAX_UPLOAD_BYTES ]] || e2e_fail "reason for a big upload: '$message'"
e2e_log "a viewer's upload"
upload_fails "$viewer" "$E2E_TMP/big.csv" --key big.csv
e2e_alive "$E2E_SERVER_PID" || e2e_fail "the server died"
expect_eq "objects written" "" "$(e2e_aws s3 ls --recursive "$(e2e_s3_url '')" || true)"
echo "PASS upload_refused"
