#!/usr/bin/env bash
# Builds the benchmarks and runs collab-core and Yjs side by side on the real traces; writes benchmarks/RESULTS.md.
# Usage: benchmarks/run-peers.sh [--runs N] [--trace NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q install -DskipTests -Dbenchmarks.smoke.skip=true -pl benchmarks -am
node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
node benchmarks/run-peers.mjs "$@"
