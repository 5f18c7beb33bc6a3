#!/usr/bin/env bash
# Rewrites docs/api.md's generated sections from the code they come from; run it after changing
# the route table (src/api/http/routes.cpp, route_docs.cpp) or the error catalogue
# (src/core/error_catalogue.def). Tests fail until then: api_reference.docs_match and
# ErrorCatalogueDocs.ApiMdTableIsTheGeneratedOne.
#
#   scripts/update-api-docs.sh [ONSHI_BINARY]      (default build/onshi)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
onshi="${1:-$root/build/onshi}"
doc="$root/docs/api.md"
if [ ! -x "$onshi" ]; then
  echo "no onshi binary at $onshi: build it (cmake --build build --target onshi) or name it" >&2
  exit 2
fi
generated="$(mktemp)"
trap 'rm -f "$generated" "$doc.tmp"' EXIT

# replace BEGIN_LINE END_LINE COMMAND...: the lines between the two markers become COMMAND's output.
replace() {
  local begin=$1 end=$2
  shift 2
  if [ "$(grep -cxF "$begin" "$doc")" != 1 ] || [ "$(grep -cxF "$end" "$doc")" != 1 ]; then
    echo "$doc must hold each of the lines '$begin' and '$end' once" >&2
    exit 1
  fi
  "$@" >"$generated"
  awk -v begin="$begin" -v end="$end" -v table="$generated" '
    $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' "$doc" >"$doc.tmp"
  mv "$doc.tmp" "$doc"
}

replace '<!-- routes:begin (generated: onshi api-reference --format markdown) -->' \
  '<!-- routes:end -->' "$onshi" api-reference --format markdown
replace '<!-- error-catalogue:begin -->' '<!-- error-catalogue:end -->' \
  "$onshi" errors --format markdown
echo "updated the route reference and the error catalogue in $doc"
