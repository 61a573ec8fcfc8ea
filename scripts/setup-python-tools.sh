#!/usr/bin/env bash
# Creates the git-ignored virtualenvs with the pinned Python tools the tests use:
# .tools/venv (moto in server mode, the AWS emulator, and cfn-lint) and .tools/venv-checkov
# (checkov, whose dependencies conflict with moto's).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# install <venv> <requirements file>: once per content of the requirements file.
install() {
  local venv="$1" requirements="$2"
  local stamp="$venv/.requirements.sha"
  local want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
  echo "setup-python-tools: installed $(grep -v '^#' "$requirements" | wc -l) packages into $venv"
}
install "$root/.tools/venv" "$root/requirements-dev.txt"
install "$root/.tools/venv-checkov" "$root/requirements-checkov.txt"
