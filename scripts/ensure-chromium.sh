#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (driven by npm playwright-core, which
# cannot download browsers here). Installs it with apt-get when it is missing; needs root or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "[browser-tests] installing Debian's chromium (apt-get)"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
test -x /usr/bin/chromium || { echo "[browser-tests] chromium did not install; install it: apt-get install chromium" >&2; exit 1; }
