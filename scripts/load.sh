#!/usr/bin/env bash
# Load run: generated files through the local runtime's inbox (10,000 by default) and through
# the emulator path (moto: S3 → SQS → ingest → DynamoDB and SNS; 300 by default, as moto's
# Query reads its whole table), each reconciled file by file and alert by alert. Writes
# bench/results/load-local.md and load-emulator.md. The tests run the same checks on a few
# hundred files.
#   bash scripts/load.sh [local files, default 10000] [emulator files, default 300]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
bash scripts/setup-python-tools.sh
local_files="${1:-10000}"
emulator_files="${2:-300}"
LOAD_ARTICLES="$emulator_files" LOAD_FILES="$local_files" LOAD_REPORT=1 npx vitest run \
  --project integration --project local tests/integration/load.test.ts tests/local/load.test.ts
