#!/usr/bin/env bash
# The cluster load run of issue 10, side by side: our server as 1, 2 and 3 nodes (separate JVMs, collab-redis on one
# Redis, PostgreSQL store and leases) and Hocuspocus 4 as 1, 2 and 3 instances with @hocuspocus/extension-redis on
# the same kind of Redis, driven by the same load generator (LoadGenerator, the clients of run-load.sh) speaking
# the Hocuspocus protocol to both. The clients of each document are spread over the nodes in turn (client i connects
# to node (i / documents) % nodes), so that with 2 or 3 nodes most receivers are on another node than the sender.
#
# Usage: benchmarks/run-cluster-load.sh [--no-build] [--smoke] [--write] [--systems S,...] [--nodes N,...]
#                                       [--scenarios relay,peak] [--synchronous-commit on|off]
#   --write      put the table into benchmarks/RESULTS.md (section "Cluster load"), with this command
#   --smoke      a seconds-long check of the harness (the Maven build runs it in phase verify): 2 nodes of ours and
#                2 Hocuspocus instances, 12 clients on 3 documents for 2 s each; no RESULTS.md
#   --systems    ours-standalone (1 node, PostgreSQL store, no Redis: the single-node baseline), ours (cluster
#                mode: Redis transport and PostgreSQL leases, also with 1 node), hocuspocus (with the Redis
#                extension); default all three
#   --nodes      default 1,2,3 (ours-standalone always runs 1)
#   --synchronous-commit on|off   PostgreSQL's setting (default on)
#   --scenarios  relay: 1,000 clients on 100 documents, 1 edit/s each, awareness every 30 s, 30 s warm-up, 30 s
#                       measured (relay and cross-node relay latency, ack latency, CPU and Redis bytes per delivered
#                       update)
#                peak:  100 clients on 10 documents at 1 edit/s each, then steps 1.25x apart (the R10 series: 1.25,
#                       1.6, 2, 2.5, 3.2, 4, 5, 6.3, 8, 10, 12.5, 16, 20, 25, 32, 40, 50, 63, 80 and 100 edits/s; 900
#                       to 90,000 deliveries/s offered; the fine steps measure the ratio of two systems' highest steps
#                       to 25 %, as run-load.sh's; from 1 because 3 nodes, PostgreSQL, Redis and the generator on
#                       2 cores held no step from 5 on), 10 s warm-up and 10 s measured per step, each step on
#                       documents of its own; the systems take each step in turn (who goes first alternates), so
#                       that on a shared machine they meet the same load at a step; a system's next step runs only
#                       if it held this one (p99 < 100 ms, no errors, converged, and at least 95 % of the
#                       deliveries offered delivered): its figure is the delivered updates/s of the highest step
#                       held. Each system's nodes (and its Redis) are started once per node count and serve all its
#                       steps, after a warm-up of a number of updates (LOAD_WARMUP_UPDATES, default 30,000 edits by
#                       the step's 100 clients at LOAD_WARMUP_RATE, default 2 edits/s each: 150 s, measured by
#                       nobody), the same for every system: so a step measures running servers, not fresh JVMs
#                       compiling (at 100 updates/s per node C2 had not compiled the per-update path 60-75 s after
#                       connect, and the compilers were half of three fresh nodes' CPU: RESULTS.md's cluster round
#                       25; after this warm-up -XX:+PrintCompilation shows UpdateReader.decode, Doc.integrate,
#                       StructList.search, SharedDocument.broadcastTo, FlushBatch.run, the frame codec and
#                       StreamReader.parseSeq at C2 before the first step, on a machine at load 23-34)
#                default both
# Measured (LoadGenerator --node-pids/--database-pid/--redis): the nodes' CPU together (/proc/<pid>/stat), the
# database's with its backends, Redis's CPU and bytes in + out (INFO) over the measured phase, each divided by the
# updates delivered to clients in it. Each configuration gets a fresh redis-server (Debian's, scripts/ensure-redis.sh)
# on a free port; our nodes share one embedded PostgreSQL (the tests' binaries) for the whole run, each run on
# documents of its own.
# GC: our nodes run G1 with -XX:MaxGCPauseMillis=20 (G1's default target of 200 ms gave pauses of ~100 ms under
# this load, a relay p99 of their own; the README's "Server" section, on several servers, says so to users), standalone and cluster
# alike so that their CPU compares. The load generator's collector: its 1,000 replicas keep every struct they receive,
# so each young collection of ParallelGC copied all structs since the last one, 240-330 ms twice per measured phase
# on a quiet machine, which delayed every receipt in it (~2 % of the samples: the p99 was the generator's). Its GC
# pauses in the measured phase are reported beside the figures either way. **The generator runs without a collector
# (Epsilon), its heap up to 16 GiB**, at start what the step needs at 2 KiB per delivery offered (at least 512 MiB, at
# most 3 GiB; the 3-node warm-up used 1.2 KiB per delivery): a relay allocates ~1.5 GiB in all, a peak-1 step less
# than 512 MiB, and touching 3 GiB at every step took 30-40 s of a loaded machine. With ZGC one cycle fell
# into every relay's measured phase (its first cycles start at 10, 20 and 30 % of the maximum heap: at 3 GiB the
# second, at 16 GiB the first once the warm-up is 30 s), and its concurrent mark of the replicas held the generator
# up for ~1 s on a quiet machine, seconds under load, while the servers idled for want of messages: every system's
# relay p99 (~800-1,250 ms in the middle 10 s, under 60 ms in the others; Epsilon: 9.6 ms, lead 2026-12-05 11:34).
# Its heap is backed by transparent huge pages and touched at start (-XX:+UseTransparentHugePages
# -XX:+AlwaysPreTouch; not in --smoke): Epsilon takes ~20 MiB/s of fresh heap in a relay, and each 4 KiB page
# first touched in the run was a page fault on its event loops: their two threads spent 16-21 ticks/s in the kernel
# 30-60 s into the relay, 9-12 with these flags, 47-62 vs 37-46 ticks/s in all (paired 2-node relays, cluster round
# 12 in RESULTS.md). Touching 3 GiB takes ~6 s of a quiet machine when the generator starts, before it connects.
# PostgreSQL: synchronous_commit=on, PostgreSQL's default and what a user has (the tests' embedded binaries default
# to off, which acknowledges before the commit's WAL is flushed); --synchronous-commit off measures that instead.
# Environment: SERVER_JAVA_OPTS (appended to the nodes' flags: later flags win), LOAD_JAVA_OPTS (replaces the
# generator's Epsilon, huge pages, pre-touch and GuaranteedSafepointInterval=0: no periodic safepoint, whose time to
# reach on a busy machine, 10-33 ms with all client threads stopped, jstat does not count as a pause), LOAD_WARMUP=S
# (the warm-up of every step in seconds instead of the scenario's: after the peak steps' 10 s the nodes' C2 compiler
# still runs in the measured phase), BENCHMARKS_JAR (the jar every JVM runs instead of benchmarks/target/benchmarks.jar, with
# --no-build: a copy is not rewritten by a build meanwhile, and an old and a new build can alternate), as in
# run-load.sh; LOAD_PG_STATEMENTS=1 (PostgreSQL preloads pg_stat_statements, for a poller to count statements);
# LOAD_BREAKDOWN=1 (where each node's CPU per delivered update goes, as run-load.sh's: benchmarks/server-breakdown.sh
# beside each of our nodes, written to benchmarks/target/cluster-load/breakdown-<system>-<n>-<step>-node<k>.txt and
# printed after the run; per delivered update of the whole cluster, so the nodes' figures add up; our nodes then run
# with a flight recording of benchmarks/breakdown.jfc).
# LOAD_TIMELINE=1: every process of a step (our nodes or the Hocuspocus instances, PostgreSQL, Redis, the generator)
# sampled every second from /proc/*/task/*/schedstat (benchmarks/thread-timeline.py cluster), and after the step the
# ms per second each process kind and thread group ran and waited for a core in the measured phase: what a node
# waits for on a shared machine (its compilers, its event loops, the database's commits, Redis), beside its CPU.
# Tail probes, off unless set: LOAD_JAVA_OPTS="... -Dload.tailMillis=100" (the generator classifies every update some
# receiver got 100 ms or more late: late on the sender's node too, only on the other nodes, or for some receivers;
# and counts those in flight while one of its own event loops ran a timer 50 ms or more late, a generator stall),
# SERVER_JAVA_OPTS="-Dload.stallMillis=50" (each of our nodes logs every wake-up of a 5 ms sleeper 50 ms or more late:
# whole-JVM stalls; on the generator too). A loop's timers wait behind its queued tasks (the clients' edits), so a
# saturated generator's timer lag overstates its receipts' wait; on a quiet machine it is the loops' busy time.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
command_line="benchmarks/run-cluster-load.sh $*"
cd "$(dirname "$0")/.."

build=1
smoke=0
write=0
systems=ours-standalone,ours,hocuspocus
nodes_list=1,2,3
scenarios=relay,peak
synchronous_commit=on
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --smoke) smoke=1; systems=ours,hocuspocus; nodes_list=2; scenarios=smoke ;;
    --write) write=1 ;;
    --systems) systems="$2"; shift ;;
    --nodes) nodes_list="$2"; shift ;;
    --scenarios) scenarios="$2"; shift ;;
    --synchronous-commit) synchronous_commit="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$script" | grep '^#'; exit 0 ;;
    *) echo "run-cluster-load.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a system_list <<<"$systems"
IFS=, read -r -a node_counts <<<"$nodes_list"
IFS=, read -r -a scenario_list <<<"$scenarios"
case "$synchronous_commit" in on|off) ;; *) echo "run-cluster-load.sh: --synchronous-commit on or off" >&2; exit 2 ;; esac
for s in "${system_list[@]}"; do
  case "$s" in ours-standalone|ours|hocuspocus) ;; *) echo "run-cluster-load.sh: unknown system $s" >&2; exit 2 ;; esac
done

if [[ $build == 1 ]]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
fi
node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
bash scripts/ensure-redis.sh
jar=${BENCHMARKS_JAR:-benchmarks/target/benchmarks.jar}
# The load generator's GC flags (LOAD_JAVA_OPTS replaces them): see the header.
generator_gc="-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:+UseTransparentHugePages"
[[ $smoke == 1 ]] || generator_gc+=" -XX:+AlwaysPreTouch" # 3 GiB resident at once: not for the seconds-long smoke
logs=benchmarks/target/cluster-load
mkdir -p "$logs"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=() # every process this script started and has not stopped: ended on exit
stop() { # stop PID...: SIGTERM, then wait
  local p
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do wait "$p" 2>/dev/null || true; done
  local left=()
  for p in "${pids[@]}"; do [[ " $* " == *" $p "* ]] || left+=("$p"); done
  pids=("${left[@]+"${left[@]}"}")
}
trap 'stop "${pids[@]+"${pids[@]}"}"' EXIT

free_port() { # a port of 127.0.0.1 that nothing listens on (as far as a connect tells)
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  echo "run-cluster-load.sh: no free port found" >&2
  exit 1
}

# await_line LOG PATTERN PID: waits until LOG has a line matching PATTERN (sed -E) and prints its first group
await_line() {
  local line
  for _ in $(seq 1 600); do
    line="$(sed -nE "s/.*$2.*/\\1/p" "$1" | head -1)"
    [[ -n "$line" ]] && { echo "$line"; return 0; }
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; echo "run-cluster-load.sh: process $3 ended (log $1)" >&2; exit 1; }
    sleep 0.1
  done
  echo "run-cluster-load.sh: no '$2' in $1 within 60 s" >&2
  exit 1
}

db_url=
db_pid=
start_database() {
  local log="$logs/database.log"
  : >"$log" # as start_nodes: not an earlier run's line
  setsid java -Xmx256m -cp "$jar" ai.candlefish.collab.benchmarks.load.ClusterLoadDatabase "$synchronous_commit" >"$log" 2>&1 &
  pids+=("$!")
  db_java=$!
  local ready
  ready="$(await_line "$log" 'database ready (.*)' "$db_java")"
  db_url="${ready%% *}"
  db_pid="$(sed -E 's/.* pid ([0-9]+).*/\1/' <<<"$ready")"
  echo "== PostgreSQL: $ready"
}

redis_port=
redis_pid=
start_redis() {
  redis_port="$(free_port)"
  setsid /usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --protected-mode no --loglevel warning >"$logs/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 1 100); do
    [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]] && return 0
    sleep 0.1
  done
  echo "run-cluster-load.sh: redis-server on $redis_port did not answer" >&2
  exit 1
}

node_urls=
node_pids=
node_procs=()
# A ladder's running systems (see bring_up): their nodes' URLs and pids, processes and Redis, by system name.
declare -A up_urls=() up_pids=() up_procs=() up_redis_port=() up_redis_pid=()
# start_nodes SYSTEM N NAME: N nodes of SYSTEM, their ws:// URLs and pids comma-separated in node_urls, node_pids
start_nodes() {
  local system=$1 n=$2 name=$3 k log ready
  local -a recording=()
  [[ -z "${LOAD_BREAKDOWN:-}" ]] || recording=("-XX:StartFlightRecording=settings=benchmarks/breakdown.jfc")
  node_urls=; node_pids=; node_procs=()
  for k in $(seq 1 "$n"); do
    log="$logs/server-$name-node$k.log"
    : >"$log" # now, not in the background child: await_line below must not read an earlier run's port and pid
    case "$system" in
      ours-standalone|ours)
        # shellcheck disable=SC2086
        setsid java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${recording[@]}" ${SERVER_JAVA_OPTS:-} \
          -cp "$jar" \
          ai.candlefish.collab.benchmarks.load.ClusterLoadServer 0 "$db_url" \
          "$([[ $system == ours ]] && echo "redis://127.0.0.1:$redis_port" || echo none)" "node$k" >"$log" 2>&1 & ;;
      hocuspocus)
        (cd benchmarks/js && exec setsid node load-server.mjs hocuspocus-redis 0 "$redis_port" "node$k") >"$log" 2>&1 & ;;
    esac
    pids+=("$!")
    node_procs+=("$!")
  done
  for k in $(seq 1 "$n"); do
    log="$logs/server-$name-node$k.log"
    ready="$(await_line "$log" 'LoadServer ready on ([0-9]+ pid [0-9]+)' "${node_procs[$((k - 1))]}")"
    node_urls+="${node_urls:+,}ws://127.0.0.1:${ready%% *}"
    node_pids+="${node_pids:+,}${ready##* }"
  done
}

# The warm-up of a ladder's running system (see bring_up): LOAD_WARMUP_UPDATES edits (default 30,000) by 100 clients
# on 10 documents at LOAD_WARMUP_RATE edits/s each (default 2: 1,800 deliveries/s offered), measured by nobody.
warmup_updates=${LOAD_WARMUP_UPDATES:-30000}
warmup_rate=${LOAD_WARMUP_RATE:-2}
scenario_args() {
  case "$1" in
    warmup) echo --clients 100 --documents 10 --rate "$warmup_rate" --warmup 0 --awareness 30 \
              --duration "$(awk -v u="$warmup_updates" -v r="$warmup_rate" 'BEGIN { printf "%.1f", u / (100 * r) }')" ;;
    smoke) echo --clients 12 --documents 3 --rate 5 --warmup 0.3 --duration 2 --awareness 1 ;;
    relay) echo --clients 1000 --documents 100 --rate 1 --warmup 30 --duration 30 --awareness 30 ;;
    peak-*) echo --clients 100 --documents 10 --rate "${1#peak-}" --warmup 10 --duration 10 --awareness 30 ;;
  esac
}
steps_of() {
  case "$1" in
    peak) echo peak-1 peak-1.25 peak-1.6 peak-2 peak-2.5 peak-3.2 peak-4 peak-5 peak-6.3 peak-8 peak-10 peak-12.5 \
               peak-16 peak-20 peak-25 peak-32 peak-40 peak-50 peak-63 peak-80 peak-100 ;;
    *) echo "$1" ;;
  esac
}

# bring_up SYSTEM NODES: starts SYSTEM's Redis and nodes for a whole ladder and warms them up: the nodes then serve
# every step of the ladder (each on documents of its own), so that a step measures running servers, not fresh JVMs
# compiling (RESULTS.md's cluster round 25: at 100 updates/s per node, C2 had not compiled the per-update path 60-75 s
# after connect, and the compilers were 45-52 % of three nodes' CPU). The warm-up is a number of updates, not
# seconds, so that the JIT's thresholds are passed whatever the machine's load; Hocuspocus gets the same.
bring_up() {
  local system=$1 n=$2
  redis_port=; redis_pid=
  [[ $system == ours-standalone ]] || start_redis
  start_nodes "$system" "$n" "$system-$n"
  up_urls[$system]=$node_urls; up_pids[$system]=$node_pids; up_procs[$system]="${node_procs[*]}"
  up_redis_port[$system]=$redis_port; up_redis_pid[$system]=${redis_pid:-}
  echo "== warm-up of $system × $n: $warmup_updates edits at $warmup_rate edits/s per client (not measured)"
  run_one "$system" "$n" warmup || echo "== warm-up of $system × $n: the generator reported errors (see its log); the ladder goes on"
}

# take_down SYSTEM: stops what bring_up started.
take_down() {
  local system=$1
  [[ -n "${up_procs[$system]:-}" ]] || return 0
  # shellcheck disable=SC2086
  stop ${up_procs[$system]}
  [[ -z "${up_redis_pid[$system]}" ]] || stop "${up_redis_pid[$system]}"
  unset "up_urls[$system]" "up_pids[$system]" "up_procs[$system]" "up_redis_port[$system]" "up_redis_pid[$system]"
}

# The generator's heap (its -Xms, touched at start; see the header): what a step allocates at 2 KiB per delivery
# offered over its warm-up, measured phase and drain, at least 512 MiB and at most 3 GiB, so that a low step does not
# spend 30-40 s of a loaded machine touching 3 GiB it never uses.
generator_heap_mib() { # ARGS...: the step's generator arguments
  local clients=0 documents=1 rate=0 warmup=0 duration=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --clients) clients=$2 ;; --documents) documents=$2 ;; --rate) rate=$2 ;; --warmup) warmup=$2 ;;
      --duration) duration=$2 ;;
    esac
    shift
  done
  awk -v c="$clients" -v d="$documents" -v r="$rate" -v w="$warmup" -v t="$duration" 'BEGIN {
    mib = c * r * (c / d - 1) * (w + t + 10) * 2 / 1024
    printf "%d", (mib < 512 ? 512 : mib > 3072 ? 3072 : mib) }'
}

# run_one SYSTEM NODES STEP: one generator on SYSTEM's running nodes (bring_up), or on fresh Redis and nodes stopped
# after the step; returns 1 if the generator reported errors or divergence.
run_one() {
  local system=$1 n=$2 step=$3 name="$1-$2-$3" rc=0
  local -a args
  read -r -a args <<<"$(scenario_args "$step")"
  if [[ -n "${LOAD_WARMUP:-}" && $step != warmup ]]; then
    for i in "${!args[@]}"; do [[ ${args[$i]} != --warmup ]] || args[$((i + 1))]=$LOAD_WARMUP; done
  fi
  local kept=0
  if [[ -n "${up_procs[$system]:-}" ]]; then
    kept=1
    node_urls=${up_urls[$system]}; node_pids=${up_pids[$system]}; read -r -a node_procs <<<"${up_procs[$system]}"
    redis_port=${up_redis_port[$system]}; redis_pid=${up_redis_pid[$system]}
    local p
    for p in "${node_procs[@]}"; do
      kill -0 "$p" 2>/dev/null || { echo "== $name: a node of $system ended before this step (see $logs/server-$system-$n-node*.log)"; return 1; }
    done
  fi
  local timeline=
  if [[ -n "${LOAD_TIMELINE:-}" && $step != warmup ]]; then
    timeline="$logs/timeline-$name.txt"
    rm -f "$timeline.stop" "$timeline.measured"
    python3 benchmarks/thread-timeline.py cluster "$timeline" "$timeline.stop" &
    pids+=("$!")
  fi
  if [[ $kept == 0 ]]; then
    [[ $system == ours-standalone ]] || start_redis
    start_nodes "$system" "$n" "$name"
  fi
  args+=(--protocol hocuspocus --scenario "$step" --server "$node_urls" --server-pid "${node_pids%%,*}"
         --node-pids "$node_pids" --prefix "$name-$(date +%s)-doc-")
  case "$system" in
    ours-standalone) args+=(--server-name "ours standalone" --database-pid "$db_pid") ;;
    ours) args+=(--server-name ours --database-pid "$db_pid" --redis "127.0.0.1:$redis_port") ;;
    hocuspocus) args+=(--server-name "hocuspocus + redis" --redis "127.0.0.1:$redis_port") ;;
  esac
  local out="$logs/generator-$name.log"
  echo "== $step on $system × $n ($(uptime | sed 's/.*load average/load average/')): LoadGenerator ${args[*]}"
  # shellcheck disable=SC2086
  setsid java -Xms"$(generator_heap_mib "${args[@]}")"m -Xmx16g ${LOAD_JAVA_OPTS:-$generator_gc} -cp "$jar" \
    ai.candlefish.collab.benchmarks.load.LoadGenerator "${args[@]}" >"$out" 2>&1 &
  local generator=$!
  pids+=("$generator")
  if [[ -n "$timeline" ]]; then # the measured phase's start, for the timeline's window
    (until grep -q 'warm-up done' "$out" 2>/dev/null; do kill -0 "$generator" 2>/dev/null || exit 0; sleep 0.1; done
     date +%s.%N >"$timeline.measured") &
  fi
  local -a breakdowns=()
  if [[ -n "${LOAD_BREAKDOWN:-}" && $system != hocuspocus && $step != warmup ]]; then
    local k=0 pid
    for pid in ${node_pids//,/ }; do
      k=$((k + 1))
      benchmarks/server-breakdown.sh "$pid" "$out" "$logs/server-$name-node$k.log" "$logs/breakdown-$name-node$k.txt" \
        "$generator" >/dev/null 2>"$logs/breakdown-$name-node$k.err" &
      breakdowns+=("$!")
    done
  fi
  wait "$generator" || rc=1
  stop "$generator"
  grep -v '^ROW \|^PEERS \|^CLUSTER ' "$out" | grep -v '^\[' || true
  if [[ ${#breakdowns[@]} -gt 0 ]]; then
    wait "${breakdowns[@]}" || true
    for k in $(seq 1 "${#breakdowns[@]}"); do
      echo "== node$k of $system × $n, $step: where its CPU goes, per delivered update of the cluster"
      cat "$logs/breakdown-$name-node$k.txt" "$logs/breakdown-$name-node$k.err" 2>/dev/null || true
    done
  fi
  if [[ -n "$timeline" ]]; then
    touch "$timeline.stop"
    local from duration
    from="$(cat "$timeline.measured" 2>/dev/null || true)"
    duration="$(sed -E 's/.*--duration ([0-9.]+).*/\1/' <<<"${args[*]}")"
    if [[ -n "$from" ]]; then
      echo "== $system × $n, $step: CPU and run-queue wait in the measured phase (benchmarks/thread-timeline.py)"
      sleep 0.5
      python3 benchmarks/thread-timeline.py window "$timeline" "$from" "$(awk -v a="$from" -v d="$duration" 'BEGIN { printf "%.3f", a + d }')" || true
    fi
  fi
  if [[ $kept == 0 ]]; then
    stop "${node_procs[@]}"
    [[ $system == ours-standalone ]] || stop "$redis_pid"
  fi
  [[ $rc == 0 ]] || { echo "== $name: the generator reported errors or divergence (see $out)"; return 1; }
}

# held SYSTEM NODES STEP: whether the step's p99 was under 100 ms and at least 95 % of the deliveries it offers came
# (each client's edits at its rate, to the other clients of its document: peak-R offers 900·R/s); run_one's status
# covers errors and convergence. A generator that falls behind sends its edits late and times each from when it sent
# it, so the p99 alone passed steps that nobody offered (as run-load.sh since c33b05e).
held() {
  node -e 'const r = JSON.parse(process.argv[1]); const offered = r.clients * r.rate * (r.clients / r.documents - 1)
    process.exit(r.relayP99Millis < 100 && r.deliveriesPerSecond >= 0.95 * offered ? 0 : 1)' \
    "$(sed -n 's/^CLUSTER //p' "$logs/generator-$1-$2-$3.log")"
}

needs_db=0
for s in "${system_list[@]}"; do [[ $s == hocuspocus ]] || needs_db=1; done
[[ $needs_db == 0 ]] || start_database

uptime_start="$(uptime)"
status=0
for scenario in "${scenario_list[@]}"; do
  read -r -a steps <<<"$(steps_of "$scenario")"
  if [[ ${#steps[@]} -gt 1 ]]; then
    # A ladder, per node count: every system still climbing runs each step before any runs the next (the first to
    # run a step alternates), so that on a shared machine the systems compared at a step ran minutes apart, not a
    # whole ladder apart. A step not held (errors, divergence, p99 >= 100 ms, under 95 % delivered) ends that
    # system's ladder.
    for n in "${node_counts[@]}"; do
      climbing=()
      for system in "${system_list[@]}"; do
        [[ $system != ours-standalone || $n == 1 ]] || continue
        climbing+=("$system")
        for step in "${steps[@]}"; do rm -f "$logs/generator-$system-$n-$step.log"; done
        bring_up "$system" "$n"
      done
      reversed=0
      for step in "${steps[@]}"; do
        [[ ${#climbing[@]} -gt 0 ]] || break
        order=("${climbing[@]}")
        if [[ $reversed == 1 ]]; then
          order=(); for ((i = ${#climbing[@]} - 1; i >= 0; i--)); do order+=("${climbing[$i]}"); done
        fi
        reversed=$((1 - reversed))
        climbing=()
        for system in "${order[@]}"; do
          if run_one "$system" "$n" "$step" && held "$system" "$n" "$step"; then
            climbing+=("$system")
          else
            echo "== $system × $n did not hold $step: no higher $scenario step"
            take_down "$system"
          fi
        done
        # back in the systems' order, for the next step's alternation
        order=("${climbing[@]+"${climbing[@]}"}"); climbing=()
        for system in "${system_list[@]}"; do
          [[ " ${order[*]+"${order[*]}"} " != *" $system "* ]] || climbing+=("$system")
        done
      done
      for system in "${climbing[@]+"${climbing[@]}"}"; do take_down "$system"; done
    done
    continue
  fi
  for system in "${system_list[@]}"; do
    for n in "${node_counts[@]}"; do
      [[ $system != ours-standalone || $n == 1 ]] || continue
      rm -f "$logs/generator-$system-$n-${steps[0]}.log"
      run_one "$system" "$n" "${steps[0]}" || status=1
    done
  done
done
uptime_end="$(uptime)"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(java -version 2>&1 | head -1); Node $(node --version); $(redis-server --version | cut -d' ' -f1-3)"
write_args=(--logs "$logs" --machine "$machine" --command "$command_line" --load-start "$uptime_start"
            --load-end "$uptime_end")
# The relay's warm-up as run (LOAD_WARMUP or the scenario's 30 s), for the section's heading.
write_args+=(--relay-warmup "${LOAD_WARMUP:-30}")
[[ $write == 1 ]] && write_args+=(--write benchmarks/RESULTS.md)
[[ $smoke == 1 ]] && write_args+=(--check-smoke)
node benchmarks/js/write-cluster-results.mjs "${write_args[@]}" || status=1
exit $status
