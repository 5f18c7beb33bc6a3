#!/usr/bin/env bash
# Resident memory per person and start-up index build time of `onshi serve` (issue 7, point 5).
# Generates BENCH_PERSONS persons, loads them with the first binary, then starts `onshi serve`
# with each binary in turn (BENCH_ROUNDS times, interleaved, so that a busy machine hurts both
# alike), reads VmRSS from /proc once the server listens, and prints bytes per person and the
# index build seconds per million coverages from the server's start line.
#
# Usage: bash bench/index_memory.sh [ONSHI ...]   (default: this tree's Release build)
#   BENCH_PERSONS=1000000  BENCH_ROUNDS=2
#   BENCH_DATA=DIR         reuse a data directory already loaded with BENCH_PERSONS persons
#   BENCH_STORE=URL        build from this store (postgresql://...) instead of the SQLite file
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
persons=${BENCH_PERSONS:-1000000}
rounds=${BENCH_ROUNDS:-2}
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$(bench_build_onshi)")
onshi=${binaries[0]}

work=$(mktemp -d /tmp/onshi-index-memory-XXXXXX)
cleanup() {
  [ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

store=()
[ -n "${BENCH_STORE:-}" ] && store=(--store "$BENCH_STORE")
data=${BENCH_DATA:-}
if [ -z "$data" ]; then
  data=$work/data
  rows=$(bench_generate "$onshi" "$persons" "$work/gen")
  bench_reference_lists "$onshi" "$work/gen" "$data" "${BENCH_STORE:-}"
  echo "loading $rows registration rows for $persons persons ..." >&2
  "$onshi" load --data-dir "$data" "${store[@]}" registrations "$work/gen/registrations.csv" >/dev/null
fi

echo "| binary | round | coverages | build s | build s per M coverages | start CPU s | VmRSS MiB | bytes/person | index MiB (own estimate) |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  for bin in "${binaries[@]}"; do
    onshi=$bin
    bench_serve srv "$data" "${store[@]}"
    rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$srv_pid/status")
    # CPU seconds of the whole start (user + system, every thread): steadier than wall time
    # on a shared machine.
    cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$srv_pid/stat")
    kill "$srv_pid"
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=
    python3 - "$data/serve.log" "$rss_kib" "$persons" "$bin" "$round" "$cpu_s" <<'PY'
import re, sys
log, rss_kib, persons, binary, rnd, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6])
m = re.search(r"\((\d+) coverages indexed in ([\d.e+-]+) s, index (\d+) MiB", open(log).read())
cov, secs, mib = int(m.group(1)), float(m.group(2)), int(m.group(3))
print(f"| {binary} | {rnd} | {cov:,} | {secs:.2f} | {secs / cov * 1e6:.2f} | {cpu:.2f} | {rss_kib / 1024:.0f} | "
      f"{rss_kib * 1024 / persons:.0f} | {mib} |")
PY
  done
done
