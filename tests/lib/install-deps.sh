#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not installed yet (apt-get; sudo when not root).
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}" >&2
if ! $sudo apt-get install -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends "${missing[@]}" >/tmp/install-deps.$$.log 2>&1; then
  $sudo apt-get update -o DPkg::Lock::Timeout=300 -q >/dev/null 2>&1 || true
  $sudo apt-get install -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends "${missing[@]}" >/tmp/install-deps.$$.log 2>&1 \
    || { cat /tmp/install-deps.$$.log >&2; rm -f /tmp/install-deps.$$.log; exit 1; }
fi
rm -f /tmp/install-deps.$$.log
