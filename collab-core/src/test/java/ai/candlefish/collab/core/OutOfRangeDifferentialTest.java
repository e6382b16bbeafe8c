package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

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
 * retain of 0 with attributes writes format marks. Each step must fail on both sides or on neither, write the same
 * update, and leave the same content.
 */
@ExtendWith(YjsPeerExtension.class)
class OutOfRangeDifferentialTest {
  private static final Map<String, String> ROOTS = new LinkedHashMap<>(YjsSurfacePropertyTest.ROOTS);

  static {
    ROOTS.put("e", "text"); // never written
  }

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static Map<String, Object> op(Object... kv) {
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
