#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests: nothing outside DIR is touched and the
# system cluster (if any) is not used.
#
#   scripts/pg-test-cluster.sh start DIR   initdb in DIR/data, postgres on a free loopback port
#                                          (unix socket in DIR too), a role with a password and
#                                          a database it owns; writes the connection URL
#                                          postgresql://USER:PASSWORD@127.0.0.1:PORT/DB to DIR/url
#   scripts/pg-test-cluster.sh stop DIR    stops that server and removes DIR
#   scripts/pg-test-cluster.sh halt DIR [fast|immediate]
#                                          stops the server (pg_ctl -m MODE, default fast) and
#                                          keeps DIR: a store outage for a running node
#   scripts/pg-test-cluster.sh resume DIR  starts a halted server again, same data, same port
# If the server's user cannot reach DIR (a checkout under /root), its files go to a private
# /tmp/onshi-pg-XXXXXX instead, named in DIR/server-root and removed by `stop` as well.
#
# initdb and postgres refuse to run as root, and CI runs as root: then the server runs as the
# `postgres` system user that Debian's postgresql-15 package creates (ONSHI_PG_USER overrides),
# and DIR is handed to it. As any other user the server simply runs as that user.
# The cluster is tuned for tests, not for durability: fsync is off (a crash of the machine may
# lose it, which does not matter for a cluster that `stop` deletes anyway). synchronous_commit
# stays on: with fsync off a commit costs one write(), and what was committed then survives a
# crash of the server itself (`halt DIR immediate`), as it would in production.
set -euo pipefail

PG_BIN=${ONSHI_PG_BIN:-/usr/lib/postgresql/15/bin}
DB_USER=onshi_test
DB_NAME=onshi_test

die() {
  echo "pg-test-cluster: $*" >&2
  exit 1
}

usage() { die "usage: $0 start|stop|resume DIR, or $0 halt DIR [fast|immediate]"; }

[ $# -eq 2 ] || { [ $# -eq 3 ] && [ "$1" = halt ]; } || usage
cmd=$1
dir=$2
mode=${3:-fast}
[ -n "$dir" ] && [ "$dir" != / ] || die "refusing DIR '$dir'"

if [ "$(id -u)" = 0 ]; then
  run_user=${ONSHI_PG_USER:-postgres}
  id "$run_user" >/dev/null 2>&1 ||
    die "running as root but there is no '$run_user' user to run the server (install postgresql-15)"
  as_server() { runuser -u "$run_user" -- "$@"; }
else
  run_user=$(id -un)
  as_server() { "$@"; }
fi

# A port nobody listens on right now. Another process may take it before postgres binds it;
# start() then retries with a new one.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Starts the server of ROOT/data on PORT and waits until it accepts connections.
pg_start() {
  local root=$1 port=$2
  as_server "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$root \
        -c fsync=off -c full_page_writes=off \
        -c max_connections=200 -c shared_buffers=128MB -c max_wal_size=2GB \
        -c log_min_messages=warning" \
    start >/dev/null
}

# Where start put the server's files (see start).
server_root() {
  if [ -f "$dir/server-root" ]; then cat "$dir/server-root"; else echo "$dir"; fi
}

start() {
  [ -x "$PG_BIN/initdb" ] || die "no $PG_BIN/initdb: install postgresql-15 (scripts/install-deps.sh)"
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    # A cluster left behind by an interrupted run: stop it first, then start afresh.
    echo "pg-test-cluster: $dir is not empty; stopping what is there first" >&2
    stop
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 0700 "$dir"
  # The server's files (data, socket, logs) go in DIR when the server's user can reach it, else
  # (a checkout under /root, say) in a private directory under /tmp that DIR/server-root names,
  # so that `stop DIR` finds and removes it too.
  local root="$dir"
  [ "$run_user" = "$(id -un)" ] || chown "$run_user" "$dir"
  if ! as_server test -w "$dir"; then
    root=$(mktemp -d "${TMPDIR:-/tmp}/onshi-pg-XXXXXX")
    chown "$run_user" "$root"
    chmod 0700 "$root"
    echo "$root" >"$dir/server-root"
  fi
  # The unix socket path (ROOT/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
  [ ${#root} -le 90 ] || die "path too long for a unix socket (${#root} > 90 characters): $root"

  local password superpass
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  superpass=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  as_server bash -c 'umask 077 && printf "%s\n" "$1" > "$2"' _ "$superpass" "$root/superpass"
  # TCP needs a password (scram); the unix socket, inside a 0700 directory of the server's user,
  # is trusted: only this script (as that user) uses it, to create the role below.
  as_server "$PG_BIN/initdb" -D "$root/data" -U postgres --pwfile="$root/superpass" -E UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >"$root/initdb.log" 2>&1 ||
    { cat "$root/initdb.log" >&2; die "initdb failed (log above)"; }

  local port="" attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if pg_start "$root" "$port"; then
      break
    fi
    port=""
    echo "pg-test-cluster: start on port failed (attempt $attempt), retrying" >&2
  done
  [ -n "$port" ] || { cat "$root/server.log" >&2; die "postgres did not start (server log above)"; }

  as_server "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$root" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null ||
    die "could not create the test role and database"
  echo "$port" >"$dir/port"
  # The URL holds the password: readable by this user only.
  (umask 077 && echo "postgresql://$DB_USER:$password@127.0.0.1:$port/$DB_NAME" >"$dir/url.tmp")
  mv "$dir/url.tmp" "$dir/url"
  echo "pg-test-cluster: running on 127.0.0.1:$port (data in $root/data, url in $dir/url)"
}

stop() {
  local root
  root=$(server_root)
  if [ -f "$root/data/postmaster.pid" ]; then
    # fast: roll back open transactions and disconnect clients instead of waiting for them.
    as_server "$PG_BIN/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null ||
      as_server "$PG_BIN/pg_ctl" -D "$root/data" -m immediate -w -t 30 stop >/dev/null ||
      die "could not stop the server in $root/data"
  fi
  case "$root" in
    "$dir") ;;
    */onshi-pg-*) rm -rf "$root" ;;  # only what start made
  esac
  rm -rf "$dir"
}

# fast: open transactions roll back, clients are disconnected, a clean shutdown; immediate: the
# server quits at once, as if it crashed, and recovers from its WAL at the next start.
halt() {
  case "$mode" in fast | immediate) ;; *) usage ;; esac
  local root
  root=$(server_root)
  [ -f "$root/data/postmaster.pid" ] || die "no server running in $root/data"
  as_server "$PG_BIN/pg_ctl" -D "$root/data" -m "$mode" -w -t 60 stop >/dev/null ||
    die "could not stop the server in $root/data"
}

# The same port as before, so that a node's store URL leads to it again. Another process may
# have taken the port meanwhile: then this fails (rare on a loopback port picked at random).
resume() {
  local root port
  root=$(server_root)
  [ -f "$dir/port" ] || die "$dir holds no cluster (no $dir/port)"
  [ ! -f "$root/data/postmaster.pid" ] || die "the server in $root/data is already running"
  port=$(cat "$dir/port")
  pg_start "$root" "$port" ||
    { tail -n 20 "$root/server.log" >&2; die "postgres did not start again on port $port"; }
}

case "$cmd" in
  start) start ;;
  halt) halt ;;
  resume) resume ;;
  stop)
    [ -e "$dir" ] || exit 0
    stop
    echo "pg-test-cluster: stopped, $dir removed"
    ;;
  *) usage ;;
esac
