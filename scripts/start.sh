#!/usr/bin/env bash
# `npm start`: runs newswatch on this machine. Installs Node 24 and the packages it runs with
# first when they are missing (a fresh clone: `dependencies` only, not the development tools,
# which `npm test` adds), then starts the local runtime; arguments go to `newswatch start`
# (e.g. `npm start -- --port 4500`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=()
if [ ! -e node_modules ] && [ ! -e .tools/node24 ] &&
  [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 24 ]; then
  # A fresh clone: npm (on the machine's own Node) installs the packages while Node 24 installs.
  mkdir -p .tools
  status=.tools/npm-ci.status
  rm -f "$status"
  echo "npm start: installing the npm packages newswatch runs with (npm ci --omit=dev) while Node 24 installs…" >&2
  (
    code=0
    npm ci --omit=dev --no-audit --no-fund --loglevel=error --engine-strict=false || code=$?
    echo "$code" >"$status"
  ) &
  started=(--started "$status" "$(date +%s)")
fi
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
node scripts/install-packages.ts run "npm start" ${started[@]+"${started[@]}"}
rm -f .tools/npm-ci.status
# The runtime runs for days: a small young generation and two malloc arenas keep its memory
# down at the same speed (docs/local.md, "Memory").
export NODE_OPTIONS="--max-semi-space-size=4${NODE_OPTIONS:+ $NODE_OPTIONS}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node bin/newswatch.js start "$@"
