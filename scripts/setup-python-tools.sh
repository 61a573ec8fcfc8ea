#!/usr/bin/env bash
# Creates .tools/venv (git-ignored) with the pinned Python tools the tests use:
# moto in server mode (the AWS emulator) and cfn-lint.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$root/requirements-dev.txt" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-dev.txt"
echo "$want" > "$stamp"
echo "setup-python-tools: installed $(grep -v '^#' "$root/requirements-dev.txt" | tr '\n' ' ')"
