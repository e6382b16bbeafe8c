#!/usr/bin/env bash
# Server load: builds the benchmarks, starts collab-netty's server (LoadServer) in its own JVM and drives it with the
# load generator (LoadGenerator) in another, one fresh server per scenario; prints a Markdown table of the figures.
# Server CPU comes from /proc/<pid>/stat, its heap from `jcmd <pid> GC.run` + `jcmd <pid> GC.heap_info`.
# collab-netty runs with -Xms256m -Xmx2g -XX:+UseG1GC, but for idle connections (idle-N, connections) with the
# README's flags for many connections ("Many connections": ParallelGC, a small heap, MALLOC_ARENA_MAX=2).
#
# Usage: benchmarks/run-load.sh [--no-build] [--port P] [--servers S,S...] [--peers | --render] [SCENARIO...]
#   --servers: which servers to measure, one after another, each started fresh for every scenario on loopback:
#              collab-netty (LoadServer: collab-netty's CollabServer, in-memory store; the default),
#              y-websocket-server (@y/websocket-server 0.1.1 on Node) and hocuspocus (@hocuspocus/server 4.7.0 on
#              Node), both from benchmarks/js/load-server.mjs without persistence. Each server is driven in the
#              protocol its clients speak; collab-netty speaks both, so it is measured once in each (y-websocket
#              against the y-websocket server, Hocuspocus against Hocuspocus).
#   --peers:   the side-by-side suite: --servers collab-netty,y-websocket-server,hocuspocus and the scenarios small
#              medium idle fanout join peak; the table is written into benchmarks/RESULTS.md (section "Server load
#              side by side"). Its rows come from the generator logs of the suite's scenarios in
#              benchmarks/target/load, so that a suite can be run in parts (--peers idle, then --peers peak): each
#              part deletes its own old logs first, and RESULTS.md says when the first and the last run ended
#   --render:  no runs: writes the side-by-side section of RESULTS.md again from the logs
#   side-by-side scenarios (any server):
#              small       100 clients on 10 documents, 2 edits/s each, 5 s warm-up, 30 s measured
#              medium      1,000 clients on 100 documents, 1 edit/s each, 10 s warm-up, 30 s measured
#              idle        idle connections in tiers of 2,000, 5,000, 10,000 and 19,500, one document per 10 connections
#                          (any idle-N runs N: above 19,500 the generator holds the clients in N / 10,000 processes,
#                          rounded up, since this machine allows a process 20,000 open files; LOAD_PROCESSES=P sets
#                          it for any N); one connection in 100 edits once a second (its relay
#                          latency is the p99 that must stay under 100 ms), all renew their awareness every 30 s;
#                          held 20 s. A server's next tier runs only if it held this one (all connected, p99 < 100
#                          ms, no errors, converged). Before the idle RSS is taken, the server is warmed up: 5,000
#                          connections on documents of their own are opened, synced and closed, 50 at a time, so
#                          that RSS per connection ((connected - idle) / connections) leaves out what a server that
#                          has served before holds anyway (JIT code and compiler memory, a touched young generation,
#                          V8's compiled code) and keeps what the connections and their documents hold; each of the
#                          two memory readings (idle, connected) waits 12 s first (--settle), so that the warm-up's
#                          documents are gone (collab-netty unloads one 10 s after its last client) and the JIT
#                          compiler has finished and given back its arenas (TrimNativeHeapInterval=5000) at both
#              fanout      1 writer (10 edits/s) and 1,000 readers of one document, 5 s warm-up, 30 s measured
#              join        50 clients joining at once one document whose encoded state is 5 MB (written by a client
#                          that stays connected); how long until each has received the server's state (each client
#                          has an event loop of its own, so that one replica applying the state delays no other's
#                          receipt)
#              peak        100 clients on 10 documents at 5, 10, 20 and 40 edits/s each, then steps 1.25x apart: 50,
#                          63, 79, 99, 124 and 155 (4,500 to 139,500 deliveries/s offered: 900 per edit/s; the fine
#                          steps measure the ratio of two servers' highest steps to 25 %), each on a fresh server
#                          warmed up first by 30,000 edits on other documents (LOAD_WARMUP_UPDATES: its JIT has
#                          compiled the hot paths, as a running server's has), then 10 s warm-up and 15 s measured
#                          per step; a server's next step runs only if it held this one: p99 under 100 ms without
#                          errors, and at least 95 % of the deliveries offered delivered (a generator that falls
#                          behind sends its edits late, and times them from when it sent them: the p99 alone would
#                          pass a step nobody offered)
#   collab-netty scenarios: connections (10,000 idle connections on 1,000 documents, awareness every 30 s, held 40 s)
#              relay       (1,000 clients on 100 documents, 1 edit/s each, 10 s warm-up, 60 s measured)
#              relay-v1    (the same as relay, but the clients speak collab/1: the subprotocol collab.v1, protobuf
#                           frames, every update with an ack id; also reports the ack latency, send -> Ack)
#              relay-small (the same with 100 clients on 10 documents: a tenth of the load, to tell the latency of
#                           each hop from the throughput)
#              smoke       (100 clients on 10 documents, 2 edits/s, 10 s; a quick check of the script)
#   default: connections relay
# Environment: SERVER_FLAGS (replaces collab-netty's heap and GC flags above, e.g. SERVER_FLAGS='-Xmx2g -XX:+UseG1GC'),
#   BENCHMARKS_JAR (the jar both JVMs run instead of benchmarks/target/benchmarks.jar, with --no-build: a copy is not
#   rewritten by a build meanwhile), SERVER_JAR (collab-netty's LoadServer from another build's jar, to alternate an
#   old and a new server in one sitting under the same load generator), SERVER_JAVA_OPTS, LOAD_JAVA_OPTS (extra JVM options, e.g. SERVER_JAVA_OPTS=-XX:StartFlightRecording=...;
#   LOAD_JAVA_OPTS replaces the generator's GC flags: ZGC (its 1,000s of growing replicas made G1's young pauses long
#   and frequent, 5-13 % of the time, and ParallelGC's 240-330 ms, and every pause of the generator counts as relay
#   latency) and no periodic safepoint (GuaranteedSafepointInterval=0: on a busy machine its once-a-second cleanup
#   safepoints took 10-33 ms to reach, with every client thread stopped); **no collector at all (Epsilon, heap up to 16
#   GiB; a medium run allocates ~1.5 GiB) but for join (ZGC, 10 GiB at start)**: with ZGC one cycle fell into every
#   measured phase (its first cycles start at 10, 20 and 30 % of the maximum heap), and its concurrent mark of the
#   replicas held the generator up for ~1 s, every server's relay p99 (medium, 2026-12-05 11:22: 731-1,043 ms for
#   all four servers in the middle 10 s, under 80 ms in the others; on Epsilon 9.6 ms)); SERVER_THREADS="IO DOCUMENTS" (the server's event loop and
#   document threads; default: CollabServer's, twice the cores and the cores; DOCUMENTS 0: documents on the event loops);
#   LOAD_WARMUP=S (the warm-up of every scenario that has one, in seconds, instead of the scenario's: after the peak
#   steps' 10 s, collab-netty's C2 compiler still used about a third of its CPU in the measured phase at peak-5, ~0.5-3
#   us per delivered update after 25-40 s; see RESULTS.md, "Server CPU, round 5");
#   LOAD_WARMUP_UPDATES=N, LOAD_WARMUP_RATE=R (the warm-up before each peak step, by a number of edits: see warm_up
#   below; LOAD_WARMUP_UPDATES=0 turns it off);
#   LOAD_PROTOCOLS="P..." (collab-netty's client protocols, e.g. "y-websocket hocuspocus" or "hocuspocus": one run
#   each; default: both with --peers or several servers, else the generator's default, y-websocket);
#   LOAD_PEAK_WRITERS=W (the peak steps' writers per document, default 10: every client; with fewer, each writer edits
#   10/W times as often, so that a document gets as many updates as before; fewer sockets carry them, which changes
#   how a server coalesces its writes: see RESULTS.md, "Server, round 12");
#   LOAD_BREAKDOWN=1 (where each server's CPU per delivered update goes, written to
#   benchmarks/target/load/breakdown-<server>-<protocol>-<scenario>.txt and printed after each run: user and system
#   time by thread group, context switches and system calls per delivery, and GC, JIT and allocation; collab-netty
#   then runs with a flight recording of benchmarks/breakdown.jfc, Node with --trace-gc; see
#   benchmarks/server-breakdown.sh)
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
servers=collab-netty
write_results=0
render=0
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --port) port="$2"; shift ;;
    --servers) servers="$2"; shift ;;
    --peers) servers=collab-netty,y-websocket-server,hocuspocus; write_results=1 ;;
    --render) servers=collab-netty,y-websocket-server,hocuspocus; write_results=1; render=1; build=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$script" | grep '^#'; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [[ $render == 1 ]]; then
  scenarios=()
elif [[ ${#scenarios[@]} -eq 0 ]]; then
  if [[ $write_results == 1 ]]; then scenarios=(small medium idle fanout join peak); else scenarios=(connections relay); fi
fi
IFS=, read -r -a server_list <<<"$servers"
for s in "${server_list[@]}"; do
  case "$s" in
    collab-netty|y-websocket-server|hocuspocus) ;;
    *) echo "run-load.sh: unknown server $s (collab-netty, y-websocket-server, hocuspocus)" >&2; exit 2 ;;
  esac
done

# Both JVMs hold one socket per connection, plus their jars and epoll: > 10k file descriptors each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt 12000 ]]; then
  echo "run-load.sh: ulimit -n is $(ulimit -n) (hard limit $(ulimit -Hn)); 10,000 connections need more than 12000" >&2
  exit 1
fi

if [[ $build == 1 ]]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
  if [[ "$servers" != collab-netty ]]; then
    node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
  fi
fi
jar=${BENCHMARKS_JAR:-benchmarks/target/benchmarks.jar}
# The load generator's GC flags (LOAD_JAVA_OPTS replaces them): see the header.
generator_gc="-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0"
# join's 50 replicas of a 5 MB document allocate more than any heap here: it keeps ZGC.
generator_zgc="-XX:+UseZGC -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0"
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

# collab-netty's JVM flags for SCENARIO: for idle connections the README's ("Many connections"), as a user would
# run a server of many idle connections, since their resident memory per connection is measured; else a roomy G1 heap.
server_flags() {
  case "$1" in
    idle-*|connections) echo -Xmx256m -Xmn24m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000 ;;
    *) echo -Xms256m -Xmx2g -XX:+UseG1GC ;;
  esac
}

# start_server KIND LOG-NAME SCENARIO
start_server() {
  local log="$logs/server-$2.log"
  if [[ $1 == collab-netty ]]; then
    local -a environment=() recording=()
    [[ $3 != idle-* && $3 != connections ]] || environment=(MALLOC_ARENA_MAX=2)
    [[ -z "${LOAD_BREAKDOWN:-}" ]] || recording=("-XX:StartFlightRecording=settings=benchmarks/breakdown.jfc")
    # shellcheck disable=SC2046,SC2086
    env "${environment[@]}" setsid java ${SERVER_FLAGS:-$(server_flags "$3")} "${recording[@]}" ${SERVER_JAVA_OPTS:-} \
      -cp "${SERVER_JAR:-$jar}" \
      ai.candlefish.collab.benchmarks.load.LoadServer "$port" ${SERVER_THREADS:-} >"$log" 2>&1 &
  else
    # As their READMEs start them: one Node process, default options.
    local -a trace=()
    [[ -z "${LOAD_BREAKDOWN:-}" ]] || trace=(--trace-gc)
    (cd benchmarks/js && exec setsid node "${trace[@]}" load-server.mjs "$1" "$port") >"$log" 2>&1 &
  fi
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

# The generator's arguments of a scenario (a step of idle or peak: idle-N, peak-R); empty if unknown.
scenario_args() {
  case "$1" in
    connections) echo --clients 10000 --documents 1000 --rate 0 --duration 40 --awareness 30 \
                      --connect-concurrency 500 --local-addresses 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4 ;;
    relay) echo --clients 1000 --documents 100 --rate 1 --warmup 10 --duration 60 --awareness 30 ;;
    relay-v1) echo --protocol collab.v1 --clients 1000 --documents 100 --rate 1 --warmup 10 --duration 60 --awareness 30 ;;
    relay-small) echo --clients 100 --documents 10 --rate 1 --warmup 10 --duration 60 --awareness 30 ;;
    smoke) echo --clients 100 --documents 10 --rate 2 --duration 10 ;;
    small) echo --clients 100 --documents 10 --rate 2 --warmup 5 --duration 30 --awareness 30 ;;
    medium) echo --clients 1000 --documents 100 --rate 1 --warmup 10 --duration 30 --awareness 30 ;;
    idle-*) local n=${1#idle-} processes=1
            (( n <= 19500 )) || processes=$(( (n + 9999) / 10000 ))
            echo --clients "$n" --documents $((n / 10)) --writers $((n / 100)) --rate 1 --warmup 5 --duration 20 \
                 --awareness 30 --connect-concurrency 500 --warmup-connections 5000 --settle 12 \
                 --local-addresses 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4 --processes "${LOAD_PROCESSES:-$processes}" ;;
    fanout) echo --clients 1001 --documents 1 --writers 1 --rate 10 --warmup 5 --duration 30 --awareness 30 ;;
    join) echo --clients 50 --documents 1 --rate 0 --duration 5 --connect-concurrency 50 --document-bytes 5000000 \
               --io-threads 50 ;;
    peak-*) local w=${LOAD_PEAK_WRITERS:-10} writers=""
            [[ $w == 10 ]] || writers="--writers $((10 * w))"
            echo --clients 100 --documents 10 $writers \
                 --rate "$(awk -v r="${1#peak-}" -v w="$w" 'BEGIN { print r * 10 / w }')" --warmup 10 --duration 15 \
                 --awareness 30 ;;
  esac
}

# The protocols a server is driven in.
protocols_of() {
  case "$1" in
    collab-netty) if [[ -n "${LOAD_PROTOCOLS:-}" ]]; then echo "$LOAD_PROTOCOLS";
                  elif [[ $write_results == 1 || "$servers" == *,* ]]; then echo y-websocket hocuspocus; else echo default; fi ;;
    y-websocket-server) echo y-websocket ;;
    hocuspocus) echo hocuspocus ;;
  esac
}

# warm_up SERVER PROTOCOL SCENARIO NAME: before a peak step is measured, its fresh server serves LOAD_WARMUP_UPDATES
# edits (default 30,000; 0: none; set, it applies to any scenario) by 100 clients on 10 documents of their own
# (warmup-0 ... warmup-9) at LOAD_WARMUP_RATE edits/s each (default 10: 9,000 deliveries/s, which every server
# holds), measured by nobody; the step's own clients then start on empty documents as before. A warm-up by a number
# of updates, not seconds, so that the JIT has compiled the per-update path before the measured phase whatever the
# machine's load (after a 10 s warm-up C2 was still compiling in the measured phase), as run-cluster-load.sh does.
warm_up() {
  local server=$1 protocol=$2 scenario=$3 name=$4
  local updates=${LOAD_WARMUP_UPDATES:-}
  [[ -n "$updates" || $scenario != peak-* ]] || updates=30000
  [[ -n "$updates" && "$updates" != 0 ]] || return 0
  local rate=${LOAD_WARMUP_RATE:-10}
  local duration
  duration="$(awk -v u="$updates" -v r="$rate" 'BEGIN { printf "%.1f", u / (100 * r) }')"
  local -a args=(--clients 100 --documents 10 --prefix warmup- --rate "$rate" --warmup 0 --duration "$duration"
                 --awareness 30)
  [[ $protocol == default ]] || args+=(--protocol "$protocol")
  echo "== warm-up of $server ($protocol) before $scenario: $updates edits at $rate edits/s per client (not measured)"
  # shellcheck disable=SC2086
  setsid java -Xms1g -Xmx16g ${LOAD_JAVA_OPTS:-$generator_gc} -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator \
    --scenario "warmup-$scenario" --server-name "$server" --server "ws://127.0.0.1:$port" "${args[@]}" \
    >"$logs/warmup-$name.log" 2>&1 &
  generator_pid=$!
  prioritize "$generator_pid"
  wait "$generator_pid" || echo "== warm-up of $server before $scenario: the generator reported errors (see $logs/warmup-$name.log); the step goes on"
  generator_pid=
}

rows=()
peer_rows=()
status=0
# run_one SERVER PROTOCOL SCENARIO: one fresh server, one generator; returns 1 if the run failed its checks.
run_one() {
  local server=$1 protocol=$2 scenario=$3 name="$1-$2-$3"
  local -a args
  read -r -a args <<<"$(scenario_args "$scenario")"
  if [[ -n "${LOAD_WARMUP:-}" ]]; then
    for i in "${!args[@]}"; do [[ ${args[$i]} != --warmup ]] || args[$((i + 1))]=$LOAD_WARMUP; done
  fi
  [[ $protocol == default ]] || args+=(--protocol "$protocol")
  start_server "$server" "$name" "$scenario"
  warm_up "$server" "$protocol" "$scenario" "$name"
  echo "== $scenario on $server ($protocol): server pid $server_pid; LoadGenerator ${args[*]}"
  out="$logs/generator-$name.log"
  : >"$out" # before tail opens it
  local rc=0
  # shellcheck disable=SC2086
  # join: 50 replicas of a 5 MB document
  local heap=3g gc=$generator_gc
  [[ $scenario != join ]] || { heap=10g; gc=$generator_zgc; }
  setsid java "-Xms$heap" -Xmx16g ${LOAD_JAVA_OPTS:-$gc} -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator \
    --scenario "$scenario" --server-name "$server" --server "ws://127.0.0.1:$port" --server-pid "$server_pid" \
    "${args[@]}" >"$out" 2>&1 &
  generator_pid=$!
  prioritize "$generator_pid"
  local breakdown_pid=
  if [[ -n "${LOAD_BREAKDOWN:-}" ]]; then
    benchmarks/server-breakdown.sh "$server_pid" "$out" "$logs/server-$name.log" "$logs/breakdown-$name.txt" \
      >/dev/null 2>"$logs/breakdown-$name.err" &
    breakdown_pid=$!
  fi
  tail -n +1 --pid="$generator_pid" -f "$out" | grep -v '^ROW \|^PEERS ' || true
  wait "$generator_pid" || rc=1
  generator_pid=
  if [[ -n "$breakdown_pid" ]]; then
    wait "$breakdown_pid" || true
    cat "$logs/breakdown-$name.txt" "$logs/breakdown-$name.err" 2>/dev/null || true
  fi
  rows+=("$(sed -n 's/^ROW //p' "$out")")
  peer_rows+=("$(sed -n 's/^PEERS //p' "$out")")
  stop_server
  [[ $rc == 0 ]] || return 1
  # A tier or step counts as held with all connected, no errors, converged (the generator's exit code) and p99 < 100 ms;
  # a peak step also with 95 % of the 900 deliveries/s per edit/s that it offers delivered (see the header).
  local offered=0
  [[ $scenario != peak-* ]] || offered=$((900 * ${scenario#peak-}))
  awk -F'|' -v offered="$offered" '{ split($5, l, " / "); exit (l[2] + 0 < 100 && $6 + 0 >= 0.95 * offered) ? 0 : 1 }' \
    <<<"${peer_rows[-1]}"
}

# The steps of a scenario: a ladder's tiers, or the scenario itself.
steps_of() {
  case "$1" in
    idle) echo idle-2000 idle-5000 idle-10000 idle-19500 ;;
    peak) echo peak-5 peak-10 peak-20 peak-40 peak-50 peak-63 peak-79 peak-99 peak-124 peak-155 ;;
    *) echo "$1" ;;
  esac
}

for scenario in "${scenarios[@]}"; do
  read -r -a steps <<<"$(steps_of "$scenario")"
  for step in "${steps[@]}"; do
    [[ -n "$(scenario_args "$step")" ]] || { echo "run-load.sh: unknown scenario $step" >&2; exit 2; }
    rm -f "$logs"/generator-*-"$step".log # a ladder that stops lower must not leave an older run's higher steps
  done
  for server in "${server_list[@]}"; do
    for protocol in $(protocols_of "$server"); do
      for step in "${steps[@]}"; do
        if ! run_one "$server" "$protocol" "$step"; then
          # A failed tier or step ends that server's ladder; a failed plain scenario fails the run.
          if [[ ${#steps[@]} -gt 1 ]]; then
            echo "== $server ($protocol) did not hold $step: no higher $scenario step"
            break
          fi
          status=1
        fi
      done
    done
  done
done

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(java -version 2>&1 | head -1); Node $(node --version 2>/dev/null || echo n/a)"
echo
echo "Machine: $machine"
if [[ "$servers" == collab-netty ]]; then
  java -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator --table-header
  printf '%s\n' "${rows[@]}"
else
  table="$(java -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator --peers-header; printf '%s\n' "${peer_rows[@]}")"
  echo "$table"
  if [[ $write_results == 1 ]]; then
    # The whole suite, from the logs of its latest runs (this one and earlier parts).
    suite=()
    for scenario in small medium idle fanout join peak; do
      for step in $(steps_of "$scenario"); do
        for combo in collab-netty-y-websocket collab-netty-hocuspocus y-websocket-server-y-websocket hocuspocus-hocuspocus; do
          f="$logs/generator-$combo-$step.log"
          [[ -f "$f" ]] && grep -q '^PEERS ' "$f" && suite+=("$f")
        done
      done
    done
    when="$(for f in "${suite[@]}"; do date -u -r "$f" '+%F %H:%M'; done | sort | sed -n '1p;$p' | paste -sd/ | sed 's|/| to |') UTC"
    node benchmarks/js/write-load-results.mjs "$machine" "$when" <<<"$(
      java -cp "$jar" ai.candlefish.collab.benchmarks.load.LoadGenerator --peers-header
      for f in "${suite[@]}"; do sed -n 's/^PEERS //p' "$f"; done)"
  fi
fi
exit $status
