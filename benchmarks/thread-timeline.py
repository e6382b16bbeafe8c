#!/usr/bin/env python3
"""Where a server's threads spent each moment: CPU and run-queue wait per thread group, from the kernel.

Usage: benchmarks/thread-timeline.py record OUT [PORT]   (waits for run-load.sh's LoadServer on PORT, default 1234,
                                                           then every 50 ms until it exits)
       benchmarks/thread-timeline.py cluster OUT STOP     (every process of a run-cluster-load.sh step: our nodes,
                                                           Hocuspocus instances, PostgreSQL, Redis, the generator;
                                                           every second until the file STOP exists; one sample
                                                           costs ~15 ms of CPU)
       benchmarks/thread-timeline.py window OUT FROM TO   (a cluster recording between two Unix times: per process
                                                           kind and thread group, ms ran and waited per second)
       benchmarks/thread-timeline.py bursts OUT...        (per recording: the blocking pool's largest 250 ms, the
                                                           250 ms windows in which it ran 25 ms or more, and the CPU
                                                           of each group in the last 22.5 s: a peak step's measured
                                                           phase and its end)

Each line of a recording is a wall-clock time and, per thread group (the thread's name without its number), the
milliseconds it ran and waited for a core since the line before (/proc/PID/task/*/schedstat: nanoseconds on a CPU
and on a run queue, kernel time included). JFR's execution samples miss the kernel and a thread that waits for a
core; this shows both, to set beside the load generator's slow updates (-Dload.tailMillis) and a GC log.
"""
import collections
import glob
import os
import re
import sys
import time


def find_server(port):
    for path in glob.glob('/proc/[0-9]*/cmdline'):
        try:
            args = open(path, 'rb').read().split(b'\0')
        except OSError:
            continue
        if args and args[0].endswith(b'java') and b'ai.candlefish.collab.benchmarks.load.LoadServer' in args \
                and port.encode() in args:
            return path.split('/')[2]
    return None


def record(out_path, port):
    pid = None
    for _ in range(600):
        pid = find_server(port)
        if pid:
            break
        time.sleep(0.1)
    if not pid:
        sys.exit('thread-timeline.py: no LoadServer on port %s within 60 s' % port)
    previous = {}
    with open(out_path, 'w') as out:
        while os.path.exists('/proc/%s' % pid):
            start = time.time()
            current = {}
            for task in glob.glob('/proc/%s/task/*' % pid):
                try:
                    name = open(task + '/comm').read().strip()
                    ran, waited, _ = open(task + '/schedstat').read().split()
                except (OSError, ValueError):
                    continue  # the thread ended meanwhile
                current[task] = (re.sub(r'[-#\s]*\d+$', '', name).replace(' ', '_'), int(ran), int(waited))
            groups = collections.defaultdict(lambda: [0, 0])
            for task, (group, ran, waited) in current.items():
                if task in previous:
                    groups[group][0] += ran - previous[task][1]
                    groups[group][1] += waited - previous[task][2]
            previous = current
            if groups:
                out.write('%.3f %s\n' % (start, ' '.join('%s=%.1f/%.1f' % (g, r / 1e6, w / 1e6)
                                                         for g, (r, w) in sorted(groups.items()) if r or w)))
                out.flush()
            time.sleep(max(0.0, 0.05 - (time.time() - start)))


def kind(group):
    if group.startswith('collab-io'):
        return 'io'
    if group.startswith('collab-blocking'):
        return 'blocking'
    if 'Compiler' in group:
        return 'jit'
    if group.startswith('G1') or group.startswith('GC'):
        return 'gc'
    return 'other'


def bursts(paths):
    for path in paths:
        windows = collections.defaultdict(lambda: collections.defaultdict(float))
        for line in open(path):
            when, *groups = line.split()
            window = int(float(when) * 4)
            for entry in groups:
                group, times = entry.rsplit('=', 1)
                windows[window][kind(group)] += float(times.split('/')[0])
        last = sorted(windows)[-90:]
        blocking = [windows[w]['blocking'] for w in last]
        print('%s: blocking pool at most %.0f ms of CPU in a 250 ms window, %d windows with 25 ms or more; CPU in the '
              'last 22.5 s (ms): %s' % (path, max(blocking), sum(1 for b in blocking if b >= 25),
                                      ', '.join('%s %.0f' % (k, sum(windows[w][k] for w in last))
                                                for k in ('io', 'blocking', 'jit', 'gc'))))


def cluster_kind(cmdline):
    """The part a process plays in a run-cluster-load.sh step, or None."""
    program = cmdline.split(b'\0')[0]
    if b'ai.candlefish.collab.benchmarks.load.ClusterLoadServer' in cmdline:
        return 'node'
    if b'load-server.mjs' in cmdline:
        return 'hocuspocus'
    if b'ai.candlefish.collab.benchmarks.load.LoadGenerator' in cmdline:
        return 'generator'
    if b'redis-server' in program:  # it rewrites its title: 'redis-server 127.0.0.1:PORT'
        return 'redis'
    if program.startswith(b'postgres') or program.endswith(b'/postgres'):
        return 'postgres'
    return None


def record_cluster(out_path, stop_path):
    """Each line: a wall-clock time and, per process kind and thread group, ns ran and waited so far (cumulative)."""
    kinds = {}  # pid -> kind or None: a command line is read when first seen (and every 5 s while it plays no part)
    with open(out_path, 'w') as out:
        while not os.path.exists(stop_path):
            start = time.time()
            totals = collections.defaultdict(lambda: [0, 0])
            for proc in glob.glob('/proc/[0-9]*'):
                if kinds.get(proc, 'unknown') == 'unknown' or (kinds[proc] is None and int(start) % 5 == 0):
                    # read again now and then: a fork read before its exec showed the shell's command line
                    try:
                        kinds[proc] = cluster_kind(open(proc + '/cmdline', 'rb').read())
                    except OSError:
                        continue
                what = kinds[proc]
                if not what:
                    continue
                for task in glob.glob(proc + '/task/*'):
                    try:
                        name = open(task + '/comm').read().strip()
                        ran, waited, _ = open(task + '/schedstat').read().split()
                    except (OSError, ValueError):
                        continue
                    group = re.sub(r'[-#\s]*\d+$', '', name).replace(' ', '_') or '?'
                    key = '%s:%s:%s' % (what, proc.split('/')[2], group)
                    totals[key][0] += int(ran)
                    totals[key][1] += int(waited)
            out.write('%.3f %s\n' % (start, ' '.join('%s=%d/%d' % (k, r, w) for k, (r, w) in totals.items())))
            out.flush()
            time.sleep(max(0.0, 1 - (time.time() - start)))


def window(path, begin, end):
    """Per kind and group, ms ran and waited per second between the samples nearest to begin and end."""
    samples = []
    for line in open(path):
        when, *entries = line.split()
        samples.append((float(when), dict((e.rsplit('=', 1)[0], tuple(map(int, e.rsplit('=', 1)[1].split('/'))))
                                          for e in entries)))
    first = min(samples, key=lambda s: abs(s[0] - begin))
    last = min(samples, key=lambda s: abs(s[0] - end))
    seconds = last[0] - first[0]
    if seconds <= 0:
        sys.exit('thread-timeline.py: no samples between %s and %s in %s' % (begin, end, path))
    groups = collections.defaultdict(lambda: [0, 0])
    kinds = collections.defaultdict(lambda: [0, 0])
    for key, (ran, waited) in last[1].items():
        if key in first[1]:  # a thread group seen at both ends (a PostgreSQL backend that came meanwhile is not)
            what, _, group = key.split(':', 2)
            for acc in (groups['%s %s' % (what, group)], kinds[what]):
                acc[0] += ran - first[1][key][0]
                acc[1] += waited - first[1][key][1]
    print('%.1f s from %s: ms per second ran / waited for a core' % (seconds, time.strftime('%H:%M:%S', time.gmtime(first[0]))))
    for name, (ran, waited) in sorted(kinds.items()):
        print('  %-40s %7.1f / %7.1f' % (name, ran / 1e6 / seconds, waited / 1e6 / seconds))
    for name, (ran, waited) in sorted(groups.items(), key=lambda g: -g[1][0]):
        if ran / 1e6 / seconds >= 1 or waited / 1e6 / seconds >= 1:
            print('    %-38s %7.1f / %7.1f' % (name, ran / 1e6 / seconds, waited / 1e6 / seconds))


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'cluster':
        record_cluster(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == 'window':
        window(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) >= 3 and sys.argv[1] == 'record':
        record(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else '1234')
    elif len(sys.argv) >= 3 and sys.argv[1] == 'bursts':
        bursts(sys.argv[2:])
    else:
        sys.exit(__doc__)
