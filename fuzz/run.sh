#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each one for a while, starting
# from a copy of its seed corpus (so that runs never grow the corpus in the tree).
#
#   fuzz/run.sh [seconds-per-target]      (default 30)
#
# Environment: ONSHI_FUZZ_JOBS (build parallelism, default 2), ONSHI_FUZZ_TARGETS (space
# separated names, default every fuzz/fuzz_*.cpp). Crash inputs are kept in
# build-fuzz/fuzz-artifacts/<target>/. Exits non-zero when any target fails.
set -euo pipefail

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
jobs="${ONSHI_FUZZ_JOBS:-2}"

if [ -n "${ONSHI_FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$ONSHI_FUZZ_TARGETS"
else
  targets=()
  for source in "$root"/fuzz/fuzz_*.cpp; do
    [ -e "$source" ] || continue
    targets+=("$(basename "$source" .cpp)")
  done
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 2
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DONSHI_FUZZ=ON -DONSHI_TESTS=OFF -DONSHI_BENCH=OFF >/dev/null
cmake --build "$build" --parallel "$jobs" --target "${targets[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/onshi-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failed=()
for target in "${targets[@]}"; do
  corpus="$work/$target"
  artifacts="$build/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$root/fuzz/corpus/$target" ]; then
    cp -R "$root/fuzz/corpus/$target/." "$corpus/"
  fi
  echo "== $target: ${seconds}s"
  log="$work/$target.log"
  # -timeout catches hangs (an input that makes a parser loop), -rss_limit_mb runaway memory.
  if "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  else
    echo "!! $target FAILED; last lines of its log:"
    tail -n 40 "$log"
    echo "!! crash inputs in $artifacts"
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} fuzz targets ran ${seconds}s without a crash"
