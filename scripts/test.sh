#!/usr/bin/env bash
# Runs every test suite (unit, infra, integration, local) on Node 24 and ends with the totals line
# "N passed, N failed". Installs what is missing first, so it works on a fresh clone.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh || exit 1
step() { echo "npm test: $*" >&2; }
# Every npm package, the development tools too (after `npm start`, only the runtime's are there).
node scripts/install-packages.ts all "npm test" || exit 1
step "the Python tools (moto, the AWS emulator; cfn-lint; checkov)…"
bash scripts/setup-python-tools.sh || exit 1
step "Chromium, for the dashboard tests…"
bash scripts/setup-chromium.sh || exit 1
step "running the unit, infrastructure, emulator and local tests…"

report="$(mktemp -t newswatch-vitest-XXXXXX.json)"
trap 'rm -f "$report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const failed = (r.numFailedTests ?? 0) + (r.success === false && !r.numFailedTests ? 1 : 0);
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (skipped > 0) console.log(`${skipped} skipped`);
  console.log(`${r.numPassedTests ?? 0} passed, ${failed} failed`);
' "$report"
exit $status
