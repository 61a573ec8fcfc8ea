#!/usr/bin/env bash
# `npm start`: runs newswatch on this machine. Installs Node 24 and the packages first when
# they are missing (a fresh clone), then starts the local runtime; arguments go to
# `newswatch start` (e.g. `npm start -- --port 4500`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing packages (first run only)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node bin/newswatch.js start "$@"
