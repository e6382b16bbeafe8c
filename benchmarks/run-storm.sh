#!/usr/bin/env bash
# Reconnect storm: N clients of both protocols (benchmarks/js/churn.mjs --mode=storm: real Yjs documents, half
# y-websocket and half Hocuspocus by default, --edits unique tokens inserted a second by random clients, every closed
# client reconnecting with a random backoff of 50 ms doubling up to 2.5 s, as the providers do) against
# StoreLoadServer (collab-netty's CollabServer on a JdbcDocumentStore in an H2 file), through a relay (churn.mjs
# --mode=relay, a process of its own) that can cut the network, and:
#   1. once all are synced and have edited for --hold seconds: the server is killed with kill -9 and started again at
#      once on the same file (every client must reconnect and sync again);
#   2. once all are synced again and have edited for --hold seconds: the network is cut for --cut seconds (the relay
#      resets every connection and refuses connects), then comes back;
#   3. once all are synced again: edits stop, and fresh clients read every document: every token the server
#      acknowledged (Hocuspocus sync status) and every token sent must be in its document, every client converged.
# Prints, per storm, the time from the kill (or the cut) until every client was synced again, and the server's peak
# RSS and CPU during it (sampled from /proc every 0.5 s); exits 1 if a check failed. Logs in benchmarks/target/storm.
#
# Usage: benchmarks/run-storm.sh [--no-build] [--port P] [--relay-port R] [--clients N] [--docs D] [--hp SHARE]
#                                 [--edits E] [--hold S] [--cut S]
#   defaults: port 4321, the relay on port + 1, 2,000 clients on 200 documents, hp 0.5, 300 edits/s, hold 10 s,
#   cut 5 s
# Environment: STORM_CLASSPATH (the server's classpath instead of BENCHMARKS_JAR or benchmarks/target/benchmarks.jar;
#   the smoke test passes its own), SERVER_FLAGS (default -Xms256m -Xmx2g -XX:+UseG1GC).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1 port=4321 relay='' clients=2000 docs=200 hp=0.5 edits=300 hold=10 cut=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --port) port="$2"; shift ;;
    --relay-port) relay="$2"; shift ;;
    --clients) clients="$2"; shift ;;
    --docs) docs="$2"; shift ;;
    --hp) hp="$2"; shift ;;
    --edits) edits="$2"; shift ;;
    --hold) hold="$2"; shift ;;
    --cut) cut="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 0 ;;
    *) echo "run-storm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
relay=${relay:-$((port + 1))}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $build == 1 ]]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
  node collab-core/src/test/js/ensure-node-modules.mjs benchmarks/js
fi
classpath=${STORM_CLASSPATH:-${BENCHMARKS_JAR:-benchmarks/target/benchmarks.jar}}
logs=$(pwd)/benchmarks/target/storm/$port
rm -rf "$logs"
mkdir -p "$logs"
stop_file=$logs/stop cut_file=$logs/cut churn_log=$logs/churn.log samples=$logs/server-samples.txt

server_pid='' churn_pid='' sampler_pid='' relay_pid=''
cleanup() {
  for p in $sampler_pid $churn_pid $relay_pid $server_pid; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# start_server N: server run N (a log each), on the same H2 file.
start_server() {
  local log=$logs/server-$1.log
  # shellcheck disable=SC2086
  setsid java ${SERVER_FLAGS:--Xms256m -Xmx2g -XX:+UseG1GC} -cp "$classpath" \
    ai.candlefish.collab.benchmarks.load.StoreLoadServer "$port" "$logs/db" >"$log" 2>&1 &
  server_pid=$!
  echo "$server_pid" >"$logs/server.pid"
  for _ in $(seq 1 300); do
    grep -q "StoreLoadServer ready" "$log" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "run-storm.sh: the server did not start (see $log)" >&2
  exit 1
}

# Samples the running server's RSS (KiB), CPU (clock ticks, utime + stime) and accept queue (connections the kernel
# accepted that the server has not taken yet; its limit is the server's backlog) every 0.5 s:
# "<ms> <pid> <rss> <ticks> <queue>".
sample() {
  while true; do
    local p
    p=$(cat "$logs/server.pid" 2>/dev/null || true)
    if [[ -n "$p" && -r /proc/$p/stat ]]; then
      local rss ticks queue
      rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
      ticks=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
      queue=$(ss -Hltn "sport = :$port" 2>/dev/null | awk '{ print $2; exit }')
      echo "$(date +%s%3N) $p ${rss:-0} ${ticks:-0} ${queue:-0}" >>"$samples"
    fi
    sleep 0.5
  done
}

# wait_synced SINCE-LINE: waits until churn.mjs reports all clients synced after line SINCE-LINE of its log.
wait_synced() {
  for _ in $(seq 1 1200); do
    tail -n "+$1" "$churn_log" | grep -q "RESYNCED all" && return 0
    kill -0 "$churn_pid" 2>/dev/null || { cat "$churn_log" >&2; exit 1; }
    sleep 0.1
  done
  echo "run-storm.sh: the clients did not all sync again within 120 s (see $churn_log)" >&2
  exit 1
}

# The kernel's count of connections dropped because a listening socket's accept queue was full (a client then
# waits for its SYN or ACK to be sent again: 1, 3, 7 s...); machine-wide, so other programs' drops count too.
listen_overflows() {
  nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ { print $2 }' || echo 0
}

# report NAME FROM-MS SINCE-LINE: the storm that began at FROM-MS: time until all synced (the last client's sync, as
# churn.mjs reports it after line SINCE-LINE of its log), server peak RSS and CPU until then.
report() {
  local until_ms
  until_ms=$(tail -n "+$3" "$churn_log" | grep -m1 "RESYNCED all" | sed 's/.*lastSyncedAt //')
  local hz
  hz=$(getconf CLK_TCK)
  awk -v from="$2" -v until="$until_ms" -v hz="$hz" -v name="$1" '
    $1 >= from && $1 <= until {
      if (!(($2) in first)) { first[$2] = $4 }
      last[$2] = $4; if ($3 > peak) peak = $3; if ($5 > queue) queue = $5
    }
    END {
      for (p in first) cpu += (last[p] - first[p]) / hz
      printf "%s: all %d clients synced again %.1f s after it; server peak RSS %.0f MiB, CPU %.1f s (%.0f %% of a core); accept queue at most %d;",
        name, '"$clients"', (until - from) / 1000, peak / 1024, cpu, 100 * cpu / ((until - from) / 1000), queue
    }' "$samples" | tee -a "$logs/summary.txt"
  echo " accept queue overflows $(( $(listen_overflows) - overflows ))" | tee -a "$logs/summary.txt"
}

start_server 1
sample &
sampler_pid=$!
(cd benchmarks/js && exec node churn.mjs --mode=relay --port="$port" --via="$relay" --cut="$cut_file") \
  >"$logs/relay.log" 2>&1 &
relay_pid=$!
for _ in $(seq 1 100); do grep -q "RELAY listening" "$logs/relay.log" && break; sleep 0.1; done
(cd benchmarks/js && exec node churn.mjs --mode=storm --port="$relay" --clients="$clients" --docs="$docs" \
  --hp="$hp" --edits="$edits" --stop="$stop_file") >"$churn_log" 2>&1 &
churn_pid=$!
wait_synced 1
echo "connected: $(grep -m1 'RESYNCED all' "$churn_log")" | tee "$logs/summary.txt"
sleep "$hold"

mark=$(wc -l <"$churn_log")
overflows=$(listen_overflows)
start_ms=$(date +%s%3N)
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
start_server 2
echo "kill -9: the new server listened $(( $(date +%s%3N) - start_ms )) ms after the kill" | tee -a "$logs/summary.txt"
wait_synced $((mark + 1))
report "kill -9" "$start_ms" $((mark + 1))
sleep "$hold"

mark=$(wc -l <"$churn_log")
overflows=$(listen_overflows)
start_ms=$(date +%s%3N)
touch "$cut_file"
sleep "$cut"
rm -f "$cut_file"
wait_synced $((mark + 1))
report "network cut of $cut s" "$start_ms" $((mark + 1))

touch "$stop_file"
wait "$churn_pid" || true
churn_pid=''
verify=$(grep -m1 "VERIFY" "$churn_log" || true)
echo "$verify" | tee -a "$logs/summary.txt"
grep "closes" "$churn_log" | tail -1 | tee -a "$logs/summary.txt"
if [[ "$verify" =~ missingAcked\ 0\ .*missingSent\ 0\ divergedClients\ 0$ ]]; then
  echo "run-storm.sh: passed" | tee -a "$logs/summary.txt"
else
  echo "run-storm.sh: FAILED: acknowledged or sent edits missing, or clients diverged (see $churn_log)" | tee -a "$logs/summary.txt"
  exit 1
fi
