package ai.candlefish.collab.benchmarks;

import com.sun.management.ThreadMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the side-by-side harnesses ({@link TraceReplay}, {@code crdtbench.CrdtBench}) share with their Node
 * counterparts in benchmarks/js/measure.mjs: whole-run timing with medians, and the retained heap of a loaded
 * document. Not thread-safe; one harness per JVM.
 */
public final class Measure {
  private Measure() {}

  /** Median and extremes of a few measurements, in the unit the caller measured. */
  public record Stats(double median, double min, double max, int runs) {
    static Stats of(double[] values) {
      double[] v = values.clone();
      Arrays.sort(v);
      int mid = v.length / 2; // an even count's median is the mean of its middle two
      double median = v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
      return new Stats(median, v[0], v[v.length - 1], v.length);
    }

    /** {@code {"median":…,"min":…,"max":…,"runs":…}}, the shape the Node harnesses print. */
    public String json() {
      return String.format(Locale.ROOT, "{\"median\":%.4f,\"min\":%.4f,\"max\":%.4f,\"runs\":%d}", median, min,
          max, runs);
    }
  }

  /**
   * The measured runs: wall milliseconds (the table's figure), and for work timed whole the thread's CPU
   * milliseconds and allocated bytes per run (null otherwise), which a loaded machine does not distort.
   */
  public record Timing(Stats wall, Stats cpu, Stats allocated) {
    /** {@code ,"cpu":…,"allocated":…} to append to a JSON object (nulls for work that timed itself). */
    public String jsonFields() {
      return ",\"cpu\":" + (cpu == null ? "null" : cpu.json()) + ",\"allocated\":"
          + (allocated == null ? "null" : allocated.json());
    }
  }

  /** A measured piece of work: returns the milliseconds of the part it timed itself, or NaN to be timed whole. */
  @FunctionalInterface
  public interface Work {
    double run();
  }

  private static volatile Object sink;

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  /** Warm-up ends only after this much of the thread's CPU time (wall time on a loaded machine is not work) ... */
  static final long MIN_WARMUP_CPU_NS = 1_000_000_000L;
  /**
   * ... and once, for this many runs and at least {@link #SETTLED_WALL_NS}, the median CPU time of the last this
   * many runs fell by no more than {@link #BETTER} below its lowest value yet, is within {@link #NEAR_BEST} of it (a
   * method deoptimized and back in profiling code runs several times slower for hundreds of runs, the JIT quiet),
   * and the JIT compiled nothing; ...
   */
  static final int SETTLED_RUNS = 10;
  static final long SETTLED_WALL_NS = 1_000_000_000L;
  static final double BETTER = 0.02;
  static final double NEAR_BEST = 1.25;
  /** ... or when warm-up has used this much CPU time (its bound). */
  static final long MAX_WARMUP_CPU_NS = 10_000_000_000L;

  /** {@link #timing}'s wall time. */
  public static Stats time(int warmups, int runs, Work work) {
    return timing(warmups, runs, work).wall();
  }

  /**
   * {@code runs} runs after a warm-up, if {@code warmups > 0}: at least {@code warmups} runs and a second of this
   * thread's CPU time, then until run times settle (see {@link #MIN_WARMUP_CPU_NS} and the constants after it):
   * counting CPU time and runs instead of wall time, so that a loaded machine, where the JIT's threads wait for a
   * core, still measures compiled code. Work whose single run takes long gets fewer runs: past 10 s, the first run
   * is the only one (as measure.mjs does).
   */
  public static Timing timing(int warmups, int runs, Work work) {
    if (warmups > 0) {
      Run first = once(work);
      if (first.wallMs > 10_000) {
        return first.timing();
      }
      int affordable = (int) Math.floor(20_000 / Math.max(first.wallMs, 1e-3));
      runs = Math.max(1, Math.min(runs, affordable - 1));
      warmUp(warmups, work, first);
    }
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    double[] allocated = new double[runs];
    boolean whole = true;
    for (int i = 0; i < runs; i++) {
      Run r = once(work);
      wall[i] = r.wallMs;
      cpu[i] = r.cpuMs;
      allocated[i] = r.allocated;
      whole &= r.whole;
    }
    return new Timing(Stats.of(wall), whole ? Stats.of(cpu) : null, whole ? Stats.of(allocated) : null);
  }

  private static void warmUp(int warmups, Work work, Run first) {
    long cpuUsed = first.cpuNs;
    double[] recent = new double[SETTLED_RUNS];
    recent[0] = first.cpuNs;
    double recentMedian = Double.MAX_VALUE;
    double bestMedian = Double.MAX_VALUE;
    int run = 1;
    int lastChange = 1;
    long lastChangeAt = System.nanoTime();
    long compiled = JIT.getTotalCompilationTime();
    while (cpuUsed < MAX_WARMUP_CPU_NS) {
      boolean settled = run >= warmups && cpuUsed >= MIN_WARMUP_CPU_NS && run - lastChange >= SETTLED_RUNS
          && System.nanoTime() - lastChangeAt >= SETTLED_WALL_NS && recentMedian <= bestMedian * NEAR_BEST;
      if (settled) {
        break;
      }
      Run r = once(work);
      recent[run % SETTLED_RUNS] = r.cpuNs;
      run++;
      cpuUsed += r.cpuNs;
      long compiledNow = JIT.getTotalCompilationTime();
      if (run >= SETTLED_RUNS) {
        recentMedian = Stats.of(recent).median();
      }
      if (recentMedian < bestMedian * (1 - BETTER) || compiledNow != compiled) {
        lastChange = run;
        lastChangeAt = System.nanoTime();
      }
      bestMedian = Math.min(bestMedian, recentMedian);
      compiled = compiledNow;
    }
    if (Boolean.getBoolean("measure.debug")) { // -Dmeasure.debug=true: how long each warm-up took
      System.err.printf("warm-up: %d runs, %.0f ms CPU, median of the last runs %.3f ms, lowest %.3f ms%n", run,
          cpuUsed / 1e6, recentMedian / 1e6, bestMedian / 1e6);
    }
  }

  private record Run(double wallMs, long cpuNs, double cpuMs, double allocated, boolean whole) {
    Timing timing() {
      Stats wall = Stats.of(new double[] {wallMs});
      return new Timing(wall, whole ? Stats.of(new double[] {cpuMs}) : null,
          whole ? Stats.of(new double[] {allocated}) : null);
    }
  }

  private static Run once(Work work) {
    long thread = Thread.currentThread().getId();
    long a0 = THREADS.getThreadAllocatedBytes(thread);
    long c0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    double measured = work.run();
    long t1 = System.nanoTime();
    long c1 = THREADS.getCurrentThreadCpuTime();
    long a1 = THREADS.getThreadAllocatedBytes(thread);
    boolean whole = Double.isNaN(measured);
    return new Run(whole ? (t1 - t0) / 1e6 : measured, c1 - c0, (c1 - c0) / 1e6, a1 - a0, whole);
  }

  /** Above this encoded size, {@link #retainedHeap} loads one copy per round (and three rounds). */
  static final int LARGE_STATE_BYTES = 4_000_000;

  /**
   * Retained heap, in bytes per copy, of what {@code load} builds: copies are loaded in rounds and all kept
   * reachable, and each round's growth of the used heap after full GCs is divided by its copies; the median of the
   * rounds. Measuring growth while everything loaded stays reachable makes the figure immune to garbage left by
   * earlier work, and the median to a collection that comes late.
   */
  public static Stats retainedHeap(Supplier<Object> load, int stateBytes) {
    // A state of many megabytes (B4x100) is a large document per copy: fewer rounds, one copy each, so that all
    // copies fit in the heap; the copies of smaller states add up to a megabyte of state per round.
    boolean large = stateBytes > LARGE_STATE_BYTES;
    int rounds = large ? 3 : 5;
    int copies = large ? 1 : Math.min(200, Math.max(3, (int) Math.ceil(1e6 / Math.max(stateBytes, 1))));
    List<Object> kept = new ArrayList<>(rounds * copies + 1);
    kept.add(load.get()); // loads classes and warms up before the first round
    double[] perCopy = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long before = usedAfterGc();
      for (int i = 0; i < copies; i++) {
        kept.add(load.get());
      }
      perCopy[r] = (double) (usedAfterGc() - before) / copies;
    }
    sink = kept; // reachable until measured
    sink = null;
    return Stats.of(perCopy);
  }

  /** Used heap after full GCs: collects until the figure stops falling (at most ten times). */
  static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long now = memory.getHeapMemoryUsage().getUsed();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }
}
