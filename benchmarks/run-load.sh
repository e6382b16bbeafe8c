#!/usr/bin/env bash
# Server load: builds the benchmarks, starts collab-netty's server (LoadServer) in its own JVM and drives it with the
# load generator (LoadGenerator) in another, one fresh server per scenario; prints a Markdown table of the figures.
# Server CPU comes from /proc/<pid>/stat, its heap from `jcmd <pid> GC.run` + `jcmd <pid> GC.heap_info`.
#
# Usage: benchmarks/run-load.sh [--no-build] [--port P] [SCENARIO...]
#   scenarios: connections (10,000 idle connections on 1,000 documents, awareness every 30 s, held 40 s)
#              relay       (1,000 clients on 100 documents, 1 edit/s each, 10 s warm-up, 60 s measured)
#              relay-v1    (the same as relay, but the clients speak collab/1: the subprotocol collab.v1, protobuf
#                           frames, every update with an ack id; also reports the ack latency, send -> Ack)
#              relay-small (the same with 100 clients on 10 documents: a tenth of the load, to tell the latency of
#                           each hop from the throughput)
#              smoke       (100 clients on 10 documents, 2 edits/s, 10 s; a quick check of the script)
#   default: connections relay
# Environment: SERVER_JAVA_OPTS, LOAD_JAVA_OPTS (extra JVM options, e.g. SERVER_JAVA_OPTS=-XX:StartFlightRecording=...;
#   LOAD_JAVA_OPTS replaces the generator's -XX:+UseParallelGC: its 1,000s of growing replicas made G1's young
#   pauses long and frequent (5-13 % of the time), and every pause of the generator counts as relay latency); SERVER_THREADS="IO DOCUMENTS" (the server's event loop and
#   document threads; default: CollabServer's, twice the cores and the cores)
#
# Each JVM runs in a session of its own (setsid): with the kernel's autogroup scheduling
# (/proc/sys/kernel/sched_autogroup_enabled), the CPU is shared fairly between sessions, so two JVMs in one session
# would share one session's share of a busy machine, as if the server and the load generator ran on a fraction of one
# machine. Alone in their sessions, each gets what any other program on the machine gets. (nice(1) values only
# count within a session under autogroup scheduling.) LOAD_AUTOGROUP_NICE=-10 (root) raises both sessions' priority:
# a diagnostic that shows the server without the waits for a core on a busy shared machine; label such figures.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

build=1
port=1234
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --port) port="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$script" | grep '^#'; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(connections relay)

# Both JVMs hold one socket per connection, plus their jars and epoll: > 10k file descriptors each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt 12000 ]]; then
  echo "run-load.sh: ulimit -n is $(ulimit -n) (hard limit $(ulimit -Hn)); 10,000 connections need more than 12000" >&2
  exit 1
fi

if [[ $build == 1 ]]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
fi
jar=benchmarks/target/benchmarks.jar
logs=benchmarks/target/load
mkdir -p "$logs"

# LOAD_AUTOGROUP_NICE: see the header.
prioritize() {
  if [[ -n "${LOAD_AUTOGROUP_NICE:-}" ]]; then
    # Only once setsid has made the process a session leader: before that, this would change our own session's.
    for _ in $(seq 1 50); do
      [[ "$(ps -o sid= -p "$1" | tr -d ' ')" == "$1" ]] && break
      sleep 0.1
    done
    [[ "$(ps -o sid= -p "$1" | tr -d ' ')" == "$1" ]] || { echo "run-load.sh: $1 is not in a session of its own" >&2; exit 1; }
    echo "$LOAD_AUTOGROUP_NICE" >"/proc/$1/autogroup"
    echo "run-load.sh: process $1: $(cat "/proc/$1/autogroup")"
  fi
}

server_pid=
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
generator_pid=
cleanup() {
  [[ -z "$generator_pid" ]] || kill "$generator_pid" 2>/dev/null || true
  stop_server
}
trap cleanup EXIT

start_server() {
  local log="$logs/server-$1.log"
  # shellcheck disable=SC2086
  setsid java -Xms256m -Xmx2g -XX:+UseG1GC ${SERVER_JAVA_OPTS:-} -cp "$jar" \
    ai.candlefish.collab.benchmarks.load.LoadServer "$port" ${SERVER_THREADS:-} >"$log" 2>&1 &
  server_pid=$!
  prioritize "$server_pid"
  for _ in $(seq 1 100); do
    grep -q "LoadServer ready" "$log" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  echo "run-load.sh: the server did not start (see $log)" >&2
  exit 1
}

rows=()
status=0
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    connections) args=(--clients 10000 --documents 1000 --rate 0 --duration 40 --awareness 30
                       --connect-concurrency 500 --local-addresses 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4) ;;
    relay) args=(--clients 1000 --documents 100 --rate 1 --warmup 10 --duration 60 --awareness 30) ;;
    relay-v1) args=(--protocol collab.v1 --clients 1000 --documents 100 --rate 1 --warmup 10 --duration 60 --awareness 30) ;;
    relay-small) args=(--clients 100 --documents 10 --rate 1 --warmup 10 --duration 60 --awareness 30) ;;
    smoke) args=(--clients 100 --documents 10 --rate 2 --duration 10) ;;
    *) echo "run-load.sh: unknown scenario $scenario" >&2; exit 2 ;;
  esac
  start_server "$scenario"
  echo "== $scenario: server pid $server_pid; LoadGenerator ${args[*]}"
  out="$logs/generator-$scenario.log"
  : >"$out" # before tail opens it
  # shellcheck disable=SC2086
  setsid java -Xms1g -Xmx4g ${LOAD_JAVA_OPTS:--XX:+UseParallelGC} -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator \
    --scenario "$scenario" --server "ws://127.0.0.1:$port" --server-pid "$server_pid" "${args[@]}" >"$out" 2>&1 &
  generator_pid=$!
  prioritize "$generator_pid"
  tail -n +1 --pid="$generator_pid" -f "$out" | grep -v '^ROW ' || true
  wait "$generator_pid" || status=1
  generator_pid=
  rows+=("$(sed -n 's/^ROW //p' "$out")")
  stop_server
done

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(java -version 2>&1 | head -1); $(date -u +%F)"
echo
java -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator --table-header
printf '%s\n' "${rows[@]}"
exit $status
