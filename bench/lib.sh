# Steps shared by the benchmark scripts (sourced, not run).

# Builds the Release binary the benchmarks measure (and the paced load generator next to it,
# build-bench/bench/paced_load); prints the binary's path.
bench_build_onshi() {
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DONSHI_TESTS=OFF >/dev/null
  cmake --build build-bench --target onshi paced_load >/dev/null
  echo "$PWD/build-bench/onshi"
}

# bench_paced BODIES PORT TOKEN RATE SECONDS: requests at a fixed RATE (open loop, latency
# from each request's scheduled time: bench/paced_load.cpp); prints "rate p50 p99 p999 non2xx".
bench_paced() {
  local line
  line=$("$PWD/build-bench/bench/paced_load" 127.0.0.1 "$2" /v1/eligibility/confirm "$3" "$1" "$4" "$5" 32)
  python3 - "$line" <<'PY'
import sys
kv = dict(p.split("=") for p in sys.argv[1].split())
print(kv["rate"], kv["p50_ms"], kv["p99_ms"], kv["p999_ms"], kv["non2xx"])
PY
}

# bench_generate ONSHI PERSONS DIR: the synthetic files; prints the registration row count.
bench_generate() {
  "$1" gen --persons "$2" --out "$3" >/dev/null
  echo $(($(wc -l <"$3/registrations.csv") - 1))
}

# bench_reference_lists ONSHI GEN_DIR DATA_DIR [STORE_URL]: insurers and facilities, which a
# registration load needs first (into STORE_URL when given, else the data directory's SQLite).
bench_reference_lists() {
  local store=()
  [ -n "${4:-}" ] && store=(--store "$4")
  "$1" load --data-dir "$3" "${store[@]}" insurers "$2/insurers.csv" >/dev/null
  "$1" load --data-dir "$3" "${store[@]}" facilities "$2/facilities.csv" >/dev/null
}

# bench_confirm_requests REGISTRATIONS_CSV TOKEN OUT_LUA OUT_FIRST_JSON: a wrk script posting
# confirmations, half existing keys (sampled from the file), half non-existing (number altered);
# the same bodies one per line in OUT_LUA.bodies (for paced_load); and the first body alone.
bench_confirm_requests() {
  python3 - "$@" <<'PY'
import csv, json, random, sys
path, token, lua, first = sys.argv[1:5]
random.seed(7)
keys = []
with open(path, encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["event"] == "acquire":
            keys.append(row)
sample = random.sample(keys, min(20000, len(keys)))
bodies = []
for i, k in enumerate(sample):
    number = k["number"] if i % 2 == 0 else k["number"] + "0"
    bodies.append(json.dumps({"insurer_number": k["insurer_number"], "symbol": k["symbol"],
                              "number": number, "branch": k["branch"],
                              "birth_date": k["birth_date"]}, ensure_ascii=False))
with open(first, "w", encoding="utf-8") as f:
    f.write(bodies[0])
with open(lua + ".bodies", "w", encoding="utf-8") as f:
    random.shuffle(bodies)
    f.write("\n".join(bodies) + "\n")
with open(lua, "w", encoding="utf-8") as f:
    f.write("local bodies = {\n")
    for b in bodies:
        f.write("  %s,\n" % json.dumps(b, ensure_ascii=False))
    f.write("}\nlocal reqs = {}\n")
    f.write("init = function(args)\n  math.randomseed(os.time())\n  for i, b in ipairs(bodies) do\n")
    f.write('    reqs[i] = wrk.format("POST", "/v1/eligibility/confirm", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}, b)\n' % token)
    f.write("  end\nend\nrequest = function() return reqs[math.random(#reqs)] end\n")
PY
}

# bench_wrk OUT_TXT URL SCRIPT SECONDS: one wrk run (1 thread, 64 connections); prints
# "req/s p50_ms p99_ms non2xx".
bench_wrk() {
  local out=$1 url=$2 script=$3 seconds=$4
  local args=(-t1 -c64 -d"${seconds}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" "$url" >"$out" 2>&1
  python3 - "$out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def pct(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, t)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v if u == "ms" else v * 1000
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{rps:.0f} {pct(50):.3f} {pct(99):.3f} {non2xx.group(1) if non2xx else 0}")
PY
}

# bench_serve NAME DATA_DIR [serve options...]: starts `onshi serve` on a free port in the
# background (log in DATA_DIR/serve.log); sets ${NAME}_port and ${NAME}_pid.
bench_serve() {
  local name=$1 data=$2
  shift 2
  rm -f "$data/port"
  "$onshi" serve --data-dir "$data" --port 0 --port-file "$data/port" "$@" >"$data/serve.log" 2>&1 &
  printf -v "${name}_pid" %s $!
  for _ in $(seq 1 3000); do [ -f "$data/port" ] && break; sleep 0.1; done
  [ -f "$data/port" ] || { cat "$data/serve.log" >&2; return 1; }
  printf -v "${name}_port" %s "$(cat "$data/port")"
}
