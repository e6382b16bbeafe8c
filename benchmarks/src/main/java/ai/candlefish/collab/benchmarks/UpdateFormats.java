package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Yjs update format v1 against v2 on the four traces: the size of the whole document's state, of all per-transaction
 * updates together, the same gzipped, and the time to encode the state and to load it into a new document. Times are
 * medians of whole runs after warm-up runs (see {@link Measure#time}). Prints a Markdown table (benchmarks/RESULTS.md,
 * section "Update format v1 vs v2").
 *
 * <pre>
 * ./mvnw -q package -DskipTests -Dbenchmarks.smoke.skip -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar ai.candlefish.collab.benchmarks.UpdateFormats [--runs N] [--trace NAME] [--smoke]
 * </pre>
 */
public final class UpdateFormats {
  private UpdateFormats() {}

  public static void main(String[] args) {
    int runs = 5;
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
    System.out.println("| trace | txns | state v1 | state v2 | v2/v1 | state v1 gz | state v2 gz | updates v1 | updates v2"
        + " | v2/v1 | encode v1 ms | encode v2 ms | load v1 ms | load v2 ms |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (String name : names) {
      Trace trace = Trace.load(name);
      if (smoke) {
        trace = trace.prefix(2000);
      }
      System.out.println(row(trace, smoke ? 0 : Math.max(1, runs / 2), smoke ? 1 : runs));
    }
  }

  static String row(Trace trace, int warmups, int runs) {
    Doc full = Doc.newBuilder().clientId(1).build();
    long[] updates = {0, 0};
    full.onUpdateV2((update, origin, txn) -> updates[1] += update.length);
    updates[0] = Replays.replayPerTransaction(trace, full);
    Replays.check(trace, full);
    byte[] v1 = full.encodeStateAsUpdate();
    byte[] v2 = full.encodeStateAsUpdateV2();
    if (!Arrays.equals(Updates.convertV1ToV2(v1), v2) || !Arrays.equals(Updates.convertV2ToV1(v2), v1)) {
      throw new IllegalStateException(trace.name() + ": the v1 and v2 states do not convert into each other");
    }
    Measure.Stats encodeV1 = Measure.time(warmups, runs, () -> {
      sink = full.encodeStateAsUpdate();
      return Double.NaN;
    });
    Measure.Stats encodeV2 = Measure.time(warmups, runs, () -> {
      sink = full.encodeStateAsUpdateV2();
      return Double.NaN;
    });
    Measure.Stats loadV1 = Measure.time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(2).build();
      doc.applyUpdate(v1);
      Replays.check(trace, doc);
      return Double.NaN;
    });
    Measure.Stats loadV2 = Measure.time(warmups, runs, () -> {
      Doc doc = Doc.newBuilder().clientId(2).build();
      doc.applyUpdateV2(v2);
      Replays.check(trace, doc);
      return Double.NaN;
    });
    return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f |",
        trace.name(), trace.txns().size(), v1.length, v2.length, (double) v2.length / v1.length, gzipped(v1),
        gzipped(v2), updates[0], updates[1], (double) updates[1] / updates[0], encodeV1.median(), encodeV2.median(),
        loadV1.median(), loadV2.median());
  }

  private static int gzipped(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.size();
  }

  private static volatile Object sink;
}
