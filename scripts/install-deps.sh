#!/usr/bin/env bash
# Installs what salesflow needs to build and test on Debian 12: apt packages when root
# (otherwise prints the one sudo line and stops), and the npm test tools into test-tools/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

packages=(
  g++ cmake make pkg-config git python3
  libcpp-httplib-dev libmariadb-dev libssl-dev zlib1g-dev libpugixml-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libroaring-dev libjs-chart.js
  clang libclang-rt-14-dev
  mariadb-server mariadb-client awscli wrk curl jq
  python3-pandas python3-sqlalchemy python3-pymysql
)
if [ "${SALESFLOW_WITH_BROWSER:-1}" = 1 ]; then packages+=(chromium); fi
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "salesflow needs Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the packaged mariadb service from starting: tests run their own.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm test tools (s3rver, csv-spectrum, playwright-core), pinned by package-lock.json.
lock="$root/test-tools/package-lock.json"
stamp="$root/test-tools/node_modules/.installed-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  (cd "$root/test-tools" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
fi
