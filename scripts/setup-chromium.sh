#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is installed for the dashboard tests: Debian's
# `chromium` package (driven by playwright-core, which downloads no browser of its own).
# Set CHROMIUM_PATH to use another Chromium or Chrome binary.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
sudo=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup-chromium: chromium is missing; install Debian's chromium package (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
fi
echo "setup-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends chromium >/dev/null ||
  { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
command -v chromium >/dev/null
