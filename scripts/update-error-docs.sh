#!/usr/bin/env bash
# Rewrites the error catalogue table of docs/api.md (between its error-catalogue markers) from
# `onshi errors --format markdown`, i.e. from src/core/error_catalogue.def. Run it after adding
# or changing a code; the test ErrorCatalogueDocs.ApiMdTableIsTheGeneratedOne fails until then.
#
#   scripts/update-error-docs.sh [ONSHI_BINARY]      (default build/onshi)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
onshi="${1:-$root/build/onshi}"
doc="$root/docs/api.md"
begin='<!-- error-catalogue:begin -->'
end='<!-- error-catalogue:end -->'
if [ ! -x "$onshi" ]; then
  echo "no onshi binary at $onshi: build it (cmake --build build --target onshi) or name it" >&2
  exit 2
fi
if [ "$(grep -cxF "$begin" "$doc")" != 1 ] || [ "$(grep -cxF "$end" "$doc")" != 1 ]; then
  echo "$doc must hold each of the lines '$begin' and '$end' once" >&2
  exit 1
fi
table="$(mktemp)"
trap 'rm -f "$table" "$doc.tmp"' EXIT
"$onshi" errors --format markdown >"$table"
awk -v begin="$begin" -v end="$end" -v table="$table" '
  $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
  $0 == end { skip = 0 }
  !skip { print }
' "$doc" >"$doc.tmp"
mv "$doc.tmp" "$doc"
echo "updated the error catalogue in $doc"
