#!/usr/bin/env bash
# Quick start, command 2: install what is needed, build and run every test.
#  1. formatting check (clang-format, the repo's .clang-format)
#  2. build with warnings as errors; all tests (unit, store contract, server over HTTP/TLS, and
#     the PostgreSQL backend against a throw-away cluster that ctest's pg_cluster fixture starts)
#  3. AddressSanitizer + UBSan build; all tests again (the differential test with fewer random
#     histories: ONSHI_ASAN_MODEL_HISTORIES, default 300; the normal build runs its 1,500)
#  4. ThreadSanitizer build of what the tests labelled tsan need (onshi, lib_tests, server_tests);
#     the index, access log, change follower and server tests (tests/CMakeLists.txt), the server
#     tests with the TSan-built `onshi serve`; any report of any process fails the stage
#  5. a short fuzzing pass over every parser (ONSHI_FUZZ_SECONDS per target, default 5; 0 skips)
# The wall time of each stage is printed at the end (also when a stage fails).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/install-deps.sh
jobs=$(nproc)

stage_names=()
stage_seconds=()
stage_name=""
stage_began=$SECONDS
end_stage() {
  if [ -n "$stage_name" ]; then
    stage_names+=("$stage_name")
    stage_seconds+=($((SECONDS - stage_began)))
    stage_name=""
  fi
}
stage() {
  end_stage
  stage_name=$1
  stage_began=$SECONDS
  echo "== $1"
}
print_stage_times() {
  end_stage
  echo "== wall time per stage (s)"
  for i in "${!stage_names[@]}"; do printf '%6d  %s\n' "${stage_seconds[$i]}" "${stage_names[$i]}"; done
  printf '%6d  total\n' "$SECONDS"
}
trap print_stage_times EXIT

stage "format check"
files=$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'fuzz/*.cpp' 2>/dev/null || true)
if [ -n "$files" ]; then clang-format --dry-run --Werror $files; fi

stage "build (warnings as errors)"
cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_WERROR=ON >/dev/null
cmake --build build-ci -j "$jobs"
stage "tests"
# The PostgreSQL tests must be there: a build that lost them would otherwise pass quietly.
pg_tests_in() { (cd "$1" && ctest -N -L postgresql | grep -Eq 'Total Tests: ([3-9]|[1-9][0-9]+)$'); }
pg_tests_in build-ci || { echo "no PostgreSQL tests in build-ci" >&2; exit 1; }
(cd build-ci && ctest --output-on-failure -j "$jobs" --timeout 300)

stage "AddressSanitizer + UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DONSHI_SANITIZE=address -DONSHI_WERROR=ON \
  >/dev/null
cmake --build build-asan -j "$jobs"
stage "tests under AddressSanitizer + UBSan"
pg_tests_in build-asan || { echo "no PostgreSQL tests in build-asan" >&2; exit 1; }
# The differential test runs the same code paths on every random history; under ASan (Debug,
# ~10x slower) 300 histories find what a memory error would break, the normal build's 1,500
# find the rule differences.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ONSHI_MODEL_HISTORIES="${ONSHI_ASAN_MODEL_HISTORIES:-300}" \
  ctest --output-on-failure -j "$jobs" --timeout 600)

stage "ThreadSanitizer build"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_SANITIZE=thread -DONSHI_WERROR=ON \
  >/dev/null
# Only what the tests labelled tsan run: the other test programs are not built here.
cmake --build build-tsan -j "$jobs" --target onshi lib_tests server_tests
stage "tests under ThreadSanitizer"
tsan_tests=$(cd build-tsan && ctest -N -L tsan | sed -n 's/^Total Tests: //p')
# A selection that lost its tests (a renamed suite, a build that lost a target) must not pass.
if [ "${tsan_tests:-0}" -lt 60 ]; then
  echo "only ${tsan_tests:-0} tests labelled tsan in build-tsan (expected the index, access log," \
    "change follower and server tests)" >&2
  exit 1
fi
# Reports go to files, one per process: the server tests' `onshi serve` children are often
# stopped with a signal or their exit status is not what the test checks, so a report of theirs
# would otherwise be lost. Any file there fails the stage; a test process with a report also
# exits 66 and fails itself.
reports="$root/build-tsan/tsan-reports"
rm -rf "$reports" && mkdir -p "$reports"
tsan_options="suppressions=$root/scripts/tsan.supp log_path=$reports/report exitcode=66"
tsan_options+=" second_deadlock_stack=1"
tsan_status=0
(cd build-tsan && TSAN_OPTIONS="$tsan_options" \
  ctest --output-on-failure -j "$jobs" --timeout 600 -L tsan) || tsan_status=$?
shopt -s nullglob
tsan_logs=("$reports"/report.*)
shopt -u nullglob
if [ "${#tsan_logs[@]}" -ne 0 ]; then
  for r in "${tsan_logs[@]}"; do
    echo "---- $r"
    cat "$r"
  done
  echo "ThreadSanitizer reported in ${#tsan_logs[@]} process(es): see above" >&2
  exit 1
fi
[ "$tsan_status" = 0 ] || exit "$tsan_status"

if [ "${ONSHI_FUZZ_SECONDS:-5}" != 0 ] && [ -x fuzz/run.sh ]; then
  stage "fuzzing (${ONSHI_FUZZ_SECONDS:-5} s per target)"
  bash fuzz/run.sh "${ONSHI_FUZZ_SECONDS:-5}"
fi
end_stage
echo "== all tests passed"
