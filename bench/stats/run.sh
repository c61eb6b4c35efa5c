#!/usr/bin/env bash
# Stats at scale: loads ~10M lines through the real load path into a private MariaDB, then
# measures QueryStats (cached and uncached) against the naive GROUP BY for the three bar
# queries, and checks the answers are identical. Figures go to docs/stats.md.
#
#   bench/stats/run.sh [stats_bench options...]     e.g. --lines 1000000 --iterations 100
#
# SALESFLOW_BENCH_BUILD_DIR: where to build (default build/stats-release, Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SALESFLOW_BENCH_BUILD_DIR:-$root/build/stats-release}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSALESFLOW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target stats_bench -j2
exec "$root/scripts/with-services.sh" "$build/bench/stats/stats_bench" "$@"
