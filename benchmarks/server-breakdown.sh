#!/usr/bin/env bash
# Where a server's CPU per delivered update goes, over a load run's measured phase: run-load.sh starts this beside
# each generator when LOAD_BREAKDOWN=1 (see its header). Prints, per delivered update: the process's user and system
# time by thread group (/proc/<pid>/task/*/stat, thread names without their numbers: a JVM's event loops, C1 and C2
# compilers, GC threads; Node's main thread and its other threads), with context switches (voluntary: the thread
# slept and was woken; involuntary: preempted) and minor page faults; the system calls that move bytes or wait (perf
# stat's syscall tracepoints, where perf can count them); and the collector's and compiler's share: for a JVM, GC
# pauses, compilations, deoptimizations and bytes allocated, from the flight recording (benchmarks/breakdown.jfc)
# that run-load.sh starts the server with; for Node, the pauses and allocation its --trace-gc lines show.
#
# Usage: benchmarks/server-breakdown.sh SERVER_PID GENERATOR_LOG SERVER_LOG OUT [GENERATOR_PID]
#   GENERATOR_PID: the generator's, when it does not name SERVER_PID as its --server-pid (a cluster's other nodes).
#   The window opens when GENERATOR_LOG says "probes done" (the generator starts its counts right after) and closes
#   at its last periodic report of the measured phase; deliveries are the generator's delivered updates/s times the
#   window's length. OUT gets the figures (OUT.jfr the JVM's recording); the script ends after the generator's report.
set -euo pipefail
pid=$1 generator_log=$2 server_log=$3 out=$4
given_generator=${5:-}
# The generator's pid, looked up when needed (run-load.sh starts this right after the generator's fork, maybe before
# its exec).
generator() { if [[ -n $given_generator ]]; then echo "$given_generator"; else pgrep -f -- "--server-pid $pid" | head -1; fi; }
ticks=$(getconf CLK_TCK)

# One line per thread: group utime stime voluntary involuntary minor-faults (clock ticks; switches; page faults).
threads() {
  local task name stat rest
  for task in /proc/"$pid"/task/*; do
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    name=${stat#*(}; name=${name%)*}
    # Node names all its threads "node": its main thread (the event loop) is the one whose id is the process's.
    [[ ${task##*/} != "$pid" || $name != node ]] || name="node main"
    rest=${stat##*) }
    # Numbers inside a name tell threads of one kind apart: "C2 CompilerThread0", "collab-io-3-1", "GC Thread#1".
    name=$(sed -E ':a; s/[#-]?[0-9]+$//; ta; s/ +$//; s/ /_/g' <<<"$name")
    read -r -a f <<<"$rest"
    awk -v n="$name" -v u="${f[11]}" -v s="${f[12]}" -v mf="${f[7]}" '
      /^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { nv = $2 }
      END { print n, u, s, v, nv, mf }' "$task/status" 2>/dev/null || true
  done
}

until grep -q 'probes done' "$generator_log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 0.05
done
start=$(date +%s.%N)
log_start=$(stat -c %s "$server_log")
threads >"$out.before"
perf_pid=
if perf stat -e syscalls:sys_enter_sendto -p "$pid" -- true >/dev/null 2>&1; then
  events=$(for c in sendto sendmsg write writev recvfrom read readv epoll_wait epoll_pwait epoll_pwait2 futex \
    io_uring_enter; do
    [[ -d /sys/kernel/tracing/events/syscalls/sys_enter_$c ]] && printf 'syscalls:sys_enter_%s,' "$c"
  done)
  perf stat -x, -e "${events%,}" -p "$pid" -o "$out.perf" &
  perf_pid=$!
fi

# The last periodic report: the generator logs "measured phase:" after its drain, so the report before it ends the
# window; poll the report lines and close when one says the phase is over.
duration=$(tr '\0' ' ' </proc/"$(generator)"/cmdline 2>/dev/null \
  | grep -o -- '--duration [0-9]*' | awk '{ print $2 }' || true)
: "${duration:=30}"
until grep -qE "^.*[^0-9]($duration|$((duration + 1)))\.[0-9]+ s: relay" "$generator_log"; do
  if ! kill -0 "$pid" 2>/dev/null || grep -q 'measured phase:' "$generator_log"; then break; fi
  sleep 0.05
done
end=$(date +%s.%N)
threads >"$out.after"
log_end=$(stat -c %s "$server_log")
if [[ -n "$perf_pid" ]]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi

# The generator's report (delivered updates/s) comes after its drain and convergence check.
until grep -q '^PEERS \|^ROW ' "$generator_log" 2>/dev/null; do
  [[ -n "$(generator)" ]] && kill -0 "$(generator)" 2>/dev/null || break
  sleep 0.5
done
rate=$(sed -n 's/^PEERS //p' "$generator_log" | awk -F'|' '{ gsub(/ /, "", $6); print $6 }')
if [[ -z "$rate" || "$rate" == "–" ]]; then
  echo "server-breakdown: no delivered updates/s in $generator_log" >"$out"
  exit 0
fi
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
deliveries=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { printf "%.0f", r * s }')

{
  echo "window ${seconds} s, ${deliveries} deliveries (${rate}/s); per delivered update:"
  # By group, so a thread that ended or started in the window counts what the group's others show (not per thread).
  awk -v hz="$ticks" -v d="$deliveries" '
    FNR == NR { bu[$1] += $2; bs[$1] += $3; bv[$1] += $4; bn[$1] += $5; bf[$1] += $6; next }
    { au[$1] += $2; as[$1] += $3; av[$1] += $4; an[$1] += $5; af[$1] += $6 }
    END {
      us = 1e6 / hz / d
      for (g in au) {
        u = (au[g] - bu[g]) * us; s = (as[g] - bs[g]) * us
        if (u + s < 0.05 && (av[g] - bv[g]) / d < 0.001) continue
        printf "  %-28s user %6.2f µs  system %6.2f µs  switches %.3f voluntary, %.3f involuntary  " \
          "page faults %.3f\n", g, u, s, (av[g] - bv[g]) / d, (an[g] - bn[g]) / d, (af[g] - bf[g]) / d
        tu += u; ts += s; tv += av[g] - bv[g]; tn += an[g] - bn[g]; tf += af[g] - bf[g]
      }
      printf "  %-28s user %6.2f µs  system %6.2f µs  switches %.3f voluntary, %.3f involuntary  " \
        "page faults %.3f\n", "ALL", tu, ts, tv / d, tn / d, tf / d
    }' "$out.before" "$out.after" | sort -k3,3nr
  if [[ -s "$out.perf" ]]; then
    awk -F, -v d="$deliveries" '$3 ~ /syscalls/ && $1 + 0 > 0 {
      sub(/syscalls:sys_enter_/, "", $3); printf "  syscall %-14s %.3f\n", $3, $1 / d }' "$out.perf"
  fi
  # Node's --trace-gc: "... ms: Scavenge 12.3 (14.5) -> 11.9 (15.5) MB, 0.78 / 0.00 ms ..."; the heap before a
  # collection less the heap after the previous one is what was allocated between them.
  tail -c +"$((log_start + 1))" "$server_log" | head -c "$((log_end - log_start))" | awk -v d="$deliveries" '
    / ms: (Scavenge|Mark-Compact|Mark-sweep|Minor)/ {
      n++; match($0, /MB, [0-9.]+ \/ /); pause += substr($0, RSTART + 4, RLENGTH - 7)
      match($0, /[0-9.]+ \([0-9.]+\) -> [0-9.]+/); split(substr($0, RSTART, RLENGTH), h, " ")
      if (n > 1 && h[1] > last) alloc += h[1] - last; last = h[4]
      kind[$0 ~ /Scavenge|Minor/ ? "young" : "full"]++
    }
    END {
      if (n) printf "  node GC: %d collections (%d young), pauses %.1f ms = %.2f µs per delivery; " \
        "allocated ~%.2f KiB per delivery\n", n, kind["young"], pause, pause * 1000 / d, alloc * 1024 / d }'
} >"$out"

# A JVM's flight recording (if it was started with one): GC pauses, compilations and allocation in the window.
if [[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" == *StartFlightRecording* ]]; then
  jcmd "$pid" JFR.dump filename="$out.jfr" >/dev/null
  from=$(date -u -d "@$start" +%H:%M:%S.%N | cut -c1-12) to=$(date -u -d "@$end" +%H:%M:%S.%N | cut -c1-12)
  jfr print --events jdk.GarbageCollection,jdk.Compilation,jdk.Deoptimization,jdk.ThreadAllocationStatistics \
    "$out.jfr" | awk \
    -v from="$from" -v to="$to" -v d="$deliveries" '
    /^jdk\.[A-Za-z]+ \{/ { event = $1; inside = 0 }
    /startTime = / { t = $3; inside = (t >= from && t <= to) }
    event == "jdk.GarbageCollection" && inside && /sumOfPauses = / { gcs++; pauses += ms($3, $4) }
    event == "jdk.Compilation" && inside && /duration = / { compiles++; compile += ms($3, $4) }
    event == "jdk.Deoptimization" && inside && /method = / { deopts++ }
    event == "jdk.ThreadAllocationStatistics" && /allocated = / { value = bytes($3, $4) }
    event == "jdk.ThreadAllocationStatistics" && /thread = / {
      name = $0; sub(/.*thread = /, "", name)
      if (inside) { if (!(name in first)) first[name] = value; lastv[name] = value } }
    function ms(v, unit) {
      gsub(/,/, "", v); return unit ~ /^s/ ? v * 1000 : unit ~ /^us/ ? v / 1000 : unit ~ /^ns/ ? v / 1e6 : v }
    function bytes(v, unit) {
      gsub(/,/, "", v); return unit ~ /^kB/ ? v * 1024 : unit ~ /^MB/ ? v * 1048576 : unit ~ /^GB/ ? v * 1073741824 : v }
    END {
      for (n in first) alloc += lastv[n] - first[n]
      printf "  JVM: %d GC pauses, %.1f ms = %.2f µs per delivery; %d compilations (%.0f ms), %d deoptimizations; " \
        "allocated %.2f KiB per delivery (threads alive at both ends)\n", gcs, pauses, pauses * 1000 / d, compiles,
        compile, deopts, alloc / 1024 / d }' >>"$out"
fi
rm -f "$out.before" "$out.after"
cat "$out"
