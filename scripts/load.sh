#!/usr/bin/env bash
# Load run: 10,000 generated files through the local runtime's inbox and through the emulator
# path (S3 → SQS → ingest → DynamoDB and SNS: moto, with the table on dynalite), each
# reconciled file by file and alert by alert. Writes bench/results/load-local.md and
# load-emulator.md. The tests run the same checks on a hundred or so files. The full run is
# long: moto's SQS and SNS slow down as their queues fill (about 1.6 files/s after a few
# thousand files on a 2-core machine).
#   bash scripts/load.sh [local files] [emulator files]   (both 10000 by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/use-node24.sh
. scripts/use-node24.sh
bash scripts/setup-python-tools.sh
local_files="${1:-10000}"
emulator_files="${2:-10000}"
LOAD_ARTICLES="$emulator_files" LOAD_FILES="$local_files" LOAD_REPORT=1 npx vitest run \
  --project integration --project local tests/integration/load.test.ts tests/local/load.test.ts
