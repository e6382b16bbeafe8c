package ai.candlefish.collab.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time, resident memory and live heap of a JVM process on Linux, from outside: CPU from
 * {@code /proc/<pid>/stat} (utime + stime, in clock ticks), resident memory from {@code /proc/<pid>/status}, and
 * the heap from {@code jcmd <pid> GC.run} followed by {@code jcmd <pid> GC.heap_info} ("used" of the heap after a
 * full collection, so what the server retains, not its garbage).
 *
 * <p>Thread-safe.
 */
final class ProcessProbe {
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
  /** Serial and Parallel print one line per generation instead of one for the heap. */
  private static final Pattern GENERATION_USED = Pattern.compile("(?:generation|Gen)\\s+total \\d+K, used (\\d+)K");
  /** ZGC prints its heap in whole units: {@code ZHeap           used 38M, capacity 256M, ...}. */
  private static final Pattern ZHEAP_USED = Pattern.compile("ZHeap\\s+used (\\d+)([KMG])");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

  private final long pid;
  private final long ticksPerSecond;

  ProcessProbe(long pid) {
    this.pid = pid;
    this.ticksPerSecond = clockTicks();
  }

  long pid() {
    return pid;
  }

  /** Whether the process is a JVM (its heap can be asked for); false for Node, say. */
  boolean isJvm() {
    try {
      String command = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0", 2)[0];
      return command.equals("java") || command.endsWith("/java");
    } catch (IOException e) {
      return false;
    }
  }

  /** CPU time used so far (user + system), in nanoseconds. */
  long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
      return ticks * TimeUnit.SECONDS.toNanos(1) / ticksPerSecond;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
    }
  }

  /** Scheduler figures of a process's threads, summed: time waited on a run queue, and time slices run. */
  record SchedStat(long waitNanos, long slices) {
    /** The figures of the interval from {@code before} to this. */
    SchedStat minus(SchedStat before) {
      return new SchedStat(waitNanos - before.waitNanos, slices - before.slices);
    }

    /** The average wait for a core before a time slice, in milliseconds. */
    double waitPerSliceMillis() {
      return slices == 0 ? 0 : waitNanos / 1e6 / slices;
    }
  }

  /**
   * How long the live threads of the process together have waited on a run queue (ready, but no core free), and
   * how many time slices they ran: the second and third fields of {@code /proc/<pid>/task/<tid>/schedstat}.
   */
  SchedStat schedStat() {
    long wait = 0;
    long slices = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
          wait += Long.parseLong(f[1]);
          slices += Long.parseLong(f[2]);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the threads of process " + pid, e);
    }
    return new SchedStat(wait, slices);
  }

  /**
   * The collections so far, from {@code jstat -gc <pid>}: the young, full and concurrent cycles' pauses
   * ({@code YGC + FGC + CGC}) and the time of all of them ({@code GCT}); null if jstat cannot tell.
   */
  LoadReport.GcPauses gcPauses() {
    if (!isJvm()) {
      return null;
    }
    try {
      Process p = new ProcessBuilder("jstat", "-gc", Long.toString(pid)).redirectErrorStream(true).start();
      String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\n");
      p.waitFor(30, TimeUnit.SECONDS);
      if (lines.length < 2) {
        return null;
      }
      List<String> names = List.of(lines[0].trim().split("\\s+"));
      String[] values = lines[1].trim().split("\\s+");
      long count = 0;
      for (String column : List.of("YGC", "FGC", "CGC")) {
        int i = names.indexOf(column);
        if (i >= 0 && !values[i].equals("-")) {
          count += Long.parseLong(values[i]);
        }
      }
      return new LoadReport.GcPauses(count, Double.parseDouble(values[names.indexOf("GCT")]));
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Resident memory in bytes. */
  long rssBytes() {
    try {
      Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the memory of process " + pid, e);
    }
  }

  /** The heap in use after a full GC, in bytes (two {@code jcmd} calls, about a second). */
  long heapAfterGcBytes() {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (m.find()) {
      return Long.parseLong(m.group(1)) * 1024;
    }
    Matcher z = ZHEAP_USED.matcher(info);
    if (z.find()) {
      int shift = switch (z.group(2)) { case "K" -> 10; case "M" -> 20; default -> 30; };
      return Long.parseLong(z.group(1)) << shift;
    }
    Matcher generations = GENERATION_USED.matcher(info);
    long used = -1;
    while (generations.find()) {
      used = Math.max(used, 0) + Long.parseLong(generations.group(1)) * 1024;
    }
    if (used < 0) {
      throw new IllegalStateException("jcmd GC.heap_info printed no heap or generation total/used line: " + info);
    }
    return used;
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run jcmd (a JDK's bin on the PATH is needed)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The machine's 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "n/a";
    }
  }

  static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100; // USER_HZ on every Linux architecture we run on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
