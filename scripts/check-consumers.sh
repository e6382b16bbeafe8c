#!/usr/bin/env bash
# Builds the consumer projects as outside users would: standalone Maven projects (no parent of ours, versions from
# collab-bom) against the artifacts that `./mvnw install` just put into the local repository, and runs them:
#   examples/module-path            plain Java on the module path: a server and two clients converge (exec java -p)
#   examples/spring-boot-consumer   a Spring Boot app with the starter: its test starts it, syncs two clients through
#                                   its own port and reads Actuator
# Run by .ci/run after the install; extra arguments go to Maven (e.g. -o, -Dmaven.repo.local=...).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n '0,/<version>/s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml)
for consumer in examples/module-path examples/spring-boot-consumer; do
  echo "[consumers] $consumer against the installed collab $version"
  ./mvnw -B -ntp -f "$consumer/pom.xml" -Dcollab.version="$version" "$@" clean verify
done
echo "[consumers] both consumers built from the installed artifacts and ran"
