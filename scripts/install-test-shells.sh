#!/usr/bin/env bash
# The completion tests load tshell's scripts into real bash, zsh and fish (and drive tmux-free
# pseudo-terminals): install the shells that are missing. Debian/Ubuntu (apt-get) as root or via sudo.
set -euo pipefail
missing=()
for shell in bash zsh fish; do
  command -v "$shell" >/dev/null 2>&1 || missing+=("$shell")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing for the completion tests: ${missing[*]}" >&2
run=()
[ "$(id -u)" -eq 0 ] || run=(sudo -n)
if command -v apt-get >/dev/null 2>&1; then
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "cannot install ${missing[*]}: no apt-get here; install them and rerun" >&2
  exit 1
fi
