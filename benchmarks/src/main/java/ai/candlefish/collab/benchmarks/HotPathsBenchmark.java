package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.YText;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * collab-core's hot paths on a large document: local edits at the start, the end and random places of a text of
 * about 100,000 characters in about 2,000 pieces (built by random inserts, as real editing leaves it), applying a
 * remote one-character update, encoding and decoding the whole state, a diff against a state vector, and the
 * y-protocols sync and awareness codecs. Inputs are prepared in the setups; the document is rebuilt for every
 * iteration (local edits make it grow within one).
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar HotPathsBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class HotPathsBenchmark {
  static final int PIECES = 2_000;
  static final int PIECE_LENGTH = 50;
  /** Remote one-character updates, prepared once (more than one iteration applies). */
  static final int REMOTE_UPDATES = 600_000;

  private final SplittableRandom random = new SplittableRandom(42);
  private Doc doc;
  private YText text;
  private byte[] state;
  private byte[] halfStateVector;
  private List<byte[]> remoteUpdates;
  private Doc remoteTarget;
  private int nextRemote;
  private byte[] syncFrame;
  private Awareness awareness;
  private byte[] awarenessUpdate;

  /** A text of PIECES random inserts of PIECE_LENGTH characters, made by client 1. */
  static Doc largeDoc(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Doc d = Doc.newBuilder().clientId(1).build();
    YText t = d.getText("t");
    String piece = "x".repeat(PIECE_LENGTH);
    for (int i = 0; i < PIECES; i++) {
      t.insert(r.nextInt(t.length() + 1), piece);
    }
    return d;
  }

  @Setup(Level.Trial)
  public void prepareRemoteUpdates() {
    // A remote writer types one character at a time at random places of the same document.
    Doc writer = Doc.newBuilder().clientId(2).build();
    writer.applyUpdate(largeDoc(1).encodeStateAsUpdate());
    remoteUpdates = new ArrayList<>(REMOTE_UPDATES);
    writer.onUpdate((u, origin, txn) -> remoteUpdates.add(u));
    YText wt = writer.getText("t");
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < REMOTE_UPDATES; i++) {
      wt.insert(r.nextInt(wt.length() + 1), "y");
    }
  }

  @Setup(Level.Iteration)
  public void setUp() {
    doc = largeDoc(1);
    text = doc.getText("t");
    state = doc.encodeStateAsUpdate();
    Doc half = Doc.newBuilder().clientId(9).build();
    Doc firstHalf = Doc.newBuilder().clientId(1).build();
    YText ft = firstHalf.getText("t");
    SplittableRandom r = new SplittableRandom(1);
    String piece = "x".repeat(PIECE_LENGTH);
    for (int i = 0; i < PIECES / 2; i++) {
      ft.insert(r.nextInt(ft.length() + 1), piece);
    }
    half.applyUpdate(firstHalf.encodeStateAsUpdate());
    halfStateVector = half.encodeStateVector();

    remoteTarget = Doc.newBuilder().clientId(3).build();
    remoteTarget.applyUpdate(state);
    nextRemote = 0;

    syncFrame = SyncProtocol.update(remoteUpdates.get(0)).encode();
    awareness = new Awareness(doc);
    awareness.setLocalState(Map.of("name", "Ada", "color", "#ff0000", "cursor", Map.of("anchor", 12, "head", 12)));
    awarenessUpdate = awareness.encodeUpdate();
  }

  @Benchmark
  public int insertAtStart() {
    text.insert(0, "a");
    return text.length();
  }

  @Benchmark
  public int insertAtEnd() {
    text.insert(text.length(), "a");
    return text.length();
  }

  @Benchmark
  public int insertAtRandom() {
    text.insert(random.nextInt(text.length() + 1), "a");
    return text.length();
  }

  /** One character inserted and one deleted at random places (the length stays put). */
  @Benchmark
  public int insertAndDeleteAtRandom() {
    text.insert(random.nextInt(text.length() + 1), "a");
    text.delete(random.nextInt(text.length()), 1);
    return text.length();
  }

  @Benchmark
  public Doc applyRemoteUpdate() {
    remoteTarget.applyUpdate(remoteUpdates.get(nextRemote++ % REMOTE_UPDATES));
    return remoteTarget;
  }

  @Benchmark
  public byte[] encodeState() {
    return doc.encodeStateAsUpdate();
  }

  @Benchmark
  public Doc decodeState() {
    Doc fresh = Doc.newBuilder().clientId(5).build();
    fresh.applyUpdate(state);
    return fresh;
  }

  @Benchmark
  public byte[] encodeDiff() {
    return doc.encodeStateAsUpdate(halfStateVector);
  }

  @Benchmark
  public SyncMessage syncCodec() {
    return SyncMessage.decode(SyncProtocol.update(SyncMessage.decode(syncFrame).payload()).encode());
  }

  @Benchmark
  public byte[] awarenessCodec() {
    awareness.applyUpdate(awarenessUpdate, "remote");
    return awareness.encodeUpdate();
  }
}
