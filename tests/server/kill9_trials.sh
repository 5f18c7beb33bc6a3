#!/usr/bin/env bash
# Kill -9 trials of the access journal (docs/journal.md, issue 7): run `onshi serve`, send
# confirmations from a few clients, kill -9 the server at a random moment, start it again, and
# so on; at the end, every confirmation id a client received a 200 with personal data for must
# be in the journal and, once imported, in the store -- none lost -- and the chains must verify.
# Odd trials run with --journal-sync fsync, even ones with the default (none).
#
# usage: kill9_trials.sh ONSHI_BINARY [TRIALS] [CLIENTS]
set -euo pipefail
onshi=$1
trials=${2:-20}
clients=${3:-3}
work=$(mktemp -d /tmp/onshi-kill9-XXXXXX)
server_pid=
client_pids=()
cleanup() {
  for p in "${client_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

data=$work/data
"$onshi" demo --data-dir "$data" --persons 1000 >"$work/demo.log"
token=$(jq -r '[.credentials[] | select(.role == "facility")][0].token' "$data/demo.json")
body=$(jq -c '.examples | to_entries[0].value' "$data/demo.json")

start_server() {  # $1: journal sync mode
  rm -f "$data/port"
  "$onshi" serve --data-dir "$data" --node-id k9 --port 0 --port-file "$data/port" \
    --journal-sync "$1" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    [[ -s $data/port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.02
  done
  echo "kill9_trials: the server did not start" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}

# One client: confirms in a loop; an id goes to acked.N only for a 200 answer that carries
# personal data (an answer without it does not wait for its record).
client() {
  local n=$1 port=$2 i=0 out
  while :; do
    out=$(curl -s -m 2 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -w '\n%{http_code}' -d "$body" "http://127.0.0.1:$port/v1/eligibility/confirm" || true)
    if [[ ${out##*$'\n'} == 200 && $out == *'"record":{'* ]]; then
      id=${out#*\"confirmation_id\":\"}
      echo "${id%%\"*}" >>"$work/acked.$n"
    fi
    i=$((i + 1))
  done
}

for t in $(seq 1 "$trials"); do
  mode=none
  ((t % 2)) && mode=fsync
  start_server "$mode"
  port=$(cat "$data/port")
  client_pids=()
  for c in $(seq 1 "$clients"); do
    client "$c" "$port" &
    client_pids+=($!)
  done
  # A random moment 0.2-1.0 s into the load.
  sleep "0.$((2 + RANDOM % 9))"
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  for p in "${client_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${client_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  client_pids=()
done

# A last, clean run: it imports what the killed ones left, and stops with SIGTERM.
start_server none
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=

cat "$work"/acked.* 2>/dev/null | sort -u >"$work/acked"
acked=$(wc -l <"$work/acked")
"$onshi" audit list --data-dir "$data" --limit 100000000 | tail -n +2 | cut -f7 | sort -u \
  >"$work/stored"
cat "$data"/journal/k9/*.jnl | cut -f10 | sort -u >"$work/journal"
lost_journal=$(comm -23 "$work/acked" "$work/journal" | wc -l)
lost_store=$(comm -23 "$work/acked" "$work/stored" | wc -l)
"$onshi" audit verify --data-dir "$data" >"$work/verify.log" 2>&1 || {
  cat "$work/verify.log" >&2
  exit 1
}
echo "kill9_trials: $trials kill -9 trials, $acked confirmations answered with personal data;" \
  "missing from the journal: $lost_journal, from the store: $lost_store;" \
  "$(wc -l <"$work/stored") records in the store; $(cat "$work/verify.log")"
if ((acked == 0)); then
  echo "kill9_trials: no confirmation was answered: the trials proved nothing" >&2
  tail -20 "$work/server.log" >&2
  exit 1
fi
if ((lost_journal > 0 || lost_store > 0)); then
  echo "kill9_trials: lost:" >&2
  comm -23 "$work/acked" "$work/stored" | head >&2
  exit 1
fi
