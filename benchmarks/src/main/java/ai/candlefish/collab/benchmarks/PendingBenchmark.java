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
 * What one ordinary message costs a document that holds much that waits for what never arrives (what a hostile peer
 * can leave behind, issue 12 item 1), built in the setup once per iteration:
 * <ul>
 *   <li>{@code applyRemoteUpdate_withPendingDeletions}: a remote one-character update while {@code pendingRanges}
 *       deleted ranges of an unknown client wait;
 *   <li>{@code applyWaitingUpdate_withPendingStructs}: a one-character update that must wait itself (its client's
 *       first update never comes) while {@code pendingStructs} structs of another client wait;
 *   <li>{@code applyReorderedPair_withPendingStructs}: two one-character updates in swapped order (the second waits,
 *       the first releases it) while {@code pendingStructs} structs of another client wait.
 * </ul>
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar PendingBenchmark -wi 2 -i 3 -w 1 -r 1 -f 1
 * java -jar benchmarks/target/benchmarks.jar PendingBenchmark.*Structs -wi 2 -i 3 -w 1 -r 1 -f 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PendingBenchmark {
  /** Remote one-character updates of client 1, prepared once per trial (more than an iteration applies). */
  static final int REMOTE_UPDATES = 1_000_000;

  static List<byte[]> remoteUpdates() {
    List<byte[]> remote = new ArrayList<>();
    Doc writer = Doc.newBuilder().clientId(1).build();
    writer.onUpdate((u, o, t) -> remote.add(u));
    for (int i = 0; i < REMOTE_UPDATES; i++) {
      writer.getText("t").insert(i, "x");
    }
    return remote;
  }

  /** A document with {@code pendingRanges} waiting deleted ranges. */
  @State(Scope.Thread)
  public static class WaitingDeletions {
    @Param({"1000", "100000"})
    int pendingRanges;

    private byte[] pendingDeletes;
    private List<byte[]> remote;
    Doc doc;
    int next;

    @Setup(Level.Trial)
    public void prepare() {
      pendingDeletes = deleteOnlyUpdate(77, pendingRanges);
      remote = remoteUpdates();
    }

    @Setup(Level.Iteration)
    public void pendingDocument() {
      doc = Doc.newBuilder().clientId(2).build();
      doc.getText("t");
      doc.applyUpdate(pendingDeletes);
      next = 0;
    }
  }

  /** A document with {@code pendingStructs} waiting structs (one-character inserts of a client without its first). */
  @State(Scope.Thread)
  public static class WaitingStructs {
    @Param({"1000", "10000", "100000"})
    int pendingStructs;

    private byte[] waitingStructs;
    /** The last of the waiting inserts again: a duplicate, which Yjs merges into everything that waits. */
    private byte[] duplicate;
    private List<byte[]> remote;
    Doc doc;
    int nextWaiting;
    int nextPair;

    @Setup(Level.Trial)
    public void prepare() {
      // prepended one at a time, so that the structs stay apart (appended ones would merge into one)
      Doc stranger = Doc.newBuilder().clientId(78).build();
      stranger.getText("t").insert(0, "y");
      Doc withFirstOnly = Doc.create();
      withFirstOnly.applyUpdate(stranger.encodeStateAsUpdate());
      for (int i = 0; i < pendingStructs; i++) {
        byte[] before = stranger.encodeStateVector();
        stranger.getText("t").insert(0, "y");
        if (i == pendingStructs - 1) {
          duplicate = stranger.encodeStateAsUpdate(before);
        }
      }
      waitingStructs = stranger.encodeStateAsUpdate(withFirstOnly.encodeStateVector());
      remote = remoteUpdates();
    }

    @Setup(Level.Iteration)
    public void pendingDocument() {
      doc = Doc.newBuilder().clientId(2).build();
      doc.getText("t");
      doc.applyUpdate(waitingStructs);
      // the waiting updates leave client 1's first update out; the reordered pairs start with it
      nextWaiting = 1;
      nextPair = 0;
    }
  }

  @Benchmark
  public Doc applyRemoteUpdate_withPendingDeletions(WaitingDeletions s) {
    s.doc.applyUpdate(s.remote.get(s.next++));
    return s.doc;
  }

  @Benchmark
  public Doc applyWaitingUpdate_withPendingStructs(WaitingStructs s) {
    s.doc.applyUpdate(s.remote.get(s.nextWaiting++));
    return s.doc;
  }

  @Benchmark
  public Doc applyDuplicateOfAWaitingUpdate_withPendingStructs(WaitingStructs s) {
    s.doc.applyUpdate(s.duplicate);
    return s.doc;
  }

  @Benchmark
  public Doc applyReorderedPair_withPendingStructs(WaitingStructs s) {
    s.doc.applyUpdate(s.remote.get(s.nextPair + 1));
    s.doc.applyUpdate(s.remote.get(s.nextPair));
    s.nextPair += 2;
    return s.doc;
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
