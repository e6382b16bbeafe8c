package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Java replica of the differential tests against Yjs, the id of its Yjs twin in a {@link YjsPeer} (same client
 * id, same roots), the update events the replica emitted, and the updates on their way to it.
 */
final class TwinReplica {
  /** The roots every twin defines up front: a text "t", an array "a" and a map "m" (what RandomEdits edits). */
  static final Map<String, String> ROOTS = Map.of("t", "text", "a", "array", "m", "map");

  final String id;
  final Doc doc;
  final List<Message> inbox = new ArrayList<>();
  final List<byte[]> events = new ArrayList<>();
  int sent;

  TwinReplica(YjsPeer peer, String id, long clientId, boolean gc) {
    this.id = id;
    this.doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
    // roots defined before any update arrives, on both sides (see yjs-peer.mjs for why Yjs cares)
    doc.getText("t");
    doc.getArray("a");
    doc.getMap("m");
    doc.onUpdate((bytes, origin, txn) -> events.add(bytes.clone()));
    peer.newDoc(id, clientId, gc, ROOTS);
  }

  /** The update events since the last call. */
  List<byte[]> takeEvents() {
    List<byte[]> out = new ArrayList<>(events);
    events.clear();
    return out;
  }

  static void assertSameEvents(String what, List<byte[]> java, List<byte[]> yjs) {
    assertThat(java.stream().map(YjsInterop::base64).toList()).as("update events of %s (Java vs Yjs)", what)
        .isEqualTo(yjs.stream().map(YjsInterop::base64).toList());
  }

  /** One update in flight: the Java replica's bytes and its Yjs twin's (equal, unless a test already failed). */
  record Message(String label, byte[] fromJava, byte[] fromYjs) {}
}
