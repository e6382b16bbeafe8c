#!/usr/bin/env bash
# One command: builds the benchmarks, then runs collab-core (Java) and the peers (Yjs, ywasm, Loro, Automerge,
# json-joy; Node) one after another on the real traces and the crdt-benchmarks suite; prints one table per workload
# and writes them into benchmarks/RESULTS.md (its CRDT section).
# Usage: benchmarks/run-peers.sh [--runs N] [--only traces|crdt] [--trace NAME] [--bench ID,ID] [--systems a,b] [--b4x100]
set -euo pipefail
cd "$(dirname "$0")/.."
# package, not install: the shared local repository keeps the artifacts other builds use.
./mvnw -B -ntp -q package -DskipTests -Dbenchmarks.smoke.skip=true -pl benchmarks -am
node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
node benchmarks/run-peers.mjs "$@"
