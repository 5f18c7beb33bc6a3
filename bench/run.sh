#!/usr/bin/env bash
# Benchmarks of issue 2, in one run on this machine:
#  1. load speed: `onshi load registrations` of the synthetic file for BENCH_PERSONS persons
#  2. memory: resident size of `onshi serve` with that database loaded
#  3. confirmation throughput over HTTP keep-alive with wrk (64 connections, random existing and
#     non-existing keys), and in the same run nginx serving a static JSON file of the same size
#  4. latency at half that peak rate, paced open-loop (bench/paced_load.cpp, 32 connections)
# Usage: bash bench/run.sh        (BENCH_PERSONS=1000000 BENCH_SECONDS=15 BENCH_THREADS=1)
# Prints the figures and writes them to bench/out/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ONSHI_BENCH_DEPS=1 bash scripts/install-deps.sh
persons=${BENCH_PERSONS:-1000000}
seconds=${BENCH_SECONDS:-15}
threads=${BENCH_THREADS:-1}
out=bench/out
mkdir -p "$out"
. bench/lib.sh
onshi=$(bench_build_onshi)
work=$(mktemp -d /tmp/onshi-bench-XXXXXX)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating $persons persons"
rows=$(bench_generate "$onshi" "$persons" "$work/gen")
bench_reference_lists "$onshi" "$work/gen" "$work/data"

echo "== load: $rows registration rows"
start=$(date +%s.%N)
"$onshi" load --data-dir "$work/data" registrations "$work/gen/registrations.csv"
end=$(date +%s.%N)
load_seconds=$(python3 -c "print(f'{$end - $start:.2f}')")
load_rate=$(python3 -c "print(int($rows / ($end - $start)))")

facility=$(sed -n 2p "$work/gen/facilities.csv" | cut -d, -f1)
token=$("$onshi" credential issue --data-dir "$work/data" --role facility --subject "$facility" --label bench)

echo "== serve"
bench_serve serve "$work/data" --threads "$threads"
port=$serve_port
rss_start_kb=$(ps -o rss= -p "$serve_pid" | tr -d ' ')

bench_confirm_requests "$work/gen/registrations.csv" "$token" "$work/confirm.lua" "$work/first.json"
# One real answer for an existing key: the size nginx will serve.
curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d @"$work/first.json" \
  "http://127.0.0.1:$port/v1/eligibility/confirm" >"$work/answer.json"
answer_bytes=$(wc -c <"$work/answer.json")

mkdir -p "$work/www"
cp "$work/answer.json" "$work/www/answer.json"
cat >"$work/nginx.conf" <<NGINX
worker_processes $threads;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  default_type application/json;
  server {
    listen 127.0.0.1:0;
    root $work/www;
  }
}
NGINX
nginx_port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$nginx_port;/" "$work/nginx.conf"
nginx -c "$work/nginx.conf"
sleep 0.5

run_wrk() { bench_wrk "$work/wrk-$1.txt" "$2" "${3:-}" "$seconds"; }

echo "== wrk: nginx static file ($answer_bytes bytes), then onshi, then both again"
warm=$(run_wrk warm "http://127.0.0.1:$port" "$work/confirm.lua")
read -r n1 n1p50 n1p99 _ <<<"$(run_wrk nginx1 "http://127.0.0.1:$nginx_port/answer.json")"
read -r o1 o1p50 o1p99 o1bad <<<"$(run_wrk onshi1 "http://127.0.0.1:$port" "$work/confirm.lua")"
read -r n2 n2p50 n2p99 _ <<<"$(run_wrk nginx2 "http://127.0.0.1:$nginx_port/answer.json")"
read -r o2 o2p50 o2p99 o2bad <<<"$(run_wrk onshi2 "http://127.0.0.1:$port" "$work/confirm.lua")"
# Latency at half the peak rate, paced (open loop), after the peak runs.
half=$(python3 -c "print(int(($o1 + $o2) / 4))")
read -r pr pp50 pp99 pp999 pbad <<<"$(bench_paced "$work/confirm.lua.bodies" "$port" "$token" "$half" "$seconds")"
rss_end_kb=$(ps -o rss= -p "$serve_pid" | tr -d ' ')
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^onshi_confirmations_total' >"$work/confirmations.txt"

python3 - <<PY | tee "$out/results.md"
n = ($n1 + $n2) / 2
o = ($o1 + $o2) / 2
print("## onshi benchmark")
print()
print("machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)")
print("data: $persons persons, $rows registration rows; onshi threads: $threads, nginx workers: $threads, wrk -t1 -c64 -d${seconds}s")
print()
print("| figure | value | target |")
print("|---|---|---|")
print(f"| load: onshi load registrations | $rows rows in ${load_seconds} s = {int($load_rate):,} rows/s | >= 200,000 rows/s |")
print(f"| memory: RSS of onshi serve after start | {$rss_start_kb/1024:.0f} MiB | <= 400 MB |")
print(f"| memory: RSS after the wrk runs | {$rss_end_kb/1024:.0f} MiB | |")
print(f"| nginx static JSON ($answer_bytes bytes), req/s | {n:,.0f} (runs: {$n1:,.0f}, {$n2:,.0f}); p50 $n1p50 ms, p99 $n1p99 ms | reference |")
print(f"| onshi confirm, req/s | {o:,.0f} (runs: {$o1:,.0f}, {$o2:,.0f}); p50 $o1p50 / $o2p50 ms, p99 $o1p99 / $o2p99 ms | |")
print(f"| ratio onshi / nginx | {o / n:.2f} | >= 0.7 |")
print(f"| onshi at half the peak, paced ({$half:,} req/s asked, {$pr:,.0f} answered) | p50 $pp50 ms, p99 $pp99 ms, p99.9 $pp999 ms | p99 <= 2 ms |")
print(f"| non-2xx answers from onshi | {$o1bad + $o2bad + $pbad} | 0 |")
PY
echo
echo "confirmations by result during the run:"
cat "$work/confirmations.txt"
