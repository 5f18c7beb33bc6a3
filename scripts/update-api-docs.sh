#!/usr/bin/env bash
# Rewrites docs/api.md's route reference (between its routes markers) from the route table:
# run after changing src/api/http/routes.cpp or route_docs.cpp. Uses ./build/onshi, or $ONSHI.
set -euo pipefail
cd "$(dirname "$0")/.."
onshi=${ONSHI:-build/onshi}
begin='<!-- routes:begin (generated: onshi api-reference --format markdown) -->'
end='<!-- routes:end -->'
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
"$onshi" api-reference --format markdown >"$generated"
awk -v b="$begin" -v e="$end" -v g="$generated" '
  $0==b {print; while ((getline line < g) > 0) print line; skip=1; next}
  $0==e {skip=0}
  !skip {print}' docs/api.md >docs/api.md.new
mv docs/api.md.new docs/api.md
echo "docs/api.md: route reference regenerated"
