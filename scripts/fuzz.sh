#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (core + reader sources only, clang++ with
# -fsanitize=fuzzer,address,undefined) into build/fuzz and runs each one.
#   scripts/fuzz.sh smoke   ~20 s per target (make test)
#   scripts/fuzz.sh long    10 min per target (make fuzz); FUZZ_SECONDS overrides either
# Exits non-zero on a finding; the crashing input is left in build/fuzz/artifacts/.
# Seeds are read from fuzz/corpus/<target>/ (never written); new inputs go to
# build/fuzz/corpus/<target>/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-smoke}"
case "$mode" in
  smoke) seconds="${FUZZ_SECONDS:-20}" ;;
  long) seconds="${FUZZ_SECONDS:-600}" ;;
  *) echo "usage: $0 smoke|long" >&2; exit 2 ;;
esac

cxx="${FUZZ_CXX:-clang++}"
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found; run scripts/install-deps.sh (clang, libclang-rt-14-dev)" >&2
  exit 1
fi
out="$root/build/fuzz"
mkdir -p "$out/obj" "$out/artifacts"

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root/src"
       -fsanitize=address,undefined -fno-sanitize-recover=undefined)
sources=("$root"/src/core/{status,money,date}.cpp "$root"/src/reader/*.cpp)

# Compile the library sources once (incrementally: only what changed).
objects=()
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "$(dirname "$src")")_$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$root/src/core" "$root/src/reader" -name '*.h' -newer "$obj" -print -quit)" ]; then
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
  objects+=("$obj")
done

targets=()
for src in "$root"/fuzz/fuzz_*.cpp; do
  name="$(basename "${src%.cpp}")"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$src" "${objects[@]}" -lz -o "$out/$name"
  targets+=("$name")
done

status=0
for name in "${targets[@]}"; do
  mkdir -p "$out/corpus/$name"
  echo "fuzz.sh: $name for ${seconds}s"
  if ! "$out/$name" "$out/corpus/$name" "$root/fuzz/corpus/$name" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
      >"$out/$name.log" 2>&1; then
    echo "fuzz.sh: FINDING in $name (see $out/$name.log and $out/artifacts/)" >&2
    tail -40 "$out/$name.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$name.log" | tr '\n' ' '
    echo
  fi
done
[ "$status" -eq 0 ] && echo "fuzz.sh: ${#targets[@]} targets, no findings"
exit "$status"
