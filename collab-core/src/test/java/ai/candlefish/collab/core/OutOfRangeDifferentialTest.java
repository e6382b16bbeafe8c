package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Edits at the edges, against real Yjs: what Yjs does with an index or range past the end, and with a zero retain.
 * Y.Text inserts past the end append (after any trailing format marks) and deletes past the end delete what there
 * is; on a text that never held anything a delete fails. Y.Array and Y.XmlFragment refuse an insert past the end,
 * and a delete past the end deletes what its range covered and then fails, the transaction completing with it. A
 * retain of 0 with attributes writes format marks. A negative index acts as 0 in Y.Text; a negative length deletes or
 * formats nothing there (a format still writes its marks). Y.Array and Y.XmlFragment refuse negative values, where
 * Yjs's result depends on item clocks (see {@code SharedType.listInsert}). Each step must fail on both sides or on
 * neither, write the same update, and leave the same content.
 */
@ExtendWith(YjsPeerExtension.class)
class OutOfRangeDifferentialTest {
  private static final Map<String, String> ROOTS = new LinkedHashMap<>(YjsSurfacePropertyTest.ROOTS);

  static {
    ROOTS.put("e", "text"); // never written
  }

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  static Map<String, Object> op(Object... kv) {
    Map<String, Object> op = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      op.put((String) kv[i], kv[i + 1]);
    }
    return op;
  }

  private static Map<String, Object> text(String name, String text) {
    return Map.of("element", name, "children", List.of(Map.of("text", text)));
  }

  private static void run(String id, List<Map<String, Object>> ops) {
    run(peer, id, ops);
  }

  /** Applies {@code ops} one by one to a Java doc and a Yjs doc and compares failures, updates and content. */
  static void run(YjsPeer peer, String id, List<Map<String, Object>> ops) {
    Doc doc = Doc.newBuilder().clientId(7).build();
    ROOTS.forEach((name, kind) -> Twins.root(doc, name, kind));
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    peer.newDoc(id, 7, true, ROOTS);
    try {
      for (Map<String, Object> op : ops) {
        RuntimeException ours = null;
        try {
          if (!YjsSurfacePropertyTest.applySurfaceOp(doc, op)) {
            YjsInterop.apply(doc, op);
          }
        } catch (RuntimeException e) {
          ours = e;
        }
        String theirs = null;
        try {
          peer.apply(id, op);
        } catch (YjsPeer.PeerException e) {
          theirs = e.getMessage();
        }
        assertThat(ours != null).as("we fail (%s) on %s where Yjs says %s", ours, op, theirs)
            .isEqualTo(theirs != null);
        if (ours != null) {
          assertThat(ours).as("failure of %s", op).isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update of %s", op)
            .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
        updates.clear();
        Twins.assertSameRoots(peer, doc, id, ROOTS, "after " + op);
      }
    } finally {
      peer.drop(id);
    }
  }

  /** Reads at indexes outside a type: an XML child that is not there, a relative position at a negative index. */
  @Test
  void readsOutsideAType_asYjs() {
    String id = "reads-outside";
    Doc doc = Doc.newBuilder().clientId(7).build();
    ROOTS.forEach((name, kind) -> Twins.root(doc, name, kind));
    peer.newDoc(id, 7, true, ROOTS);
    try {
      List<Map<String, Object>> ops = List.of(
          op("op", "insertText", "name", "t", "index", 0, "text", "abc"),
          op("op", "insertText", "name", "t", "index", 0, "text", "xy"),
          op("op", "xmlInsert", "name", "x", "index", 0, "nodes", List.of(text("p", "a"), text("q", "b"))));
      for (Map<String, Object> op : ops) {
        YjsInterop.apply(doc, op);
        peer.apply(id, op);
      }
      YXmlFragment x = doc.getXmlFragment("x");
      for (int index : new int[] {-1, -2, 0, 1, 2, 5}) {
        Object child = peer.request(op("op", "childAt", "id", id, "name", "x", "kind", "xml", "index", index))
            .get("child");
        SharedType ours = x.get(index);
        assertThat(ours == null ? null : ours.toString()).as("x.get(%s)", index).isEqualTo(child);
      }
      for (String name : List.of("t", "e")) {
        for (int index : new int[] {-1, -2, -3, -4, -9}) {
          for (int assoc : new int[] {0, -1}) {
            Map<String, Object> reply = peer.request(op("op", "relPos", "id", id, "name", name, "kind", "text",
                "index", index, "assoc", assoc));
            RelativePosition ours = RelativePosition.fromTypeIndex(doc.getText(name), index, assoc);
            String what = name + " at " + index + ", assoc " + assoc;
            assertThat(YjsInterop.base64(ours.encode())).as("encoded position %s", what)
                .isEqualTo(reply.get("encoded"));
            assertThat(Json.stringify(ours.toJson())).as("JSON of position %s", what)
                .isEqualTo(Json.stringify(reply.get("json")));
            Object abs = peer.request(op("op", "absPos", "id", id, "encoded", reply.get("encoded"), "follow", false))
                .get("abs");
            AbsolutePosition ourAbs = RelativePosition.decode(ours.encode()).toAbsolute(doc, false);
            assertThat(ourAbs == null ? null : ourAbs.index()).as("absolute position %s", what)
                .isEqualTo(abs == null ? null : YjsInterop.asMap(abs).get("index"));
          }
        }
      }
      // Yjs's own position (clock -1 in "xyabc", one item from clock 3) fails there; ours is gone
      assertThat(RelativePosition.fromTypeIndex(doc.getText("t"), -4).toAbsolute(doc)).isNull();
    } finally {
      peer.drop(id);
    }
  }

  @Test
  void textEdits_pastTheEnd_asYjs() {
    run("text-range", List.of(
        op("op", "insertText", "name", "t", "index", 0, "text", "abc"),
        op("op", "insertText", "name", "t", "index", 10, "text", "X"),
        op("op", "insertText", "name", "t", "index", 20, "text", "Y", "attrs", Map.of("b", true)),
        op("op", "formatText", "name", "t", "index", 0, "len", 2, "attrs", Map.of("i", true)),
        op("op", "insertText", "name", "t", "index", 5, "text", "W"),
        op("op", "insertText", "name", "t", "index", 100, "text", "Z"),
        op("op", "insertText", "name", "t", "index", 100, "text", "V", "attrs", Map.of("u", 1)),
        op("op", "insertEmbed", "name", "t", "index", 99, "embed", Map.of("a", 1)),
        op("op", "deleteText", "name", "t", "index", 2, "len", 100),
        op("op", "deleteText", "name", "t", "index", 50, "len", 2),
        op("op", "insertText", "name", "t", "index", 1, "text", "mn"),
        op("op", "deleteText", "name", "t", "index", 1, "len", 1000),
        op("op", "deleteText", "name", "t", "index", 0, "len", 1),
        op("op", "deleteText", "name", "t", "index", 0, "len", 1),
        op("op", "insertText", "name", "t", "index", 3, "text", "again"),
        op("op", "deleteText", "name", "e", "index", 0, "len", 1),
        op("op", "deleteText", "name", "e", "index", 4, "len", 2),
        op("op", "insertText", "name", "e", "index", 4, "text", "e")));
  }

  @Test
  void textEdits_negativeIndexOrLength_asYjs() {
    // Yjs's findPosition walks forward by the index (nothing when negative) from the start or from a search marker
    // (which a negative index moves to the start); its delete and format loops run while the length is positive.
    run("text-negative", List.of(
        op("op", "insertText", "name", "t", "index", 0, "text", "abcdefgh"),
        op("op", "insertText", "name", "t", "index", -1, "text", "Z"),
        op("op", "insertText", "name", "t", "index", 6, "text", "m"),
        op("op", "insertText", "name", "t", "index", -10, "text", "Y"),
        op("op", "deleteText", "name", "t", "index", -1, "len", 1),
        op("op", "deleteText", "name", "t", "index", -2, "len", 3),
        op("op", "deleteText", "name", "t", "index", 2, "len", -1),
        op("op", "insertText", "name", "t", "index", -3, "text", "B", "attrs", Map.of("b", true)),
        op("op", "insertEmbed", "name", "t", "index", -3, "embed", Map.of("a", 1)),
        op("op", "formatText", "name", "t", "index", -1, "len", 3, "attrs", Map.of("i", true)),
        op("op", "formatText", "name", "t", "index", 4, "len", -2, "attrs", Map.of("u", true)),
        op("op", "deleteText", "name", "t", "index", 4, "len", -1),
        op("op", "insertText", "name", "t", "index", -1, "text", "q"),
        op("op", "formatText", "name", "t", "index", 2, "len", -1, "attrs", Map.of("i", true)),
        op("op", "deleteText", "name", "t", "index", -5, "len", 2),
        op("op", "deleteText", "name", "e", "index", 0, "len", -1),
        op("op", "formatText", "name", "e", "index", -1, "len", -1, "attrs", Map.of("b", true)),
        op("op", "insertText", "name", "e", "index", -2, "text", "e"),
        op("op", "deleteText", "name", "e", "index", -1, "len", -4)));
  }

  @Test
  void cleanupFormatting_removesTheMarksYjsRemoves() {
    // A format of negative length leaves a mark and its negation side by side, and local edits are not cleaned up
    // after: Yjs's cleanupYTextFormatting removes such marks and says how many, but only before the first content
    // (its walk looks at the gap after each content item from that item on, which ends the gap at once).
    List<Map<String, Object>> ops = List.of(
        op("op", "insertText", "name", "t", "index", 0, "text", "abcdef"),
        op("op", "formatText", "name", "t", "index", 0, "len", -1, "attrs", Map.of("u", true)),
        op("op", "formatText", "name", "t", "index", -1, "len", -2, "attrs", Map.of("s", 1)),
        op("op", "formatText", "name", "t", "index", 2, "len", -1, "attrs", Map.of("u", true)),
        op("op", "formatText", "name", "t", "index", 1, "len", 3, "attrs", Map.of("b", true)),
        op("op", "formatText", "name", "t", "index", 4, "len", -3, "attrs", Map.of("b", true, "i", 1)));
    run("cleanup", ops);
    Doc doc = Doc.newBuilder().clientId(7).build();
    ROOTS.forEach((name, kind) -> Twins.root(doc, name, kind));
    ops.forEach(op -> YjsInterop.apply(doc, op));
    peer.newDoc("cleanup-count", 7, true, ROOTS);
    try {
      ops.forEach(op -> peer.apply("cleanup-count", op));
      Object removed = peer.request(op("op", "cleanupYTextFormatting", "id", "cleanup-count", "name", "t"))
          .get("removed");
      assertThat(doc.getText("t").cleanupFormatting()).isEqualTo(((Number) removed).intValue()).isPositive();
      assertThat(doc.getText("t").cleanupFormatting()).isZero();
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("cleanup-count", null)));
    } finally {
      peer.drop("cleanup-count");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new YText().cleanupFormatting())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void arrayGet_outOfRange_undefinedAsYjs() {
    // Yjs's Y.Array get(i) returns undefined below 0 and past the end (and reads through its search markers, which an
    // array of a few hundred elements with deletions has).
    Doc doc = Doc.newBuilder().clientId(7).build();
    peer.newDoc("array-get", 7, true, Map.of("a", "array"));
    try {
      YArray a = doc.getArray("a");
      List<Integer> indices = new ArrayList<>();
      for (int i = -3; i < 4; i++) {
        indices.add(i);
      }
      compareGets(a, indices, "empty");
      List<Map<String, Object>> ops = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      values.add(1);
      values.add("two");
      values.add(null);
      ops.add(op("op", "arrayInsert", "name", "a", "index", 0, "values", values));
      for (int i = 0; i < 60; i++) {
        ops.add(op("op", "arrayInsert", "name", "a", "index", (i * 7) % (4 + i), "values", List.of(i, i + 1, i + 2)));
        if (i % 5 == 4) {
          ops.add(op("op", "arrayDelete", "name", "a", "index", i, "len", 2));
        }
      }
      for (Map<String, Object> o : ops) {
        YjsInterop.apply(doc, o);
        peer.apply("array-get", o);
      }
      indices.clear();
      int length = a.length();
      for (int i : new int[] {-1000, -2, -1, 0, 1, 2, 3, 4, 50, length - 2, length - 1, length, length + 1, 5000}) {
        indices.add(i);
      }
      for (int i = -1; i <= length; i += 13) {
        indices.add(i);
        indices.add(-i);
      }
      compareGets(a, indices, "after " + ops.size() + " edits");
    } finally {
      peer.drop("array-get");
    }
  }

  private static void compareGets(YArray a, List<Integer> indices, String when) {
    List<Object> ours = new ArrayList<>();
    for (int i : indices) {
      ours.add(YjsInterop.toTagged(a.get(i)));
    }
    Map<String, Object> c = op("op", "listGet", "id", "array-get", "name", "a", "indices", indices);
    assertThat(YjsSurfacePropertyTest.normalized(ours)).as("get(%s) %s", indices, when)
        .isEqualTo(peer.request(c).get("values"));
  }

  @Test
  void listEdits_negativeIndexOrLength_refused() {
    // Yjs: an insert at -1 splits the item before the first item's clock (fails when there is none) and inserts
    // after that first item, and negative deletes shift its search markers off; we refuse, changing nothing.
    Doc doc = Doc.newBuilder().clientId(7).build();
    YArray a = doc.getArray("a");
    a.push(List.of(1, 2, 3));
    YXmlFragment x = doc.getXmlFragment("x");
    x.push(List.of(new YXmlText("p")));
    byte[] before = doc.encodeStateAsUpdate();
    List<Runnable> edits = List.of(() -> a.insert(-1, List.of(0)), () -> a.delete(-1, 1), () -> a.delete(1, -1),
        () -> x.insert(-1, List.of(new YXmlText("q"))), () -> x.delete(-1, 1), () -> x.delete(0, -1));
    for (Runnable edit : edits) {
      org.assertj.core.api.Assertions.assertThatThrownBy(edit::run).isInstanceOf(IndexOutOfBoundsException.class);
    }
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
  }

  @Test
  void preliminaryLists_spliceAsYjs() {
    // A preliminary Y.Array or Y.XmlFragment is a JavaScript array that Yjs splices: a negative index counts from
    // the end, a negative length deletes nothing. Expected: what Yjs 13.6.33 gives for Y.Array.from([1, 2, 3, 4]) and
    // a fragment of four texts, read after inserting both into a document.
    Map<String, List<Object>> expected = new LinkedHashMap<>();
    expected.put("insert -1", List.of(1, 2, 3, "z", 4));
    expected.put("insert -10", List.of("z", 1, 2, 3, 4));
    expected.put("insert 10", List.of(1, 2, 3, 4, "z"));
    expected.put("delete -1 1", List.of(1, 2, 3));
    expected.put("delete -2 5", List.of(1, 2));
    expected.put("delete -10 2", List.of(3, 4));
    expected.put("delete 1 -1", List.of(1, 2, 3, 4));
    expected.put("delete 4 3", List.of(1, 2, 3, 4));
    expected.forEach((edit, values) -> {
      String[] e = edit.split(" ");
      int index = Integer.parseInt(e[1]);
      YArray a = YArray.from(List.of(1, 2, 3, 4));
      YXmlFragment x = new YXmlFragment();
      x.insert(0, List.of(new YXmlText("1"), new YXmlText("2"), new YXmlText("3"), new YXmlText("4")));
      if (e[0].equals("insert")) {
        a.insert(index, List.of("z"));
        x.insert(index, List.of(new YXmlText("z")));
      } else {
        a.delete(index, Integer.parseInt(e[2]));
        x.delete(index, Integer.parseInt(e[2]));
      }
      Doc doc = Doc.newBuilder().clientId(1).build();
      doc.getArray("r").push(List.of(a, x));
      assertThat(a.toJson()).as(edit).isEqualTo(values);
      StringBuilder xml = new StringBuilder();
      values.forEach(xml::append);
      assertThat(x.toString()).as(edit).isEqualTo(xml.toString());
    });
  }

  @Test
  void listEdits_pastTheEnd_asYjs() {
    List<Object> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundred.add(i);
    }
    List<Map<String, Object>> ops = new ArrayList<>();
    ops.add(op("op", "arrayInsert", "name", "a", "index", 1, "values", List.of(1)));
    ops.add(op("op", "arrayDelete", "name", "a", "index", 0, "len", 1));
    for (int i = 0; i < 20; i++) {
      ops.add(op("op", "arrayInsert", "name", "a", "index", i, "values", hundred.subList(i * 5, i * 5 + 5)));
    }
    ops.add(op("op", "arrayInsert", "name", "a", "index", 80, "values", List.of("m")));
    ops.add(op("op", "arrayInsert", "name", "a", "index", 60, "values", List.of("n")));
    ops.add(op("op", "arrayInsert", "name", "a", "index", 103, "values", List.of("past")));
    ops.add(op("op", "arrayDelete", "name", "a", "index", 50, "len", 100));
    // Yjs did not move its search markers for that deletion: where do the next edits land?
    ops.add(op("op", "arrayInsert", "name", "a", "index", 40, "values", List.of("X")));
    ops.add(op("op", "arrayInsert", "name", "a", "index", 51, "values", List.of("Y")));
    ops.add(op("op", "arrayDelete", "name", "a", "index", 45, "len", 3));
    ops.add(op("op", "arrayDelete", "name", "a", "index", 60, "len", 1));
    ops.add(op("op", "transact", "ops", List.of(
        op("op", "arrayInsert", "name", "a", "index", 0, "values", List.of("t")),
        op("op", "arrayDelete", "name", "a", "index", 40, "len", 30))));
    ops.add(op("op", "xmlInsert", "name", "x", "index", 0, "nodes", List.of(text("p", "a"), text("q", "b"))));
    ops.add(op("op", "xmlInsert", "name", "x", "index", 3, "nodes", List.of(text("r", "c"))));
    ops.add(op("op", "xmlDelete", "name", "x", "index", 1, "len", 5));
    ops.add(op("op", "xmlDelete", "name", "x", "index", 4, "len", 1));
    run("list-range", ops);
  }

  @Test
  void zeroRetain_asYjs() {
    run("retain0", List.of(
        op("op", "insertText", "name", "t", "index", 0, "text", "abc"),
        op("op", "deleteText", "name", "t", "index", 0, "len", 1),
        op("op", "applyDelta", "name", "t", "delta", List.of(Map.of("retain", 0), Map.of("insert", "X"))),
        op("op", "applyDelta", "name", "t", "delta", List.of(Map.of("retain", 0, "attributes", Map.of("b", true)),
            Map.of("retain", 1, "attributes", Map.of("i", true)))),
        op("op", "applyDelta", "name", "t", "delta", List.of(Map.of("retain", 2),
            Map.of("retain", 0, "attributes", Map.of("b", true)), Map.of("insert", "Q"))),
        op("op", "applyDelta", "name", "t", "delta", List.of(Map.of("retain", 0, "attributes", Map.of("i", true)))),
        op("op", "applyDelta", "name", "t", "delta", List.of(Map.of("retain", 10),
            Map.of("retain", 0, "attributes", Map.of("c", "x")), Map.of("insert", "end")))));
  }
}
