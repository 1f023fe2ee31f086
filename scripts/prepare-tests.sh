#!/usr/bin/env bash
# What the tests need before they run, side by side (each is mostly one core, a disk or the network):
# the build, the pinned tools, the lint (`npm run lint` is these two checks), the shells the
# completion tests load, and the Node 24 the last run uses. Any one failing fails it, with its output.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
declare -A jobs=()
start() {
  local name=$1
  shift
  ("$@") >"$logs/$name" 2>&1 &
  jobs[$name]=$!
}
start build npm run build
# setup from the sources (tsx), so that it need not wait for the build
start setup node --import tsx --input-type=module -e "await (await import('./src/cli.ts')).main(['setup'])"
start prettier npm run lint:format
start eslint npm run lint:code
start test-shells bash scripts/install-test-shells.sh
start node24 bash scripts/test-node24.sh --install-only
failed=0
for name in "${!jobs[@]}"; do
  if ! wait "${jobs[$name]}"; then
    echo "✗ $name failed:" >&2
    cat "$logs/$name" >&2
    failed=1
  fi
done
exit $failed
