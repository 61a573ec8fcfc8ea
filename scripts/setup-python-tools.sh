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
  local count started
  count="$(grep -cv '^#' "$requirements")"
  started=$SECONDS
  echo "setup-python-tools: installing $count pinned packages into ${venv#"$root"/} (a few minutes the first time)…"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
  echo "setup-python-tools: installed $count packages into ${venv#"$root"/} in $((SECONDS - started)) s"
}
install "$root/.tools/venv" "$root/requirements-dev.txt"
install "$root/.tools/venv-checkov" "$root/requirements-checkov.txt"
