package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test against real Yjs: random edits and random delivery, with every Java replica shadowed by a
 * Yjs twin in {@code yjs-peer.mjs} that has the same client ID, performs the same local operations and receives
 * the same updates. Because the twins are fed identically, Yjs fixes the expected outcome of every step
 * exactly:
 *
 * <ul>
 *   <li>after each local operation, the Java replica's update events equal its twin's, byte for byte;
 *   <li>after each delivery, the events that applying the update emitted and whether anything is pending agree;
 *   <li>delivered updates are the Yjs twin's bytes for the Java replica and the Java replica's for the twin,
 *       in random order, duplicated, merged ({@code Y.mergeUpdates}) and split (a {@code Y.diffUpdate} tail
 *       delivered before the whole, which leaves structs pending until the rest arrives);
 *   <li>after a full sync: nothing pending anywhere, every replica shows the same content, each replica's
 *       {@code encodeStateAsUpdate()} and state vector equal its twin's, and a fresh Java doc (Yjs doc) that
 *       applies a Yjs (Java) replica's full state re-encodes it byte for byte.
 * </ul>
 *
 * <p>Seeded and bounded in time: runs until {@value #RUNS} runs or about {@value #BUDGET_MILLIS} ms have passed.
 * A failure names its seed; rerun it alone with {@code -Dyjs.diff.seed=<seed> -Dyjs.diff.runs=1} (add
 * {@code -Dyjs.diff.paranoid=true} to compare whole states before every local edit, to find where they part).
 */
class YjsDifferentialPropertyTest {
  private static final int RUNS = 200;
  private static final long BUDGET_MILLIS = 12_000;
  /** -Dyjs.diff.paranoid=true: also compare each replica's whole state with its twin's before every local edit. */
  private static final boolean PARANOID = Boolean.getBoolean("yjs.diff.paranoid");
  private static final Map<String, String> ROOTS = Map.of("t", "text", "a", "array", "m", "map");

  private static YjsPeer peer;

  @BeforeAll
  static void startPeer() {
    peer = YjsPeer.start();
    assertThat(peer.version()).startsWith("13.6.");
  }

  @AfterAll
  static void stopPeer() {
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void randomEditsAndDelivery_convergeByteForByteWithYjs() {
    // A fixed default keeps CI deterministic; pass -Dyjs.diff.seed=<n> (any value) to explore other histories.
    long baseSeed = Long.getLong("yjs.diff.seed", 0x13_6_33L);
    int runs = Integer.getInteger("yjs.diff.runs", RUNS);
    long deadline = System.currentTimeMillis() + BUDGET_MILLIS;
    int done = 0;
    for (int run = 0; run < runs && (run < 3 || System.currentTimeMillis() < deadline); run++) {
      long seed = baseSeed + run;
      try {
        new Run(seed, "r" + run).execute();
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("differential run failed with seed " + seed
            + " (rerun: -Dyjs.diff.seed=" + seed + " -Dyjs.diff.runs=1): " + e.getMessage(), e);
      }
      done++;
    }
    System.out.printf("YjsDifferentialPropertyTest: %d runs from seed %d%n", done, baseSeed);
  }

  /** One seeded scenario: replicas, random steps, full sync, checks. */
  private static final class Run {
    private final SplittableRandom rnd;
    private final String prefix;
    private final List<Replica> replicas = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private boolean gc;

    Run(long seed, String prefix) {
      this.rnd = new SplittableRandom(seed);
      this.prefix = prefix;
    }

    void execute() {
      gc = rnd.nextInt(4) != 0;
      int n = 2 + rnd.nextInt(3);
      List<Long> ids = new ArrayList<>();
      while (ids.size() < n) {
        long id = rnd.nextBoolean() ? rnd.nextLong(1, 100) : rnd.nextLong(1, 1L << 32);
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
      for (int i = 0; i < n; i++) {
        replicas.add(new Replica(prefix + "-" + i, ids.get(i), gc));
      }
      log.add("replicas " + ids + " gc=" + gc);
      try {
        int steps = 30 + rnd.nextInt(90);
        for (int step = 0; step < steps; step++) {
          int dice = rnd.nextInt(100);
          if (dice < 55) {
            localEdit(replicas.get(rnd.nextInt(n)));
          } else if (dice < 90) {
            deliverSomething();
          } else {
            Replica from = replicas.get(rnd.nextInt(n));
            Replica to = replicas.get(rnd.nextInt(n));
            if (from != to) {
              syncStep(from, to);
            }
          }
        }
        fullSync();
        checkConverged();
      } catch (AssertionError | RuntimeException e) {
        int from = Math.max(0, log.size() - 15);
        throw new AssertionError(e.getMessage() + "\nlast steps:\n  " + String.join("\n  ", log.subList(from, log.size())), e);
      } finally {
        for (Replica r : replicas) {
          try {
            peer.drop(r.id);
          } catch (RuntimeException ignored) {
            // the peer is gone; the failure that got us here says more
          }
        }
      }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Local edits: performed on the Java replica first (it picks indices from its own state), then on the twin.

    private void localEdit(Replica r) {
      if (PARANOID) {
        assertThat(YjsInterop.base64(r.doc.encodeStateAsUpdate())).as("state of %s before a local edit", r.id)
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(r.id, null)));
      }
      Map<String, Object> op;
      if (rnd.nextInt(10) == 0) {
        List<Object> ops = new ArrayList<>();
        int count = 2 + rnd.nextInt(3);
        r.doc.transact(txn -> {
          for (int i = 0; i < count; i++) {
            Map<String, Object> inner = randomOp(r.doc);
            YjsInterop.apply(r.doc, inner);
            ops.add(inner);
          }
        });
        op = new LinkedHashMap<>();
        op.put("op", "transact");
        op.put("ops", ops);
      } else {
        op = randomOp(r.doc);
        YjsInterop.apply(r.doc, op);
      }
      log.add(r.id + " " + Json.stringify(op));
      peer.apply(r.id, op);
      List<byte[]> fromJava = r.takeEvents();
      List<byte[]> fromYjs = peer.updates(r.id);
      assertSameEvents(r.id + " after " + op.get("op"), fromJava, fromYjs);
      for (int i = 0; i < fromJava.size(); i++) {
        Message m = new Message(r.id + "#" + r.sent++, fromJava.get(i), fromYjs.get(i));
        for (Replica other : replicas) {
          if (other != r) {
            other.inbox.add(m);
          }
        }
      }
    }

    private Map<String, Object> randomOp(Doc doc) {
      Map<String, Object> op = new LinkedHashMap<>();
      String s = flat(doc.getText("t"));
      YArray array = doc.getArray("a");
      int dice = rnd.nextInt(100);
      if (dice < 25) {
        op.put("op", "insertText");
        op.put("name", "t");
        op.put("index", boundary(s, rnd.nextInt(s.length() + 1)));
        op.put("text", randomText());
        int a = rnd.nextInt(10);
        if (a >= 6) {
          op.put("attrs", a == 6 ? Map.of() : randomAttrs(false));
        }
      } else if (dice < 37 && !s.isEmpty()) {
        int[] range = range(s);
        op.put("op", "deleteText");
        op.put("name", "t");
        op.put("index", range[0]);
        op.put("len", range[1]);
      } else if (dice < 45 && !s.isEmpty()) {
        int[] range = range(s);
        op.put("op", "formatText");
        op.put("name", "t");
        op.put("index", range[0]);
        op.put("len", range[1]);
        op.put("attrs", randomAttrs(true));
      } else if (dice < 48) {
        op.put("op", "insertEmbed");
        op.put("name", "t");
        op.put("index", boundary(s, rnd.nextInt(s.length() + 1)));
        op.put("embed", Map.of("image", "img" + rnd.nextInt(10) + ".png"));
        if (rnd.nextBoolean()) {
          op.put("attrs", Map.of("width", rnd.nextInt(500)));
        }
      } else if (dice < 63) {
        op.put("op", "arrayInsert");
        op.put("name", "a");
        op.put("index", rnd.nextInt(array.length() + 1));
        op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
      } else if (dice < 68) {
        op.put("op", "arrayPush");
        op.put("name", "a");
        op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
      } else if (dice < 76 && array.length() > 0) {
        int index = rnd.nextInt(array.length());
        op.put("op", "arrayDelete");
        op.put("name", "a");
        op.put("index", index);
        op.put("len", 1 + rnd.nextInt(Math.min(3, array.length() - index)));
      } else if (dice < 84) {
        op.put("op", "mapSet");
        op.put("name", "m");
        op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
        op.put("value", YjsInterop.toTagged(randomValue(0, true)));
      } else if (dice < 87) {
        op.put("op", "mapSetType");
        op.put("name", "m");
        op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
        op.put("kind", List.of("map", "array", "text").get(rnd.nextInt(3)));
      } else if (dice < 95) {
        nestedOp(doc, op);
      } else {
        op.put("op", "mapDelete");
        op.put("name", "m");
        op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
      }
      return op;
    }

    /** An edit inside the shared type nested at a map key (whatever it is; nothing happens if it is not a type). */
    private void nestedOp(Doc doc, Map<String, Object> op) {
      String key = String.valueOf((char) ('a' + rnd.nextInt(6)));
      Object nested = doc.getMap("m").get(key);
      int length = nested instanceof YText t ? t.length() : nested instanceof YArray a ? a.length() : 0;
      op.put("name", "m");
      op.put("key", key);
      if (length > 0 && rnd.nextInt(3) == 0) {
        int index = rnd.nextInt(length);
        op.put("op", "nestedDelete");
        op.put("index", index);
        op.put("len", 1 + rnd.nextInt(Math.min(3, length - index)));
        op.put("text", String.valueOf((char) ('p' + rnd.nextInt(3))));
      } else {
        op.put("op", "nestedInsert");
        op.put("index", rnd.nextInt(length + 1));
        op.put("text", nested instanceof YMap ? String.valueOf((char) ('p' + rnd.nextInt(3))) : "xy".substring(rnd.nextInt(2)));
        op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
      }
    }

    /** The text in Yjs's index space: its characters, with U+FFFC standing for each embed. */
    private static String flat(YText text) {
      StringBuilder sb = new StringBuilder();
      for (Delta d : text.toDelta()) {
        if (d.insert() instanceof String str) {
          sb.append(str);
        } else {
          sb.append('\uFFFC');
        }
      }
      return sb.toString();
    }

    private static final String[] WORDS = {"a", "bc", "def", "ghij", " ", "\n", "ü", "€", "😀", "👍🏽", "x😀y", "日本"};

    private String randomText() {
      StringBuilder sb = new StringBuilder();
      for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
        sb.append(WORDS[rnd.nextInt(WORDS.length)]);
      }
      return sb.toString();
    }

    /**
     * Moves an index off the middle of a surrogate pair. Splitting a pair is legal (Yjs turns both halves into
     * U+FFFD, and YjsFixturesTest pins that), but how it ends then depends on delivery order even within Yjs,
     * so replicas that received updates in different orders could legitimately disagree.
     */
    private static int boundary(String s, int index) {
      return index > 0 && index < s.length() && Character.isLowSurrogate(s.charAt(index))
          && Character.isHighSurrogate(s.charAt(index - 1)) ? index - 1 : index;
    }

    private int[] range(String s) {
      int start = boundary(s, rnd.nextInt(s.length()));
      int end = boundary(s, Math.min(s.length(), start + 1 + rnd.nextInt(6)));
      if (end <= start) {
        end = Math.min(s.length(), start + 2);
      }
      return new int[] {start, end - start};
    }

    private Map<String, Object> randomAttrs(boolean allowRemoval) {
      Map<String, Object> attrs = new LinkedHashMap<>();
      switch (rnd.nextInt(5)) {
        case 0 -> attrs.put("bold", allowRemoval && rnd.nextBoolean() ? null : Boolean.TRUE);
        case 1 -> attrs.put("italic", allowRemoval && rnd.nextBoolean() ? null : Boolean.TRUE);
        case 2 -> attrs.put("color", "#" + rnd.nextInt(1000));
        case 3 -> attrs.put("link", allowRemoval && rnd.nextBoolean() ? null : Map.of("href", "https://x/" + rnd.nextInt(5)));
        default -> {
          attrs.put("bold", Boolean.TRUE);
          attrs.put("size", rnd.nextInt(3) + 10);
        }
      }
      return attrs;
    }

    /** Values an array insert takes at the top level: Yjs refuses undefined and bigint there. */
    private List<Object> randomTopLevelValues() {
      List<Object> values = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
        values.add(randomValue(0, false));
      }
      return values;
    }

    private Object randomValue(int depth, boolean anyScalar) {
      int dice = rnd.nextInt(depth >= 2 ? 9 : 11);
      switch (dice) {
        case 0:
          return null;
        case 1:
          return rnd.nextBoolean();
        case 2:
          return rnd.nextInt(-1000, 1000);
        case 3:
          return rnd.nextBoolean() ? Integer.MAX_VALUE : -Integer.MAX_VALUE;
        case 4:
          return rnd.nextInt(-4000, 4000) / 8.0 + 0.125; // float32-exact, never integral
        case 5:
          return rnd.nextInt(1, 1000) / 10.0 + 0.01; // float64 only
        case 6:
          return "s" + rnd.nextInt(100) + (rnd.nextBoolean() ? "😀" : "");
        case 7: {
          byte[] b = new byte[rnd.nextInt(5)];
          rnd.nextBytes(b);
          return b;
        }
        case 8:
          if (anyScalar || depth > 0) {
            return rnd.nextBoolean() ? Undefined.INSTANCE : BigInteger.valueOf(rnd.nextLong());
          }
          return "plain";
        case 9: {
          List<Object> list = new ArrayList<>();
          for (int i = rnd.nextInt(4); i > 0; i--) {
            list.add(randomValue(depth + 1, true));
          }
          return list;
        }
        default: {
          Map<String, Object> map = new LinkedHashMap<>();
          for (int i = rnd.nextInt(4); i > 0; i--) {
            map.put("k" + rnd.nextInt(10), randomValue(depth + 1, true));
          }
          return map;
        }
      }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Delivery

    private void deliverSomething() {
      List<Replica> waiting = replicas.stream().filter(r -> !r.inbox.isEmpty()).toList();
      if (waiting.isEmpty()) {
        return;
      }
      Replica to = waiting.get(rnd.nextInt(waiting.size()));
      int mode = rnd.nextInt(10);
      if (mode < 5 || to.inbox.size() == 1 && mode < 8) {
        // one message in random order; sometimes kept to be delivered again later (a duplicate)
        int i = rnd.nextInt(to.inbox.size());
        Message m = rnd.nextInt(6) == 0 ? to.inbox.get(i) : to.inbox.remove(i);
        deliver(to, m.label, m.fromJava, m.fromYjs);
      } else if (mode < 8) {
        // several merged into one update
        List<byte[]> java = new ArrayList<>();
        List<byte[]> yjs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = 2 + rnd.nextInt(3); k > 0 && !to.inbox.isEmpty(); k--) {
          Message m = to.inbox.remove(rnd.nextInt(to.inbox.size()));
          java.add(m.fromJava);
          yjs.add(m.fromYjs);
          labels.add(m.label);
        }
        deliver(to, "merged" + labels, peer.mergeUpdates(java), peer.mergeUpdates(yjs));
      } else {
        // split: the part of a message beyond some replica's state first, the whole message later
        Message m = to.inbox.get(rnd.nextInt(to.inbox.size()));
        byte[] sv = replicas.get(rnd.nextInt(replicas.size())).doc.encodeStateVector();
        deliver(to, "tail of " + m.label, peer.diffUpdate(m.fromJava, sv), peer.diffUpdate(m.fromYjs, sv));
      }
    }

    /** The Java replica applies the Yjs-made bytes, its twin the Java-made ones. */
    private void deliver(Replica to, String label, byte[] fromJava, byte[] fromYjs) {
      log.add(to.id + " <- " + label);
      to.doc.applyUpdate(fromYjs);
      peer.applyUpdate(to.id, fromJava);
      assertSameEvents(to.id + " applying " + label, to.takeEvents(), peer.updates(to.id));
      assertThat(to.doc.hasPendingUpdates()).as("%s pending after applying %s", to.id, label).isEqualTo(peer.hasPending(to.id));
    }

    /** to pulls what it lacks from from, as y-protocols' sync step 2 does. */
    private void syncStep(Replica from, Replica to) {
      byte[] sv = to.doc.encodeStateVector();
      assertThat(YjsInterop.base64(sv)).as("state vector of %s", to.id).isEqualTo(YjsInterop.base64(peer.encodeStateVector(to.id)));
      byte[] fromJava = from.doc.encodeStateAsUpdate(sv);
      byte[] fromYjs = peer.encodeStateAsUpdate(from.id, sv);
      assertThat(YjsInterop.base64(fromJava)).as("%s.encodeStateAsUpdate(state vector of %s)", from.id, to.id)
          .isEqualTo(YjsInterop.base64(fromYjs));
      deliver(to, "sync from " + from.id, fromJava, fromYjs);
    }

    private void fullSync() {
      log.add("full sync");
      for (int round = 0; round < 2; round++) {
        for (Replica from : replicas) {
          for (Replica to : replicas) {
            if (from != to) {
              syncStep(from, to);
            }
          }
        }
      }
      // whatever is still in flight arrives late, in random order: it must change nothing
      for (Replica to : replicas) {
        while (!to.inbox.isEmpty()) {
          Message m = to.inbox.remove(rnd.nextInt(to.inbox.size()));
          deliver(to, "late " + m.label, m.fromJava, m.fromYjs);
        }
      }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checks

    private void checkConverged() {
      Map<String, Object> reference = peer.snapshot(replicas.get(0).id, ROOTS);
      byte[] referenceSv = peer.encodeStateVector(replicas.get(0).id);
      for (Replica r : replicas) {
        assertThat(r.doc.hasPendingUpdates()).as("%s pending after full sync", r.id).isFalse();
        assertThat(peer.hasPending(r.id)).as("Yjs twin of %s pending after full sync", r.id).isFalse();
        Map<String, Object> twin = peer.snapshot(r.id, ROOTS);
        assertThat(differences(r.doc, twin)).as("%s against its Yjs twin", r.id).isEmpty();
        assertThat(differences(r.doc, reference)).as("%s against the first replica's Yjs twin", r.id).isEmpty();
        assertThat(YjsInterop.base64(r.doc.encodeStateVector())).as("state vector of %s", r.id)
            .isEqualTo(YjsInterop.base64(peer.encodeStateVector(r.id)))
            .isEqualTo(YjsInterop.base64(referenceSv));
        assertThat(YjsInterop.base64(r.doc.encodeStateAsUpdate())).as("encodeStateAsUpdate of %s", r.id)
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(r.id, null)));
      }

      Replica first = replicas.get(0);
      // a Yjs replica's whole state, applied in a fresh Java doc, re-encodes byte for byte ...
      byte[] yjsState = peer.encodeStateAsUpdate(first.id, null);
      Doc fresh = Doc.newBuilder().gc(gc).build();
      fresh.applyUpdate(yjsState);
      assertThat(YjsInterop.base64(fresh.encodeStateAsUpdate())).as("fresh Java doc after applying a Yjs replica's state")
          .isEqualTo(YjsInterop.base64(yjsState));
      assertThat(differences(fresh, reference)).as("fresh Java doc after applying a Yjs replica's state").isEmpty();
      // ... and a Java replica's, applied in a fresh Yjs doc, too
      byte[] javaState = first.doc.encodeStateAsUpdate();
      String freshId = prefix + "-fresh";
      peer.newDoc(freshId, 1, gc);
      try {
        peer.applyUpdate(freshId, javaState);
        assertThat(YjsInterop.base64(peer.encodeStateAsUpdate(freshId, null))).as("fresh Yjs doc after applying a Java replica's state")
            .isEqualTo(YjsInterop.base64(javaState));
        assertThat(peer.hasPending(freshId)).isFalse();
      } finally {
        peer.drop(freshId);
      }
    }

    private static List<String> differences(Doc doc, Map<String, Object> snapshot) {
      return YjsInterop.rootDifferences(doc, new LinkedHashMap<>(ROOTS), YjsInterop.asMap(snapshot.get("values")),
          YjsInterop.asMap(snapshot.get("deltas")));
    }

    private static void assertSameEvents(String what, List<byte[]> java, List<byte[]> yjs) {
      assertThat(java.stream().map(YjsInterop::base64).toList()).as("update events of %s (Java vs Yjs)", what)
          .isEqualTo(yjs.stream().map(YjsInterop::base64).toList());
    }
  }

  /** A Java replica, the id of its Yjs twin, and the updates on their way to it. */
  private static final class Replica {
    final String id;
    final Doc doc;
    final List<Message> inbox = new ArrayList<>();
    final List<byte[]> events = new ArrayList<>();
    int sent;

    Replica(String id, long clientId, boolean gc) {
      this.id = id;
      this.doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
      // roots defined before any update arrives, on both sides (see yjs-peer.mjs for why Yjs cares)
      doc.getText("t");
      doc.getArray("a");
      doc.getMap("m");
      doc.onUpdate((bytes, origin, txn) -> events.add(bytes.clone()));
      peer.newDoc(id, clientId, gc, ROOTS);
    }

    List<byte[]> takeEvents() {
      List<byte[]> out = new ArrayList<>(events);
      events.clear();
      return out;
    }
  }

  /** One update in flight: the Java replica's bytes and its Yjs twin's (equal, unless a test already failed). */
  private record Message(String label, byte[] fromJava, byte[] fromYjs) {}
}
