#!/usr/bin/env bash
# Installs every Debian package onshi needs to build, test and benchmark. Idempotent: when all
# are present it returns at once without touching apt.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config clang clang-format libclang-rt-14-dev
  libboost-dev libsqlite3-dev sqlite3 libssl-dev openssl nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev curl ca-certificates python3
  postgresql-15 libpq-dev
)
# postgresql-15 is the server the PostgreSQL backend's tests run against: a throw-away cluster
# of their own (scripts/pg-test-cluster.sh), never the cluster the package itself sets up.
if [ "${ONSHI_BENCH_DEPS:-0}" = 1 ]; then packages+=(wrk nginx-light procps); fi
# scripts/cluster-up and scripts/failover-drill: PostgreSQL server and HAProxy.
if [ "${ONSHI_CLUSTER_DEPS:-0}" = 1 ]; then packages+=(postgresql-15 haproxy wrk); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
