#!/usr/bin/env python3
"""Where a server's threads spent each moment: CPU and run-queue wait per thread group, from the kernel.

Usage: benchmarks/thread-timeline.py record OUT [PORT]   (waits for run-load.sh's LoadServer on PORT, default 1234,
                                                           then every 50 ms until it exits)
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


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'record':
        record(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else '1234')
    elif len(sys.argv) >= 3 and sys.argv[1] == 'bursts':
        bursts(sys.argv[2:])
    else:
        sys.exit(__doc__)
