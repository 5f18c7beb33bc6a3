#!/usr/bin/env bash
# Quick start, command 2: install what is needed, build and run every test.
#  1. formatting check (clang-format, the repo's .clang-format)
#  2. build with warnings as errors; all tests (unit, store contract, server over HTTP/TLS, and
#     the PostgreSQL backend against a throw-away cluster that ctest's pg_cluster fixture starts)
#  3. AddressSanitizer + UBSan build; all tests again
#  4. a short fuzzing pass over every parser (ONSHI_FUZZ_SECONDS per target, default 5; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== format check"
files=$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'fuzz/*.cpp' 2>/dev/null || true)
if [ -n "$files" ]; then clang-format --dry-run --Werror $files; fi

echo "== build (warnings as errors)"
cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONSHI_WERROR=ON >/dev/null
cmake --build build-ci -j "$jobs"
echo "== tests"
# The PostgreSQL tests must be there: a build that lost them would otherwise pass quietly.
pg_tests_in() { (cd "$1" && ctest -N -L postgresql | grep -Eq 'Total Tests: ([3-9]|[1-9][0-9]+)$'); }
pg_tests_in build-ci || { echo "no PostgreSQL tests in build-ci" >&2; exit 1; }
(cd build-ci && ctest --output-on-failure -j "$jobs" --timeout 300)

echo "== AddressSanitizer + UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DONSHI_SANITIZE=ON -DONSHI_WERROR=ON \
  >/dev/null
cmake --build build-asan -j "$jobs"
echo "== tests under sanitizers"
pg_tests_in build-asan || { echo "no PostgreSQL tests in build-asan" >&2; exit 1; }
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" --timeout 600)

if [ "${ONSHI_FUZZ_SECONDS:-5}" != 0 ] && [ -x fuzz/run.sh ]; then
  echo "== fuzzing (${ONSHI_FUZZ_SECONDS:-5} s per target)"
  bash fuzz/run.sh "${ONSHI_FUZZ_SECONDS:-5}"
fi
echo "== all tests passed"
