#!/usr/bin/env bash
# One command: builds the benchmarks, then runs collab-core (Java) and the peers (Yjs, ywasm, Loro, Automerge,
# json-joy; Node) one after another on the real traces and the crdt-benchmarks suite; prints one table per workload
# and writes them into benchmarks/RESULTS.md (its CRDT section).
# Usage: benchmarks/run-peers.sh [--runs N] [--only traces|crdt] [--trace NAME] [--bench ID,ID] [--systems a,b]
#                                [--b4x100] [--merge] [--render]
#   --runs N     runs per workload (default 5); the tables show medians
#   --only       just the real traces, or just the crdt-benchmarks suite (the other part's table comes from its last
#                raw results in benchmarks/target/peers-<part>.json)
#   --trace      one trace of testdata/traces; --bench: these crdt-benchmarks ids only (either prints its tables
#                and leaves RESULTS.md as it is: written, it would blank the rows it did not run)
#   --systems    peers to run (default yjs,ywasm,loro,automerge,json-joy; collab-core always runs)
#   --b4x100     also the B4x100 benchmark (many minutes per peer)
#   --merge      with --bench or --trace: this run's rows replace those systems' rows of the last raw results and
#                RESULTS.md is written with them (e.g. --only crdt --bench B4x100 --runs 1 --merge, a peer at a time)
#   --render     no runs: the tables again from the last raw results
# Environment: RUN_LIMIT_S (default 120): a run that takes longer is stopped and shown as n/a.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

# The arguments are checked before the build, so that --help or a typo does not start a run of many minutes.
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/p' "$script" | grep '^#'; exit 0 ;;
    --runs|--only|--trace|--bench|--systems)
      [ $# -ge 2 ] || { echo "run-peers.sh: $1 needs a value (see --help)" >&2; exit 2; }
      shift 2 ;;
    --b4x100|--merge|--render) shift ;;
    *) echo "run-peers.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# package, not install: the shared local repository keeps the artifacts other builds use.
./mvnw -B -ntp -q package -DskipTests -Dbenchmarks.smoke.skip=true -pl benchmarks -am
node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
node benchmarks/run-peers.mjs "${args[@]}"
