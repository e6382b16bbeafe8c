package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whole-trace replays, the same measurements as benchmarks/js/trace-replay.mjs runs with Yjs, printed one JSON
 * line per trace for run-peers.mjs. Times are medians (and min–max) of whole runs after warm-up runs.
 *
 * <pre>
 * ./mvnw -q package -DskipTests -Dbenchmarks.smoke.skip -pl benchmarks -am
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
      System.out.println(measure(trace, smoke ? 0 : Math.max(1, runs / 2), smoke ? 1 : runs, smoke));
    }
  }

  static String measure(Trace trace, int warmups, int runs, boolean smoke) {
    long[] updateBytes = {0};
    Measure.Stats perTxn = Measure.time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      updateBytes[0] = Replays.replayPerTransaction(trace, doc);
      Replays.check(trace, doc);
      return Double.NaN;
    });
    Measure.Stats oneTxn = Measure.time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      Replays.replayOneTransaction(trace, doc);
      Replays.check(trace, doc);
      return Double.NaN;
    });
    Doc full = Doc.newBuilder().clientId(1).build();
    Replays.replayPerTransaction(trace, full);
    byte[] state = full.encodeStateAsUpdate();
    Measure.Stats encode = Measure.time(warmups, runs, () -> {
      sink = full.encodeStateAsUpdate();
      return Double.NaN;
    });
    Measure.Stats load = Measure.time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(2).build();
      doc.applyUpdate(state);
      Replays.check(trace, doc);
      return Double.NaN;
    });
    Measure.Stats heap = smoke ? null : Measure.retainedHeap(() -> {
      Doc doc = Doc.newBuilder().clientId(3).build();
      doc.applyUpdate(state);
      doc.getText("text");
      return doc;
    }, state.length);
    return String.format(Locale.ROOT,
        "{\"system\":\"collab-core\",\"version\":\"%s\",\"encoding\":\"Yjs update V1\",\"trace\":\"%s\","
            + "\"edits\":%d,\"txns\":%d,\"replayPerTxn\":%s,\"replayOneTxn\":%s,\"encode\":%s,\"load\":%s,"
            + "\"updateBytes\":%d,\"stateBytes\":%d,\"heap\":%s,\"heapBytes\":%s}",
        version(), trace.name(), trace.editCount(), trace.txns().size(), perTxn.json(), oneTxn.json(), encode.json(),
        load.json(), updateBytes[0], state.length, heap == null ? "null" : heap.json(),
        heap == null ? "null" : Long.toString(Math.round(heap.median())));
  }

  private static volatile Object sink;

  /** The version of collab-core on the class path (from its jar's manifest or Maven metadata), else "dev". */
  static String version() {
    String v = Doc.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (var in = Doc.class.getResourceAsStream(
        "/META-INF/maven/ai.candlefish.collab/collab-core/pom.properties")) {
      if (in != null) {
        var p = new java.util.Properties();
        p.load(in);
        return p.getProperty("version", "dev");
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    return "dev";
  }
}
