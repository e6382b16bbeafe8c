package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lone surrogates everywhere a Yjs user can put a string besides text content (map keys, values nested in objects,
 * format keys and values, embeds, XML node and attribute names, text attributes), against real Yjs. Yjs writes a
 * lone surrogate as U+FFFD on the wire (TextEncoder) except inside JSON (escaped), and keeps the original in the
 * document that wrote it: the same bytes, the same local values, and the same values on a replica that reads them.
 */
@ExtendWith(YjsPeerExtension.class)
class LoneSurrogateDifferentialTest {
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static Map<String, Object> op(Object... kv) {
    Map<String, Object> op = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      op.put((String) kv[i], kv[i + 1]);
    }
    return op;
  }

  @Test
  void loneSurrogates_encodeAndReadAsYjs() {
    List<Map<String, Object>> ops = List.of(
        op("op", "mapSet", "name", "m", "key", "k\uD800", "value", "v\uDC00"),
        op("op", "mapSet", "name", "m", "key", "o", "value", Map.of("o\uD800", List.of("\uDFFF", "\uD83D\uDE00"))),
        op("op", "insertText", "name", "t", "index", 0, "text", "ab"),
        op("op", "formatText", "name", "t", "index", 0, "len", 1, "attrs", Map.of("b\uD800", "c\uDC00")),
        op("op", "insertEmbed", "name", "t", "index", 1, "embed", Map.of("e\uD800", "\uDC00")),
        op("op", "insertText", "name", "t", "index", 3, "text", "z", "attrs", Map.of("\uDBFF", true)),
        op("op", "arrayPush", "name", "a", "values", List.of("\uD800", Map.of("\uDC00", 1))),
        op("op", "xmlInsert", "name", "x", "index", 0, "nodes", List.of(
            Map.of("element", "p\uD800", "attrs", Map.of("a\uDC00", "v\uD800")),
            Map.of("text", "q", "attrs", Map.of("i\uD800", Map.of("h\uDC00", "\uD800"))))),
        op("op", "textAttr", "name", "t", "key", "k\uDC00", "value", "w\uD800"));
    Doc doc = Doc.newBuilder().clientId(4).build();
    List<byte[]> updates = new java.util.ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    peer.newDoc("lone", 4, true, ROOTS);
    peer.newDoc("lone-reader", 5, true, ROOTS);
    try {
      for (Map<String, Object> op : ops) {
        if (!YjsSurfacePropertyTest.applySurfaceOp(doc, op)) {
          YjsInterop.apply(doc, op);
        }
        peer.apply("lone", op);
        assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update of %s", op)
            .isEqualTo(peer.updates("lone").stream().map(YjsInterop::base64).toList());
        updates.clear();
        Twins.assertSameRoots(peer, doc, "lone", ROOTS, "after " + op);
      }
      Doc reader = Doc.newBuilder().clientId(5).build();
      ROOTS.forEach((name, kind) -> Twins.root(reader, name, kind));
      reader.applyUpdate(doc.encodeStateAsUpdate());
      peer.applyUpdate("lone-reader", peer.encodeStateAsUpdate("lone", null));
      Twins.assertSameRoots(peer, reader, "lone-reader", ROOTS, "read by another replica");
    } finally {
      peer.drop("lone");
      peer.drop("lone-reader");
    }
  }
}
