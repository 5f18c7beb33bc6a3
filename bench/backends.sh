#!/usr/bin/env bash
# Backends and nodes (issue 6), in one run on this machine, on one generated population:
#  1. confirmations/s of one node on PostgreSQL vs the same node on SQLite (target >= 0.95: the
#     index answers, the store only takes the access records), runs alternated A B A B;
#  2. two nodes on one PostgreSQL behind HAProxy vs one node behind the same HAProxy;
#  3. write-to-visible delay between two nodes: a registration POSTed to node A, polled on
#     node B until it answers (from A's answer to B's first valid answer; p50/p99);
#  4. PostgreSQL bytes per coverage (the coverages table with its indexes).
# PostgreSQL is a throw-away cluster (scripts/pg-test-cluster.sh: fsync off -- what is measured
# here is the hot path, which does not wait on the store's fsync but on the access log's group
# commit, and that one does wait, on both backends).
# Usage: bash bench/backends.sh   (BENCH_PERSONS=1000000 BENCH_SECONDS=10 BENCH_ROUNDS=100)
set -euo pipefail
cd "$(dirname "$0")/.."
ONSHI_BENCH_DEPS=1 ONSHI_CLUSTER_DEPS=1 bash scripts/install-deps.sh >/dev/null
persons=${BENCH_PERSONS:-1000000}
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-100}
. bench/lib.sh
onshi=$(bench_build_onshi)
work=$(mktemp -d /tmp/onshi-bench-backends-XXXXXX)
cleanup() {
  for p in ${sq_pid:-} ${pg1_pid:-} ${pg2_pid:-}; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  bash scripts/pg-test-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== $persons persons; PostgreSQL cluster"
rows=$(bench_generate "$onshi" "$persons" "$work/gen")
bash scripts/pg-test-cluster.sh start "$work/pg" >/dev/null
url=$(cat "$work/pg/url")
facility=$(sed -n 2p "$work/gen/facilities.csv" | cut -d, -f1)
insurer=$(sed -n 2p "$work/gen/insurers.csv" | cut -d, -f1)

echo "== loading the same file into SQLite and PostgreSQL"
mkdir -m 700 "$work/sq" "$work/pg1" "$work/pg2"
bench_reference_lists "$onshi" "$work/gen" "$work/sq"
"$onshi" load --data-dir "$work/sq" registrations "$work/gen/registrations.csv" >/dev/null
ONSHI_STORE=$url bench_reference_lists "$onshi" "$work/gen" "$work/pg1"
ONSHI_STORE=$url "$onshi" load --data-dir "$work/pg1" registrations \
  "$work/gen/registrations.csv" >/dev/null
cp -p "$work/pg1/person-key.secret" "$work/pg2/person-key.secret"  # one secret per system
sq_token=$("$onshi" credential issue --data-dir "$work/sq" --role facility --subject "$facility" \
  --label bench)
pg_token=$(ONSHI_STORE=$url "$onshi" credential issue --data-dir "$work/pg1" --role facility \
  --subject "$facility" --label bench)
insurer_token=$(ONSHI_STORE=$url "$onshi" credential issue --data-dir "$work/pg1" \
  --role insurer --subject "$insurer" --label bench-insurer)
bench_confirm_requests "$work/gen/registrations.csv" "$sq_token" "$work/sq.lua" "$work/first.json"
bench_confirm_requests "$work/gen/registrations.csv" "$pg_token" "$work/pg.lua" "$work/first.json"

echo "== nodes: one on SQLite, two on PostgreSQL (1 I/O thread each)"
bench_serve sq "$work/sq" --threads 1
ONSHI_STORE=$url bench_serve pg1 "$work/pg1" --threads 1 --node-id pg1
ONSHI_STORE=$url bench_serve pg2 "$work/pg2" --threads 1 --node-id pg2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
one_port=$(free_port)
two_port=$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
  pidfile $work/haproxy.pid
  maxconn 4096
  nbthread 1
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend one
  bind 127.0.0.1:$one_port
  default_backend one
frontend two
  bind 127.0.0.1:$two_port
  default_backend two
backend one
  server n1 127.0.0.1:$pg1_port
backend two
  balance roundrobin
  server n1 127.0.0.1:$pg1_port
  server n2 127.0.0.1:$pg2_port
CFG
haproxy -D -f "$work/haproxy.cfg"
sleep 0.5

run() { bench_wrk "$work/wrk-$1.txt" "$2" "$3" "$seconds"; }
echo "== wrk: SQLite node, PostgreSQL node, twice each; then HAProxy to one node and to two"
run warm-sq "http://127.0.0.1:$sq_port" "$work/sq.lua" >/dev/null
run warm-pg "http://127.0.0.1:$pg1_port" "$work/pg.lua" >/dev/null
read -r s1 s1p50 s1p99 s1bad <<<"$(run sq1 "http://127.0.0.1:$sq_port" "$work/sq.lua")"
read -r p1 p1p50 p1p99 p1bad <<<"$(run pg1 "http://127.0.0.1:$pg1_port" "$work/pg.lua")"
read -r s2 s2p50 s2p99 s2bad <<<"$(run sq2 "http://127.0.0.1:$sq_port" "$work/sq.lua")"
read -r p2 p2p50 p2p99 p2bad <<<"$(run pg2 "http://127.0.0.1:$pg1_port" "$work/pg.lua")"
read -r h1 h1p50 h1p99 h1bad <<<"$(run one1 "http://127.0.0.1:$one_port" "$work/pg.lua")"
read -r h2 h2p50 h2p99 h2bad <<<"$(run two1 "http://127.0.0.1:$two_port" "$work/pg.lua")"
read -r h3 h3p50 h3p99 h3bad <<<"$(run one2 "http://127.0.0.1:$one_port" "$work/pg.lua")"
read -r h4 h4p50 h4p99 h4bad <<<"$(run two2 "http://127.0.0.1:$two_port" "$work/pg.lua")"

echo "== write-to-visible between two nodes ($rounds registrations)"
visibility=$(python3 - "$pg1_port" "$pg2_port" "$insurer" "$insurer_token" "$pg_token" \
  "$rounds" <<'PY'
import json, sys, time, urllib.request
a, b, insurer, insurer_token, token, rounds = sys.argv[1:7]
header = ("event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,"
          "birth_date,acquired_on,copay_ratio\n")
def post(port, path, body, tok, ctype):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body.encode(),
                                 {"Authorization": f"Bearer {tok}", "Content-Type": ctype})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
delays = []
for i in range(int(rounds)):
    number = str(700000 + i)
    r = post(a, "/v1/registrations", header + f"acquire,{insurer},VIS,{number},00,1,可視　太郎,"
             f"カシ　タロウ,1,1980-01-01,2024-04-01,3\n", insurer_token, "text/csv")
    assert r["rows_applied"] == 1, r
    t0 = time.time()
    q = json.dumps({"insurer_number": insurer, "symbol": "VIS", "number": number,
                    "birth_date": "1980-01-01"})
    while post(b, "/v1/eligibility/confirm", q, token, "application/json")["validity"] != 1:
        if time.time() - t0 > 10:
            sys.exit(f"round {i}: not visible on node B after 10 s")
        time.sleep(0.002)
    delays.append((time.time() - t0) * 1000)
delays.sort()
p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(f"{p(0.5):.0f} {p(0.99):.0f} {delays[-1]:.0f}")
PY
)
read -r v50 v99 vmax <<<"$visibility"

sizes=$(psql -X -At "$url" -c "SELECT pg_total_relation_size('coverages'), \
  (SELECT count(*) FROM coverages), pg_database_size(current_database())" | tr '|' ' ')
read -r cov_bytes cov_rows db_bytes <<<"$sizes"

python3 - <<PY
s, p = ($s1 + $s2) / 2, ($p1 + $p2) / 2
one, two = ($h1 + $h3) / 2, ($h2 + $h4) / 2
print("## onshi on SQLite and PostgreSQL, one node and two")
print()
print("machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%dT%H:%MZ)")
print("data: $persons persons, $rows registration rows; each node 1 I/O thread; wrk -t1 -c64 -d${seconds}s")
print()
print("| figure | value | target |")
print("|---|---|---|")
print(f"| node on SQLite, req/s | {s:,.0f} (runs {$s1:,.0f}, {$s2:,.0f}); p99 $s1p99 / $s2p99 ms | reference |")
print(f"| node on PostgreSQL, req/s | {p:,.0f} (runs {$p1:,.0f}, {$p2:,.0f}); p99 $p1p99 / $p2p99 ms | |")
print(f"| ratio PostgreSQL / SQLite | {p / s:.2f} | >= 0.95 |")
print(f"| HAProxy -> one node, req/s | {one:,.0f} (runs {$h1:,.0f}, {$h3:,.0f}); p99 $h1p99 / $h3p99 ms | reference |")
print(f"| HAProxy -> two nodes, req/s | {two:,.0f} (runs {$h2:,.0f}, {$h4:,.0f}); p99 $h2p99 / $h4p99 ms | |")
print(f"| ratio two nodes / one | {two / one:.2f} | (report) |")
print(f"| non-2xx answers | {$s1bad + $s2bad + $p1bad + $p2bad + $h1bad + $h2bad + $h3bad + $h4bad} | 0 |")
print(f"| write-to-visible, node A -> node B ($rounds rounds) | p50 $v50 ms, p99 $v99 ms, max $vmax ms | p99 <= 1000 ms |")
print(f"| PostgreSQL coverages table + indexes | {$cov_bytes / 2**20:,.0f} MiB for {$cov_rows:,} coverages = {$cov_bytes / $cov_rows:.0f} bytes each; whole database {$db_bytes / 2**20:,.0f} MiB | (report) |")
PY
