#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (driven by npm playwright-core, which
# cannot download browsers here). Installs it with apt-get when it is missing; needs root or sudo.
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/chromium chromium browser-tests
