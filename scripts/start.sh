#!/usr/bin/env bash
# `npm start`: runs newswatch on this machine. Installs Node 24 and the packages it runs with
# first when they are missing (a fresh clone: `dependencies` only, not the development tools,
# which `npm test` adds), then starts the local runtime; arguments go to `newswatch start`
# (e.g. `npm start -- --port 4500`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
node scripts/install-packages.ts run "npm start"
exec node bin/newswatch.js start "$@"
