#!/usr/bin/env bash
# Load benchmark: `onshi load registrations` of the synthetic file for BENCH_PERSONS persons,
# rows/s and peak resident size (/usr/bin/time -v), for each onshi binary given (e.g. this
# tree's and an older commit's, in one run on one machine), then `sqlite3 .import` of the same
# CSV into one plain table as the reference: the fastest a load of these bytes into SQLite gets.
# Usage: bash bench/load.sh [ONSHI ...]    (BENCH_PERSONS=1000000; default: this tree's Release
#        build, as bench/run.sh builds it). Each binary loads into a fresh data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
persons=${BENCH_PERSONS:-1000000}
binaries=("$@")
[ ${#binaries[@]} -eq 0 ] && binaries=("$(bench_build_onshi)")
work=$(mktemp -d /tmp/onshi-bench-load-XXXXXX)
trap 'rm -rf "$work"' EXIT

rows=$(bench_generate "${binaries[0]}" "$persons" "$work/gen")
bytes=$(stat -c %s "$work/gen/registrations.csv")
echo "data: $persons persons, $rows registration rows, $bytes bytes; $(date -u +%FT%TZ)"
echo "| what | wall s | rows/s | peak RSS MiB |"
echo "|---|---|---|---|"

# measure NAME COMMAND...: one line of the table from /usr/bin/time -v.
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
    cat "$work/err.txt" >&2
    return 1
  }
  python3 - "$work/time.txt" "$rows" "$name" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rows, name = int(sys.argv[2]), sys.argv[3]
w = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
wall = int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"| {name} | {wall:.1f} | {int(rows / wall):,} | {rss / 1024:.0f} |")
PY
}

for onshi in "${binaries[@]}"; do
  data="$work/data-$(basename "$(dirname "$onshi")")-$RANDOM"
  bench_reference_lists "$onshi" "$work/gen" "$data"
  measure "onshi load ($onshi)" "$onshi" load --data-dir "$data" registrations \
    "$work/gen/registrations.csv"
  rm -rf "$data"
done
measure "sqlite3 .import (one plain table)" sqlite3 "$work/import.db" \
  ".mode csv" ".import $work/gen/registrations.csv registrations"
