package ai.candlefish.collab.benchmarks;

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

  /** A measured piece of work: returns the milliseconds of the part it timed itself, or NaN to be timed whole. */
  @FunctionalInterface
  public interface Work {
    double run();
  }

  private static volatile Object sink;

  /**
   * Milliseconds of {@code runs} runs after {@code warmups} warm-up runs (and at least a second of them, if any, so
   * that short work gets compiled). Work whose single run takes long gets fewer runs: past 10 s, the first run is
   * the only one (as measure.mjs does).
   */
  public static Stats time(int warmups, int runs, Work work) {
    if (warmups > 0) {
      double first = once(work);
      if (first > 10_000) {
        return Stats.of(new double[] {first});
      }
      int affordable = (int) Math.floor(20_000 / Math.max(first, 1e-3));
      runs = Math.max(1, Math.min(runs, affordable - 1));
      warmups = Math.max(1, Math.min(warmups, affordable - runs));
      long warmupEnd = System.nanoTime() + 1_000_000_000L;
      for (int i = 1; i < warmups || System.nanoTime() < warmupEnd; i++) {
        once(work);
      }
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      ms[i] = once(work);
    }
    return Stats.of(ms);
  }

  private static double once(Work work) {
    long t0 = System.nanoTime();
    double measured = work.run();
    long t1 = System.nanoTime();
    return Double.isNaN(measured) ? (t1 - t0) / 1e6 : measured;
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
