package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Embeds of every JSON kind in a text, against real Yjs: what {@code toDelta()}, {@code toString()} (of an XML
 * text too) and an observer's event delta show. Yjs's {@code toDelta()} has every embed, {@code {insert: null}}
 * included (only an update from elsewhere holds one: {@link Delta#NULL_EMBED} here); its event delta leaves out an
 * embedded number, boolean or empty string ({@code typeof insert === 'object' || insert.length > 0}). Locally,
 * {@code insertEmbed} of null or undefined fails, {@code applyDelta} fails at an {@code {insert: null}} (what came
 * before it stays) and skips an {@code {insert: undefined}}.
 */
@ExtendWith(YjsPeerExtension.class)
class EmbedValuesDifferentialTest {
  private static final List<String> EMBEDS = List.of("null", "5", "true", "false", "0", "\"\"", "\"x\"", "[1]",
      "{\"a\":1}", "1.5", "[]", "{}");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** A Java doc observing its root "t" deeply, and its twin (observing too). */
  private record Twin(String id, Doc doc, Map<String, String> roots, List<Object> events) {
    static Twin of(String id, String kind) {
      Map<String, String> roots = Map.of("t", kind);
      Doc doc = Doc.newBuilder().clientId(9).build();
      List<Object> events = new ArrayList<>();
      Twins.root(doc, "t", kind).observeDeep(es -> es.forEach(e -> events.add(YjsSurfacePropertyTest.describe(e))));
      peer.newDoc(id, 9, true, roots, true);
      return new Twin(id, doc, roots, events);
    }

    /** Both sides fail or neither; then the same update events, observer events, content and state. */
    void step(Map<String, Object> op, Runnable ours, String when) {
      List<byte[]> updates = new ArrayList<>();
      Subscription s = doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
      RuntimeException failure = null;
      try {
        ours.run();
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        s.close();
      }
      String theirs = null;
      try {
        peer.apply(id, op);
      } catch (YjsPeer.PeerException e) {
        theirs = e.getMessage();
      }
      assertThat(failure != null).as("we fail (%s) %s where Yjs says %s", failure, when, theirs).isEqualTo(theirs != null);
      assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update events %s", when)
          .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
      compare(when);
    }

    void compare(String when) {
      Object yjsEvents = peer.request(Map.of("op", "events", "id", id)).get("events");
      assertThat(YjsSurfacePropertyTest.normalized(events)).as("events %s", when).isEqualTo(yjsEvents);
      events.clear();
      Map<String, Object> yjs = peer.snapshot(id, roots);
      assertThat(YjsInterop.rootDifferences(doc, new LinkedHashMap<>(roots), YjsInterop.asMap(yjs.get("values")),
          YjsInterop.asMap(yjs.get("deltas")))).as("content %s", when).isEmpty();
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("state %s", when)
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
    }
  }

  @Test
  void embedsFromAnUpdate_inDeltasEventsAndStrings_asYjs() {
    for (String kind : List.of("text", "xmlText")) {
      for (String json : EMBEDS) {
        // client 5's embed (no origin) lands before client 6's "xy": one update holding both
        Doc other = Doc.newBuilder().clientId(6).build();
        ((YText) Twins.root(other, "t", kind)).insert(0, "xy");
        byte[] embed = LegacyContentDifferentialTest.update(Content.EMBED, "t", null, e -> e.writeVarString(json));
        byte[] update = peer.mergeUpdates(List.of(other.encodeStateAsUpdate(), embed));
        Twin t = Twin.of("embed", kind);
        try {
          String what = "(" + kind + ", embed " + json + ")";
          t.doc.applyUpdate(update);
          peer.applyUpdate(t.id, update);
          peer.updates(t.id); // its update event, the update itself
          t.compare("after the update " + what);
          Map<String, Object> bold = Map.of("bold", true);
          t.step(OutOfRangeDifferentialTest.op("op", "formatText", "name", "t", "index", 0, "len", 2, "attrs", bold),
              () -> ((YText) Twins.root(t.doc, "t", kind)).format(0, 2, bold), "after formatting " + what);
          t.step(OutOfRangeDifferentialTest.op("op", "insertText", "name", "t", "index", 1, "text", "q"),
              () -> ((YText) Twins.root(t.doc, "t", kind)).insert(1, "q"), "after an insert " + what);
          t.step(OutOfRangeDifferentialTest.op("op", "deleteText", "name", "t", "index", 0, "len", 2),
              () -> ((YText) Twins.root(t.doc, "t", kind)).delete(0, 2), "after a delete " + what);
        } finally {
          peer.drop(t.id);
        }
      }
    }
  }

  @Test
  void localEmbedsAndDeltas_asYjs() {
    List<Map<String, Object>> ops = new ArrayList<>();
    for (Object embed : new Object[] {5, true, 0, false, "x", List.of(1), Map.of("a", 1), 1.5, List.of()}) {
      ops.add(OutOfRangeDifferentialTest.op("op", "insertEmbed", "name", "t", "index", 1, "embed",
          YjsInterop.toTagged(embed)));
    }
    ops.add(OutOfRangeDifferentialTest.op("op", "insertEmbed", "name", "t", "index", 0, "embed", null));
    ops.add(OutOfRangeDifferentialTest.op("op", "insertEmbed", "name", "t", "index", 0, "embed",
        YjsInterop.toTagged(Undefined.INSTANCE)));
    List<Object> nullInsert = new ArrayList<>();
    nullInsert.add(Map.of("insert", "a"));
    Map<String, Object> nothing = new LinkedHashMap<>();
    nothing.put("insert", null);
    nullInsert.add(nothing);
    nullInsert.add(Map.of("insert", "b"));
    ops.add(OutOfRangeDifferentialTest.op("op", "applyDelta", "name", "t", "delta", nullInsert, "sanitize", true));
    ops.add(OutOfRangeDifferentialTest.op("op", "applyDelta", "name", "t", "delta",
        List.of(Map.of("retain", 2), Map.of("insert", YjsInterop.toTagged(Undefined.INSTANCE)), Map.of("insert", "z")),
        "sanitize", false));
    ops.add(OutOfRangeDifferentialTest.op("op", "formatText", "name", "t", "index", 0, "len", 30, "attrs",
        Map.of("i", true)));
    ops.add(OutOfRangeDifferentialTest.op("op", "deleteText", "name", "t", "index", 1, "len", 4));

    for (String kind : List.of("text", "xmlText")) {
      Twin t = Twin.of("local-embeds", kind);
      try {
        for (Map<String, Object> op : ops) {
          t.step(op, () -> {
            if (!YjsSurfacePropertyTest.applySurfaceOp(t.doc, op)) {
              YjsInterop.apply(t.doc, op);
            }
          }, "after " + op + " on a " + kind);
        }
      } finally {
        peer.drop(t.id);
      }
    }
  }

  @Test
  void emptyStringEmbed_writesWhatYjsWrites_andTheStateLoadsAgain() {
    // Yjs inserts an empty string embed as a text item of length 0 (no update event: the clock does not move; inside
    // formatted text with format marks around it, which do move it). See EmptyItemsDifferentialTest.
    for (int index : new int[] {0, 1, 2}) {
      String id = "empty-embed-" + index;
      Doc doc = Doc.newBuilder().clientId(4).build();
      doc.getText("t");
      peer.newDoc(id, 4, true, Map.of("t", "text"));
      try {
        List<byte[]> updates = new ArrayList<>();
        doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
        for (Map<String, Object> op : List.of(
            OutOfRangeDifferentialTest.op("op", "insertText", "name", "t", "index", 0, "text", "ab", "attrs",
                Map.of("bold", true)),
            OutOfRangeDifferentialTest.op("op", "insertEmbed", "name", "t", "index", index, "embed", ""),
            OutOfRangeDifferentialTest.op("op", "insertEmbed", "name", "t", "index", index, "embed", "", "attrs",
                Map.of("italic", true)))) {
          YjsInterop.apply(doc, op);
          peer.apply(id, op);
          assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update events of %s at %s", op, index)
              .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
          updates.clear();
        }
        byte[] state = peer.encodeStateAsUpdate(id, null);
        assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("state at %s", index)
            .isEqualTo(YjsInterop.base64(state));
        Doc again = Doc.create();
        again.applyUpdate(state);
        assertThat(again.encodeStateAsUpdate()).isEqualTo(state);
        assertThat(again.getText("t").toDelta()).isEqualTo(doc.getText("t").toDelta());
      } finally {
        peer.drop(id);
      }
    }
  }

  @Test
  void cloneOfATextWithANullEmbed_stopsThereAsYjs() {
    // Yjs's clone applies toDelta() when it is inserted and stops at {insert: null} (a TypeError it logs): for
    // [{insert: null}, {insert: "xy", attributes: {bold: true}}] Yjs 13.6.33's clone is empty.
    Doc other = Doc.newBuilder().clientId(6).build();
    other.getText("t").insert(0, "xy");
    byte[] embed = LegacyContentDifferentialTest.update(Content.EMBED, "t", null, e -> e.writeVarString("null"));
    Doc doc = Doc.newBuilder().clientId(9).build();
    doc.applyUpdate(Updates.merge(List.of(embed, other.encodeStateAsUpdate())));
    YText t = doc.getText("t");
    t.format(1, 2, Map.of("bold", true));
    assertThat(t.toDelta()).containsExactly(Delta.insert(Delta.NULL_EMBED), Delta.insert("xy", Map.of("bold", true)));
    YText clone = t.clone();
    doc.getArray("arr").insert(0, List.of(clone));
    assertThat(clone.toDelta()).isEmpty();
  }
}
