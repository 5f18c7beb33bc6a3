#!/usr/bin/env bash
# Load benchmark, in one run on one generated file (BENCH_PERSONS persons): for each onshi binary
# given (e.g. this tree's and an older commit's), `onshi load registrations` on SQLite and on
# PostgreSQL, each into a fresh store, and on each backend the reference: the fastest a load of
# the same bytes into that database gets, which parses no dates, checks and hashes nothing and
# keeps no index:
#   SQLite      `sqlite3 .import` of the CSV into one plain table
#   PostgreSQL  `\copy ... FROM` (COPY over the client connection, as onshi's data travels) of
#               the CSV into one plain table of text columns named after the header
# Prints rows/s, peak resident size (/usr/bin/time -v; for PostgreSQL the client's, not the
# server's) and each load's rate as a ratio to its backend's reference.
# Usage: bash bench/load.sh [ONSHI ...]   (BENCH_PERSONS=1000000; BENCH_PG=0 skips PostgreSQL;
#        default binary: this tree's Release build, as bench/run.sh builds it).
# PostgreSQL runs on a throw-away cluster (scripts/pg-test-cluster.sh: fsync off, so the
# figures are the server's CPU work, not the disk's) stopped at the end; each load gets a fresh
# schema of it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
persons=${BENCH_PERSONS:-1000000}
with_pg=${BENCH_PG:-1}
binaries=("$@")
[ ${#binaries[@]} -eq 0 ] && binaries=("$(bench_build_onshi)")
work=$(mktemp -d /tmp/onshi-bench-load-XXXXXX)
pg=$work/pg
cleanup() {
  [ -d "$pg" ] && bash scripts/pg-test-cluster.sh stop "$pg" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

rows=$(bench_generate "${binaries[0]}" "$persons" "$work/gen")
csv=$work/gen/registrations.csv
bytes=$(stat -c %s "$csv")

# measure BACKEND NAME COMMAND...: runs COMMAND under /usr/bin/time -v and keeps one result line
# (backend, name, wall s, peak RSS KiB) for the table.
results=$work/results.txt
measure() {
  local backend=$1 name=$2
  shift 2
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
    cat "$work/err.txt" >&2
    return 1
  }
  python3 - "$work/time.txt" "$backend" "$name" >>"$results" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
wall = int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{wall}\t{rss}")
PY
}

for onshi in "${binaries[@]}"; do
  data="$work/data-$RANDOM"
  bench_reference_lists "$onshi" "$work/gen" "$data"
  measure sqlite "onshi load ($onshi)" "$onshi" load --data-dir "$data" registrations "$csv"
  rm -rf "$data"
done
measure sqlite "reference: sqlite3 .import into one plain table" sqlite3 "$work/import.db" \
  ".mode csv" ".import $csv registrations"
rm -f "$work/import.db"

if [ "$with_pg" != 0 ]; then
  bash scripts/pg-test-cluster.sh start "$pg" >/dev/null
  url=$(cat "$pg/url")
  # fresh_schema NAME: a new schema; prints the URL whose search_path is it.
  fresh_schema() {
    psql -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE SCHEMA $1" >/dev/null
    echo "$url?options=-csearch_path%3D$1"
  }
  n=0
  for onshi in "${binaries[@]}"; do
    data="$work/data-$RANDOM"
    n=$((n + 1))
    store=$(fresh_schema "load_$n")
    bench_reference_lists "$onshi" "$work/gen" "$data" "$store"
    measure postgresql "onshi load ($onshi)" "$onshi" load --data-dir "$data" --store "$store" \
      registrations "$csv"
    rm -rf "$data"
  done
  # One text column per header field, in the header's order: the table fits this CSV only.
  columns=$(head -1 "$csv" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')
  store=$(fresh_schema plain_copy)
  psql -X -q -v ON_ERROR_STOP=1 "$store" -c "CREATE TABLE registrations ($columns)"
  measure postgresql "reference: COPY into one plain table" psql -X -q -v ON_ERROR_STOP=1 \
    "$store" -c "\\copy registrations FROM '$csv' WITH (FORMAT csv, HEADER true)"
fi

echo "data: $persons persons, $rows registration rows, $bytes bytes; $(date -u +%FT%TZ)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$rows" <<'PY'
import sys
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
rows = int(sys.argv[2])
ref = {b: rows / float(w) for b, n, w, _ in lines if n.startswith("reference")}
print("| backend | what | wall s | rows/s | peak RSS MiB | ratio to reference |")
print("|---|---|---|---|---|---|")
for b, n, w, rss in lines:
    rate = rows / float(w)
    ratio = "1" if n.startswith("reference") else f"{rate / ref[b]:.2f}"
    print(f"| {b} | {n} | {float(w):.1f} | {int(rate):,} | {int(rss) / 1024:.0f} | {ratio} |")
PY
