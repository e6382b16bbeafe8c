package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.YjsOps.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A root XML text ({@link Doc#getXmlText}, Yjs's {@code doc.get(name, Y.XmlText)}, where Lexical keeps its document)
 * against real Yjs: formatted text and an embedded XML text with attributes of its own, written, read by another
 * replica, and brought back by an undo (Yjs's own test {@code testUndoSetAttributeAndDeleteSyncsAttributes}).
 */
@ExtendWith(YjsPeerExtension.class)
class XmlTextRootDifferentialTest {
  private static final Map<String, String> ROOTS = new LinkedHashMap<>(YjsSurfacePropertyTest.ROOTS);

  static {
    ROOTS.put("r", "xmlText");
  }

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void rootXmlText_writesReadsAndUndoesAsYjs() {
    String id = "xmltext";
    Doc doc = Twins.create(peer, id, 12, true, ROOTS);
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    try {
      apply(doc, id, updates, Map.of("op", "insertText", "name", "r", "index", 0, "text", "Hello ",
          "attrs", Map.of("bold", true)));
      apply(doc, id, updates, Map.of("op", "embedXmlText", "name", "r", "index", 6, "text", "Click me",
          "attrs", Map.of("type", "button", "test", true)));
      assertThat(doc.getXmlText("r").toString()).isEqualTo("<bold>Hello </bold>Click me");

      // Both capture forever: two clocks that only agree on order
      UndoManager undo = UndoManager.newBuilder(doc.getXmlText("r")).captureTimeout(Duration.ofDays(1)).build();
      peer.request(Map.of("op", "undoManager", "id", id, "scope", List.of(Map.of("name", "r", "kind", "xmlText")),
          "captureTimeout", Duration.ofDays(1).toMillis()));
      undo.stopCapturing();
      peer.request(cmd("stopCapturing", id));
      apply(doc, id, updates, Map.of("op", "embedSetAttribute", "name", "r", "index", 6, "key", "type",
          "value", "paragraph"));
      apply(doc, id, updates, Map.of("op", "deleteText", "name", "r", "index", 6, "len", 1));
      undo.undo();
      peer.request(cmd("undo", id));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("state after the undo")
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      Twins.assertSameRoots(peer, doc, id, ROOTS, "after the undo");
      // What Yjs's test asserts: the embedded text is back with the attributes it had
      List<Delta> delta = doc.getXmlText("r").toDelta();
      assertThat(((YXmlText) delta.get(1).insert()).getAttributes()).isEqualTo(Map.of("type", "button", "test", true));
      assertThat(delta.get(1).insert().toString()).isEqualTo("Click me");

      String reader = "xmltext-reader";
      Doc remote = Twins.create(peer, reader, 13, true, ROOTS);
      try {
        remote.applyUpdateV2(doc.encodeStateAsUpdateV2());
        peer.applyUpdate(reader, peer.encodeStateAsUpdate(id, null, true), true);
        Twins.assertSameRoots(peer, remote, reader, ROOTS, "read by another replica");
        YXmlText embedded = (YXmlText) remote.getXmlText("r").toDelta().get(1).insert();
        assertThat(embedded.getAttributes()).isEqualTo(Map.of("type", "button", "test", true));
      } finally {
        peer.drop(reader);
      }
      undo.close();
    } finally {
      peer.drop(id);
    }
  }

  private static void apply(Doc doc, String id, List<byte[]> updates, Map<String, Object> op) {
    if (!YjsSurfacePropertyTest.applySurfaceOp(doc, op)) {
      YjsInterop.apply(doc, op);
    }
    peer.apply(id, op);
    assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update of %s", op)
        .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
    updates.clear();
    Twins.assertSameRoots(peer, doc, id, ROOTS, "after " + op);
  }
}
