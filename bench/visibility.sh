#!/usr/bin/env bash
# Write-to-visible delay (issue 6): how long after a registration commits in one process does a
# running `onshi serve` answer it? Each round loads one new person with `onshi load` (a separate
# process, as an insurer's batch would), then polls the server every 2 ms until it answers
# validity 1. Delay = first answer seen - the change's commit time (changes.at_ms, same clock).
# Usage: bash bench/visibility.sh     (BENCH_ROUNDS=200 BENCH_PERSONS=100000)
# With ONSHI_STORE=postgresql://... the same runs against PostgreSQL (when that backend is built).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
rounds=${BENCH_ROUNDS:-200}
persons=${BENCH_PERSONS:-100000}
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DONSHI_TESTS=OFF >/dev/null
cmake --build build-bench --target onshi >/dev/null
onshi=$PWD/build-bench/onshi
work=$(mktemp -d /tmp/onshi-visibility-XXXXXX)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$onshi" demo --data-dir "$work/data" --persons "$persons" >/dev/null
"$onshi" serve --data-dir "$work/data" --port 0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do [ -f "$work/port" ] && break; sleep 0.1; done
python3 - "$onshi" "$work" "$(cat "$work/port")" "$rounds" <<'PY'
import json, sqlite3, statistics, subprocess, sys, time, urllib.request
onshi, work, port, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
demo = json.load(open(f"{work}/data/demo.json"))
token = next(c["token"] for c in demo["credentials"] if c["role"] == "facility")
insurer = next(c["insurer_number"] for c in demo["credentials"] if c["role"] == "insurer")
url = f"http://127.0.0.1:{port}/v1/eligibility/confirm"
header = ("event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,"
          "birth_date,acquired_on,copay_ratio\n")

def validity(number):
    body = json.dumps({"insurer_number": insurer, "symbol": "VIS", "number": number,
                       "birth_date": "1980-01-01"}).encode()
    req = urllib.request.Request(url, body, {"Authorization": f"Bearer {token}",
                                             "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["validity"]

db = sqlite3.connect(f"file:{work}/data/onshi.db?mode=ro", uri=True)
delays = []
for i in range(rounds):
    number = str(900000 + i)
    path = f"{work}/vis-{i}.csv"
    with open(path, "w") as f:
        f.write(header + f"acquire,{insurer},VIS,{number},00,1,可視　太郎,カシ　タロウ,1,"
                         f"1980-01-01,2024-04-01,3\n")
    subprocess.run([onshi, "load", "--data-dir", f"{work}/data", "registrations", path],
                   check=True, stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while validity(number) != 1:
        if time.time() > deadline:
            sys.exit(f"round {i}: not visible after 10 s")
        time.sleep(0.002)
    seen_ms = time.time() * 1000
    at_ms = db.execute("SELECT at_ms FROM changes WHERE kind = 1 ORDER BY seq DESC LIMIT 1"
                       ).fetchone()[0]
    delays.append(seen_ms - at_ms)
delays.sort()
p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(f"write-to-visible delay over {rounds} loads (one other process, SQLite, follower "
      f"polling every 100 ms): p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {delays[-1]:.0f} ms "
      f"(target p99 <= 1000 ms)")
PY
