package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one ordinary message costs a document that holds many deletions waiting for structs that never arrive (what
 * a hostile peer can leave behind, issue 12): applying a remote one-character update while {@code pendingRanges}
 * deleted ranges of an unknown client wait. The pending set is built in the setup, once per iteration.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar PendingBenchmark -wi 2 -i 3 -w 1 -r 1 -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class PendingBenchmark {
  /** Remote one-character updates, prepared once per trial (more than an iteration applies). */
  static final int REMOTE_UPDATES = 1_000_000;

  @Param({"1000", "100000"})
  int pendingRanges;

  private byte[] pendingDeletes;
  private final List<byte[]> remote = new ArrayList<>();
  private Doc doc;
  private int next;

  @Setup(Level.Trial)
  public void prepare() {
    pendingDeletes = deleteOnlyUpdate(77, pendingRanges);
    Doc writer = Doc.newBuilder().clientId(1).build();
    writer.onUpdate((u, o, t) -> remote.add(u));
    for (int i = 0; i < REMOTE_UPDATES; i++) {
      writer.getText("t").insert(i, "x");
    }
  }

  @Setup(Level.Iteration)
  public void pendingDocument() {
    doc = Doc.newBuilder().clientId(2).build();
    doc.getText("t");
    doc.applyUpdate(pendingDeletes);
    next = 0;
  }

  @Benchmark
  public Doc applyRemoteUpdate_withPendingDeletions() {
    doc.applyUpdate(remote.get(next++));
    return doc;
  }

  /** A v1 update with no structs that deletes {@code ranges} one-clock ranges of {@code client} (every other clock). */
  static byte[] deleteOnlyUpdate(long client, int ranges) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarUint(out, 0);
    writeVarUint(out, 1);
    writeVarUint(out, client);
    writeVarUint(out, ranges);
    for (int i = 0; i < ranges; i++) {
      writeVarUint(out, 2L * i);
      writeVarUint(out, 1);
    }
    return out.toByteArray();
  }

  private static void writeVarUint(ByteArrayOutputStream out, long n) {
    while (n > 0x7F) {
      out.write((int) (0x80 | (n & 0x7F)));
      n >>>= 7;
    }
    out.write((int) n);
  }
}
