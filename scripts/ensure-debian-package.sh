#!/usr/bin/env bash
# Usage: ensure-debian-package.sh BINARY PACKAGE TAG
# Makes sure BINARY exists, installing Debian's PACKAGE with apt-get when it is missing (needs root or sudo). For
# test-only tools (the browser tests' chromium, collab-redis's redis-server); apt does not start services here.
set -euo pipefail
binary="$1" package="$2" tag="$3"
if [ -x "$binary" ]; then
  exit 0
fi
echo "[$tag] installing Debian's $package (apt-get)"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null
test -x "$binary" || { echo "[$tag] $package did not install; install it: apt-get install $package" >&2; exit 1; }
