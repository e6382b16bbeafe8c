package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SyncMessage#decode} and {@link SyncProtocol#handle} against y-protocols' {@code readSyncMessage}
 * ({@code peer-extras.mjs}'s {@code syncMessage}), on a document both hold. y-protocols either throws (a truncated or
 * unknown message type, a malformed state vector), reports the update's error to its handler, or takes the message;
 * we must throw {@link DecodingException} in the first two cases, leaving the document unchanged, and otherwise read
 * the same type, answer with the same bytes and end in the same state. y-protocols reads one message from the front
 * and ignores whatever follows it, as Yjs ignores what follows an update's delete set or a state vector's last
 * entry; so do we.
 *
 * <p>Where we deliberately differ: an update that fails part-way (its delete set truncated, say) leaves Yjs with the
 * structs it integrated before failing; ours is checked whole first and changes nothing.
 *
 * <p>The random run mutates valid messages (truncation, trailing bytes, a wrong length, a changed type or length
 * byte); the bytes inside an update are left alone, since a changed byte there tests the update decoder, not the sync
 * protocol (Yjs reads a parent info other than 0 or 1 as 0, where we reject it; and it encodes a pending delete set
 * whose ranges came unsorted with wrong clocks). Seeded, a failure names its seed ({@code -Dsync.diff.seed=<seed> -Dsync.diff.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class SyncMessageDifferentialPropertyTest {
  private static final int RUNS = 200;
  private static final long BUDGET_MILLIS = 8_000;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void edges_asYProtocols() {
    byte[] update = otherClientsUpdate(7, "X");
    byte[] sv = Doc.newBuilder().clientId(3).build().encodeStateVector();
    List<byte[]> edges = List.of(
        bytes(), bytes(0x80), bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), // no type, truncated, > 2^53
        bytes(3), bytes(3, 0), bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), // unknown types
        bytes(0), bytes(0, 0), bytes(0, 1), bytes(0, 1, 1), bytes(0, 0x80), // step 1 without a whole state vector
        message(0, sv), concat(message(0, sv), bytes(5, 5)), message(0, concat(sv, bytes(9))), // trailing bytes
        message(0, bytes(2, 1, 1, 1, 0)), // a client named twice: the last clock counts
        message(0, bytes(1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)), // a clock near 2^52
        message(1, bytes()), message(2, bytes()), // an empty update (not even its two counts)
        message(2, bytes(0, 0)), message(1, bytes(0, 0)), concat(message(2, bytes(0, 0)), bytes(7, 7)),
        message(2, bytes(0, 0, 7)), // the empty update, with trailing bytes outside or inside the payload
        message(1, update), message(2, update), concat(message(2, update), bytes(1, 2, 3)), // step 2 before step 1
        message(2, concat(update, bytes(1))),
        message(2, Arrays.copyOf(update, update.length - 1)), // no delete set: Yjs integrates the structs, then fails
        bytes(2, 5, 0, 0), bytes(2, 0x80), bytes(1)); // truncated payload lengths
    for (int i = 0; i < edges.size(); i++) {
      compare("e" + i, edges.get(i));
    }
  }

  @Test
  void mutatedMessages_asYProtocols() {
    SeededRuns.named("sync.diff", 0x5C_D1FFL, RUNS).within(BUDGET_MILLIS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      byte[] message = mutate(validMessage(rnd), rnd);
      compare("sync" + run, message);
    });
  }

  /** A step 1, step 2 or update that a peer could have sent, to the document {@link #compare} starts from. */
  private static byte[] validMessage(SplittableRandom rnd) {
    int type = rnd.nextInt(3);
    Doc other = Doc.newBuilder().clientId(2 + rnd.nextInt(3)).build();
    if (rnd.nextBoolean()) {
      other.applyUpdate(start().encodeStateAsUpdate());
    }
    StringBuilder text = new StringBuilder();
    for (int i = rnd.nextInt(4); i > 0; i--) {
      text.append((char) ('a' + rnd.nextInt(26)));
    }
    edit(other.getText("t"), text.toString(), rnd);
    if (rnd.nextInt(3) == 0) {
      other.getMap("m").set("k", rnd.nextInt(100));
    }
    byte[] payload = type == SyncMessage.STEP1 ? other.encodeStateVector() : other.encodeStateAsUpdate();
    return message(type, payload);
  }

  private static void edit(YText t, String text, SplittableRandom rnd) {
    t.insert(rnd.nextInt(t.length() + 1), text);
    if (t.length() > 1 && rnd.nextBoolean()) {
      t.delete(rnd.nextInt(t.length() - 1), 1);
    }
  }

  private static byte[] mutate(byte[] m, SplittableRandom rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return Arrays.copyOf(m, rnd.nextInt(m.length + 1)); // truncated
      case 1:
        return concat(m, randomBytes(rnd, 1 + rnd.nextInt(4))); // trailing bytes
      case 2: {
        byte[] out = m.clone(); // a payload length one off (both payload kinds stay shorter than 128 bytes here)
        out[1] = (byte) Math.max(0, Math.min(127, out[1] + (rnd.nextBoolean() ? 1 : -1)));
        return out;
      }
      case 3: {
        byte[] out = m.clone(); // any byte of the envelope: the type or the payload's length
        out[rnd.nextInt(2)] = (byte) rnd.nextInt(256);
        return out;
      }
      case 4: {
        byte[] out = m.clone(); // another message type, sometimes unknown
        out[0] = (byte) rnd.nextInt(5);
        return out;
      }
      default:
        return m;
    }
  }

  /**
   * Feeds {@code message} to a Java document and to a Yjs document that hold the same state, and compares what
   * each makes of it.
   */
  private static void compare(String id, byte[] message) {
    String what = "readSyncMessage(" + YjsInterop.base64(message) + ")";
    Doc doc = start();
    byte[] before = doc.encodeStateAsUpdate();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "new");
    c.put("id", id);
    c.put("clientId", 1);
    c.put("roots", Map.of("t", "text", "m", "map"));
    peer.request(c);
    try {
      peer.request(Map.of("op", "applyUpdate", "id", id, "update", YjsInterop.base64(before)));
      Map<String, Object> yjs;
      String yjsError;
      try {
        yjs = peer.request(Map.of("op", "syncMessage", "id", id, "message", YjsInterop.base64(message)));
        yjsError = (String) yjs.get("applyError");
      } catch (YjsPeer.PeerException e) {
        yjs = null;
        yjsError = e.getMessage();
      }
      SyncMessage decoded = null;
      SyncMessage reply = null;
      DecodingException error = null;
      try {
        decoded = SyncMessage.decode(message);
        reply = SyncProtocol.handle(doc, decoded, "remote");
      } catch (DecodingException e) {
        error = e;
      }
      if (yjsError != null) {
        assertThat(error).as("%s: y-protocols failed (%s), we took it", what, yjsError).isNotNull();
        assertThat(doc.encodeStateAsUpdate()).as("%s: our document after the error", what).isEqualTo(before);
        return;
      }
      assertThat(error).as("%s: y-protocols took it, we threw", what).isNull();
      assertThat(decoded.type()).as("%s: message type", what).isEqualTo(((Number) yjs.get("type")).intValue());
      assertThat(reply == null ? null : YjsInterop.base64(reply.encode())).as("%s: reply", what)
          .isEqualTo(yjs.get("reply"));
      Map<String, Object> state = peer.request(Map.of("op", "encodeState", "id", id));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("%s: state afterwards", what)
          .isEqualTo(state.get("update"));
    } finally {
      peer.request(Map.of("op", "drop", "id", id));
    }
  }

  /** The document each comparison starts from: client 1 typed "ab". */
  private static Doc start() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").insert(0, "ab");
    return doc;
  }

  private static byte[] otherClientsUpdate(long client, String text) {
    Doc other = Doc.newBuilder().clientId(client).build();
    other.getText("t").insert(0, text);
    return other.encodeStateAsUpdate();
  }

  private static byte[] message(int type, byte[] payload) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(type);
    out.writeVarUint8Array(payload);
    return out.toByteArray();
  }

  private static byte[] randomBytes(SplittableRandom rnd, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) rnd.nextInt(256);
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
