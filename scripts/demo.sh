#!/usr/bin/env bash
# Quick start, command 1: install what is needed, build, create the demo data directory
# (synthetic insurers, facilities and 100,000 insured persons) and run `onshi serve`.
# Environment: ONSHI_DATA (default ./onshi-data), ONSHI_PERSONS (100000), ONSHI_PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DONSHI_TESTS=OFF >/dev/null
cmake --build build --target onshi
data="${ONSHI_DATA:-onshi-data}"
./build/onshi demo --data-dir "$data" --persons "${ONSHI_PERSONS:-100000}"
exec ./build/onshi serve --data-dir "$data" --port "${ONSHI_PORT:-8080}"
