package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Whole-trace replays, the same measurements as benchmarks/js/trace-replay.mjs runs with Yjs, printed one JSON
 * line per trace for run-peers.mjs. Times are medians (and min–max) of whole runs after warm-up runs.
 *
 * <pre>
 * ./mvnw -q install -DskipTests
 * java -cp benchmarks/target/benchmarks.jar ai.candlefish.collab.benchmarks.TraceReplay [--runs N] [--trace NAME] [--smoke]
 * </pre>
 */
public final class TraceReplay {
  private TraceReplay() {}

  public static void main(String[] args) {
    int runs = 10;
    boolean smoke = false;
    List<String> names = new ArrayList<>(Trace.NAMES);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--trace" -> names = List.of(args[++i]);
        case "--smoke" -> smoke = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --runs N, --trace NAME, --smoke)");
      }
    }
    for (String name : names) {
      Trace trace = Trace.load(name);
      if (smoke) {
        trace = trace.prefix(2000);
      }
      System.out.println(measure(trace, smoke ? 0 : Math.max(3, runs / 2), smoke ? 1 : runs));
    }
  }

  static String measure(Trace trace, int warmups, int runs) {
    long[] updateBytes = {0};
    String perTxn = time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      updateBytes[0] = Replays.replayPerTransaction(trace, doc);
      Replays.check(trace, doc);
      return 0;
    });
    String oneTxn = time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      Replays.replayOneTransaction(trace, doc);
      Replays.check(trace, doc);
      return 0;
    });
    Doc full = Doc.newBuilder().clientId(1).build();
    Replays.replayPerTransaction(trace, full);
    byte[][] state = {full.encodeStateAsUpdate()};
    String encode = time(warmups, runs, () -> full.encodeStateAsUpdate().length);
    String load = time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(2).build();
      doc.applyUpdate(state[0]);
      Replays.check(trace, doc);
      return 0;
    });
    long heap = retainedHeapOfLoadedDoc(state[0]);
    return String.format(Locale.ROOT,
        "{\"system\":\"collab-core\",\"trace\":\"%s\",\"edits\":%d,\"txns\":%d,\"replayPerTxn\":%s,"
            + "\"replayOneTxn\":%s,\"encode\":%s,\"load\":%s,\"updateBytes\":%d,\"stateBytes\":%d,\"heapBytes\":%d}",
        trace.name(), trace.editCount(), trace.txns().size(), perTxn, oneTxn, encode, load, updateBytes[0],
        state[0].length, heap);
  }

  /** {"median":ms,"min":ms,"max":ms} over {@code runs} runs after {@code warmups} runs. */
  private static String time(int warmups, int runs, LongSupplier work) {
    long sink = 0;
    // Warm up for the given number of runs and at least a second, so that short operations get compiled too.
    long warmupEnd = System.nanoTime() + (warmups > 0 ? 1_000_000_000L : 0);
    for (int i = 0; i < warmups || System.nanoTime() < warmupEnd; i++) {
      sink += work.getAsLong();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      sink += work.getAsLong();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    if (sink == 42) {
      System.err.print(""); // keep the results alive
    }
    return String.format(Locale.ROOT, "{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f}", ms[runs / 2], ms[0],
        ms[runs - 1]);
  }

  /** Heap held by a document loaded from {@code state}: the average of several copies, measured after full GCs. */
  private static long retainedHeapOfLoadedDoc(byte[] state) {
    int copies = Math.max(8, (int) Math.ceil(4e6 / state.length)); // enough copies to rise above the noise
    long before = usedAfterGc();
    Doc[] docs = new Doc[copies];
    for (int i = 0; i < copies; i++) {
      docs[i] = Doc.newBuilder().clientId(3).build();
      docs[i].applyUpdate(state);
      docs[i].getText("text");
    }
    long after = usedAfterGc();
    if (docs[copies - 1].clientId() != 3) {
      throw new AssertionError(); // keeps the documents reachable until here
    }
    return (after - before) / copies;
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
