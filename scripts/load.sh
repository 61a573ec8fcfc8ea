#!/usr/bin/env bash
# Load run: generated files through the local runtime's inbox, then through the emulator path
# (S3 → SQS → ingest → DynamoDB and SNS: moto, with the table on dynalite), each reconciled
# file by file and alert by alert, with the rate printed every 30 seconds. Writes
# bench/results/load-local.md and load-emulator.md. The tests run the same checks on a few
# hundred files. The two runs go one after the other, so neither takes the other's cores.
#   bash scripts/load.sh [local files] [emulator files]   (both 10000 by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
bash scripts/setup-python-tools.sh
local_files="${1:-10000}"
emulator_files="${2:-10000}"
LOAD_FILES="$local_files" LOAD_REPORT=1 npx vitest run --project local tests/local/load.test.ts
LOAD_ARTICLES="$emulator_files" LOAD_REPORT=1 npx vitest run --project integration tests/integration/load.test.ts
