#!/usr/bin/env bash
# The API's documentation checked against the route table it is generated from.
#   check.sh docs    ONSHI SOURCE_DIR          docs/api.md's reference section is what
#                                              `onshi api-reference --format markdown` prints
#   check.sh openapi ONSHI SOURCE_DIR WORK_DIR the OpenAPI document passes Redocly's lint
#                                              (recommended rules; npm package pinned in
#                                              tools/openapi, installed into WORK_DIR)
set -euo pipefail
mode=$1 onshi=$2 src=$3
case "$mode" in
docs)
  begin='<!-- routes:begin (generated: onshi api-reference --format markdown) -->'
  end='<!-- routes:end -->'
  doc="$src/docs/api.md"
  grep -qxF "$begin" "$doc" || { echo "docs/api.md has no line: $begin" >&2; exit 1; }
  grep -qxF "$end" "$doc" || { echo "docs/api.md has no line: $end" >&2; exit 1; }
  in_doc=$(awk -v b="$begin" -v e="$end" '$0==e{p=0} p{print} $0==b{p=1}' "$doc")
  generated=$("$onshi" api-reference --format markdown)
  if [ "$in_doc" != "$generated" ]; then
    diff <(printf '%s\n' "$in_doc") <(printf '%s\n' "$generated") >&2 || true
    echo "docs/api.md's route reference differs from the route table (above: < docs, > table)." >&2
    echo "Regenerate it: scripts/update-api-docs.sh" >&2
    exit 1
  fi
  echo "docs/api.md's route reference matches the route table"
  ;;
openapi)
  work=$4
  mkdir -p "$work"
  cp "$src/tools/openapi/package.json" "$src/tools/openapi/package-lock.json" \
    "$src/tools/openapi/redocly.yaml" "$work/"
  if ! cmp -s "$work/package-lock.json" "$work/node_modules/.package-lock.json" 2>/dev/null; then
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  "$onshi" api-reference --format openapi >"$work/openapi.json"
  # Redocly prints a Node.js version banner on Node 20; the exit code is what counts.
  (cd "$work" && npx --no-install redocly lint --config redocly.yaml openapi.json)
  ;;
*)
  echo "usage: check.sh docs|openapi ONSHI SOURCE_DIR [WORK_DIR]" >&2
  exit 2
  ;;
esac
