#!/usr/bin/env bash
# `onshi audit verify` over many journal records (default 10,000,000), with a reference measured
# in the same run: sha256sum over the same records' bytes (the journal lines), i.e. the hashing
# alone, with no store to read and nothing to check.
#
# usage: bash bench/journal.sh [RECORDS] [postgresql://URL]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
records=${1:-10000000}
store_url=${2:-}
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DONSHI_TESTS=OFF \
  -DONSHI_BENCH_TOOLS=ON >/dev/null
cmake --build build-bench --target onshi onshi_journal_gen >/dev/null
onshi=$PWD/build-bench/onshi
work=$(mktemp -d /tmp/onshi-bench-journal-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/data"
target=${store_url:-$work/data}

t0=$(date +%s.%N)
build-bench/onshi_journal_gen "$target" "$records" "$work/lines"
t1=$(date +%s.%N)
echo "generated $records records into ${store_url:+PostgreSQL}${store_url:-SQLite} in $(echo "$t1 - $t0" | bc) s" \
  "($(du -h "$work/lines" | cut -f1) of journal lines)"

store_args=(--data-dir "$work/data")
[ -n "$store_url" ] && store_args+=(--store "$store_url")
sync; cat "$work/lines" >/dev/null  # both runs read from the page cache
"$onshi" audit verify "${store_args[@]}"
t2=$(date +%s.%N)
sha256sum "$work/lines" >/dev/null
t3=$(date +%s.%N)
echo "reference: sha256sum over the same $(stat -c %s "$work/lines") bytes: $(echo "$t3 - $t2" | bc) s" \
  "= $(echo "$records / ($t3 - $t2)" | bc) records/s"
