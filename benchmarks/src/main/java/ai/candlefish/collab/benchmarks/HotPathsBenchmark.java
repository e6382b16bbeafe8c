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
 * remote one-character update (also to a document that has seen a thousand writers' client ids), encoding and
 * decoding the whole state, a diff against a state vector, and the y-protocols sync and awareness codecs. Inputs are prepared in the setups; the document is rebuilt for every
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
  /** Remote one-character updates, prepared once per trial (more than the trial applies). */
  static final int REMOTE_UPDATES = 3_000_000;

  private final SplittableRandom random = new SplittableRandom(42);
  private Doc doc;
  private YText text;
  private byte[] state;
  private byte[] halfStateVector;
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

    syncFrame = SyncProtocol.update(state).encode();
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

  /** One-character updates of a remote writer on the same large document, made once per trial. */
  @State(Scope.Benchmark)
  public static class RemoteEdits {
    List<byte[]> updates;

    @Setup(Level.Trial)
    public void prepare() {
      updates = typing(REMOTE_UPDATES);
    }
  }

  /**
   * {@code count} one-character updates of writer 2 on {@link #largeDoc}: typing, with the cursor jumping to a random
   * place every 20 characters (as a person edits), each its own transaction.
   */
  static List<byte[]> typing(int count) {
    Doc writer = Doc.newBuilder().clientId(2).build();
    writer.applyUpdate(largeDoc(1).encodeStateAsUpdate());
    List<byte[]> updates = new ArrayList<>(count);
    writer.onUpdate((u, origin, txn) -> updates.add(u));
    YText t = writer.getText("t");
    SplittableRandom r = new SplittableRandom(7);
    int cursor = 0;
    for (int i = 0; i < count; i++) {
      if (i % 20 == 0) {
        cursor = r.nextInt(t.length() + 1);
      }
      t.insert(cursor++, "y");
    }
    return updates;
  }

  /** Applying one remote update (more are prepared than a trial applies: none is applied twice). */
  @Benchmark
  public Doc applyRemoteUpdate(RemoteEdits remote) {
    remoteTarget.applyUpdate(remote.updates.get(nextRemote++));
    return remoteTarget;
  }

  /**
   * The sessions of {@link #SESSIONS} writers (a server's document after as many sessions, each a client id of its
   * own), and one more writer's keystrokes after them, made once per trial (more than a trial applies).
   */
  @State(Scope.Benchmark)
  public static class ManySessions {
    static final int SESSIONS = 1_000;
    byte[] sessions;
    List<byte[]> keystrokes;

    @Setup(Level.Trial)
    public void prepare() {
      Doc writer = Doc.newBuilder().clientId(SESSIONS + 10).build();
      for (int i = 0; i < SESSIONS; i++) {
        Doc session = Doc.newBuilder().clientId(10 + i).build();
        session.getText("t").insert(0, "s");
        writer.applyUpdate(session.encodeStateAsUpdate());
      }
      sessions = writer.encodeStateAsUpdate();
      keystrokes = new ArrayList<>(REMOTE_UPDATES);
      writer.onUpdate((u, origin, txn) -> keystrokes.add(u));
      for (int i = 0; i < REMOTE_UPDATES; i++) {
        writer.getText("t").insert(i, "y");
      }
    }
  }

  /** The server's copy of {@link ManySessions}' document, with an update listener as a server has. */
  @State(Scope.Thread)
  public static class ManySessionsCopy {
    Doc doc;
    int next;

    @Setup(Level.Iteration)
    public void prepare(ManySessions sessions) {
      doc = Doc.newBuilder().clientId(3).build();
      doc.applyUpdate(sessions.sessions);
      doc.onUpdate((u, origin, txn) -> { });
      next = 0;
    }
  }

  /** One remote keystroke applied to a document of many writers, and its update encoded for the listener. */
  @Benchmark
  public Doc applyRemoteUpdateAmongManySessions(ManySessions sessions, ManySessionsCopy copy) {
    copy.doc.applyUpdate(sessions.keystrokes.get(copy.next++));
    return copy.doc;
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
