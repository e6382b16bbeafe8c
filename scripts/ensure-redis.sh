#!/usr/bin/env bash
# Makes sure Debian's redis-server is at /usr/bin/redis-server for collab-redis's tests, which start and stop it
# themselves on free ports (RedisServerProcess); installs it with apt-get when it is missing (needs root or sudo).
# apt does not start the service here, and the tests never use a system-wide instance.
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/redis-server redis-server redis-tests
