package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Against real Yjs: {@link Updates#decode}/{@link Updates#decodeV2} describe every struct and deletion of random
 * sessions' updates (events, full states, merges with gaps) as {@code Y.decodeUpdate}/{@code decodeUpdateV2} decode
 * them; and documents with a {@link Doc.Builder#gcFilter} emit the same update events and end with the same state,
 * byte for byte, as Yjs docs with the same {@code gcFilter}. Seeded; a failure names its seed.
 */
@ExtendWith(YjsPeerExtension.class)
class UpdateInspectionPropertyTest {
  private static final Map<String, String> ROOTS = TwinReplica.ROOTS_WITH_XML;
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void decode_randomSessions_describesWhatYjsDecodes() {
    for (long seed = 0; seed < 40; seed++) {
      try {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> updates = session(rnd, seed, Map.of(), null, true);
        for (byte[] u : updates) {
          assertSameDecoding(peer, u, false);
          assertSameDecoding(peer, Updates.convertV1ToV2(u), true);
        }
        List<byte[]> subset = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
          subset.add(updates.get(rnd.nextInt(updates.size())));
        }
        assertSameDecoding(peer, Updates.merge(subset), false);
        assertThat(Updates.log(updates.get(0))).startsWith("Structs:\n").contains("DeleteSet:\n");
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void gcFilter_keepingARootOrAContentKind_givesYjsBytes() {
    for (long seed = 0; seed < 40; seed++) {
      Map<String, Object> keep = seed % 2 == 0 ? Map.of("root", "t") : Map.of("content", "ContentAny");
      Predicate<DecodedUpdate.Struct> filter = seed % 2 == 0
          ? s -> !"t".equals(s.parentName())
          : s -> !"ContentAny".equals(s.content());
      try {
        session(new SplittableRandom(seed), 1000 + seed, keep, filter, false);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " keeping " + keep + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void gcFilter_refusingEverything_keepsWhatGcOffKeeps() {
    Doc filtered = Doc.newBuilder().clientId(1).gcFilter(s -> false).build();
    Doc noGc = Doc.newBuilder().clientId(1).gc(false).build();
    for (Doc d : List.of(filtered, noGc)) {
      d.getText("t").insert(0, "hello");
      YMap inner = d.getMap("m").set("k", new YMap());
      inner.set("n", 1);
      d.getText("t").delete(1, 3);
      d.getMap("m").delete("k");
    }
    assertThat(filtered.encodeStateAsUpdate()).isEqualTo(noGc.encodeStateAsUpdate());
    assertThat(Updates.decode(filtered.encodeStateAsUpdate()).structs()).noneMatch(s -> s.kind() == DecodedUpdate.Kind.GC)
        .anyMatch(s -> "ContentString".equals(s.content()) && s.values().equals(List.of("ell")));
  }

  /**
   * Two replicas twinned with Yjs docs (gc on, the given gcFilter) edit at random and exchange their updates;
   * returns every update event. Update events and final states must equal the twins'.
   */
  private static List<byte[]> session(SplittableRandom rnd, long seed, Map<String, Object> gcKeep,
      Predicate<DecodedUpdate.Struct> filter, boolean xml) {
    RandomEdits edits = new RandomEdits(rnd, xml);
    List<byte[]> all = new ArrayList<>();
    List<Doc> docs = new ArrayList<>();
    List<String> twins = new ArrayList<>();
    List<List<byte[]>> events = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Doc.Builder b = Doc.newBuilder().clientId(10 + i);
      if (filter != null) {
        b.gcFilter(filter);
      }
      Doc d = b.build();
      d.getText("t");
      d.getArray("a");
      d.getMap("m");
      d.getXmlFragment("x");
      List<byte[]> mine = new ArrayList<>();
      d.onUpdate((u, o, t) -> mine.add(u));
      docs.add(d);
      events.add(mine);
      String twin = "inspect-" + seed + "-" + i;
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", "new");
      c.put("id", twin);
      c.put("clientId", 10 + i);
      c.put("gc", true);
      c.put("roots", new LinkedHashMap<>(ROOTS));
      if (!gcKeep.isEmpty()) {
        c.put("gcKeep", gcKeep);
      }
      peer.request(c);
      twins.add(twin);
    }
    try {
      for (int step = 0; step < 40; step++) {
        int i = rnd.nextInt(2);
        Doc d = docs.get(i);
        Map<String, Object> op = edits.randomOp(d);
        YjsInterop.apply(d, op);
        peer.apply(twins.get(i), op);
        List<byte[]> fromJava = new ArrayList<>(events.get(i));
        events.get(i).clear();
        TwinReplica.assertSameEvents(twins.get(i) + " after " + op.get("op"), fromJava, peer.updates(twins.get(i)));
        all.addAll(fromJava);
        if (rnd.nextInt(3) == 0) {
          int j = 1 - i;
          byte[] u = docs.get(i).encodeStateAsUpdate(docs.get(j).encodeStateVector());
          docs.get(j).applyUpdate(u);
          peer.applyUpdate(twins.get(j), u);
          List<byte[]> received = new ArrayList<>(events.get(j));
          events.get(j).clear();
          TwinReplica.assertSameEvents(twins.get(j) + " receiving", received, peer.updates(twins.get(j)));
          all.addAll(received);
        }
      }
      for (int i = 0; i < 2; i++) {
        byte[] state = docs.get(i).encodeStateAsUpdate();
        assertThat(YjsInterop.base64(state)).as("state of %s", twins.get(i))
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(twins.get(i), null)));
        all.add(state);
      }
    } finally {
      twins.forEach(peer::drop);
    }
    return all;
  }

  /** That {@code Updates.decode} (V2 if {@code v2}) describes {@code update} as {@code Y.decodeUpdate} does. */
  static void assertSameDecoding(YjsPeer peer, byte[] update, boolean v2) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "decodeUpdate");
    c.put("update", YjsInterop.base64(update));
    if (v2) {
      c.put("v2", true);
    }
    Map<String, Object> yjs = peer.request(c);
    DecodedUpdate decoded = v2 ? Updates.decodeV2(update) : Updates.decode(update);
    List<?> yjsStructs = (List<?>) yjs.get("structs");
    assertThat(decoded.structs()).as("struct count").hasSize(yjsStructs.size());
    for (int i = 0; i < yjsStructs.size(); i++) {
      Map<String, Object> expected = YjsInterop.asMap(yjsStructs.get(i));
      DecodedUpdate.Struct s = decoded.structs().get(i);
      String what = "struct " + i + " " + s;
      assertThat(s.kind().name()).as(what).isEqualToIgnoringCase((String) expected.get("kind"));
      assertThat(id(s.id())).as(what).isEqualTo(expected.get("id"));
      assertThat(s.length()).as(what).isEqualTo(expected.get("length"));
      if (s.kind() == DecodedUpdate.Kind.ITEM) {
        assertThat(id(s.origin())).as(what + " origin").isEqualTo(expected.get("origin"));
        assertThat(id(s.rightOrigin())).as(what + " rightOrigin").isEqualTo(expected.get("rightOrigin"));
        Object parent = s.parentName() != null ? s.parentName() : id(s.parentId());
        assertThat(parent).as(what + " parent").isEqualTo(expected.get("parent"));
        assertThat(s.parentSub()).as(what + " parentSub").isEqualTo(expected.get("parentSub"));
        assertThat(s.content()).as(what + " content").isEqualTo(expected.get("content"));
        assertThat(YjsInterop.difference("values", YjsInterop.toJava(expected.get("values")), s.values())).as(what)
            .isNull();
      }
    }
    List<Object> deletes = new ArrayList<>();
    for (IdRange r : decoded.deletes()) {
      deletes.add(Arrays.asList(number(r.client()), r.clock(), r.length()));
    }
    assertThat(deletes).as("delete set").isEqualTo(yjs.get("deletes"));
  }

  /** An id as the peer's JSON has it: [client, clock], client as Integer when it fits (as the JSON reader gives). */
  private static Object id(DecodedUpdate.Id id) {
    return id == null ? null : Arrays.asList(number(id.client()), id.clock());
  }

  private static Object number(long n) {
    return n == (int) n ? (Object) (int) n : (Object) n;
  }
}
