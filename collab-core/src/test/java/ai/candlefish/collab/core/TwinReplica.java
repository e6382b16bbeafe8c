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
  /** {@link #ROOTS} and an XML fragment "x" (for {@code new RandomEdits(rnd, true)}). */
  static final Map<String, String> ROOTS_WITH_XML = Map.of("t", "text", "a", "array", "m", "map", "x", "xml");

  final String id;
  final Doc doc;
  final List<Message> inbox = new ArrayList<>();
  final List<byte[]> events = new ArrayList<>();
  /** The v2 update events ({@link Doc#onUpdateV2}), if the replica records them. */
  final List<byte[]> eventsV2 = new ArrayList<>();
  int sent;

  TwinReplica(YjsPeer peer, String id, long clientId, boolean gc) {
    this(peer, id, clientId, gc, false);
  }

  /** With {@code xmlAndV2}, the roots are {@link #ROOTS_WITH_XML} and v2 update events are recorded too. */
  TwinReplica(YjsPeer peer, String id, long clientId, boolean gc, boolean xmlAndV2) {
    this.id = id;
    this.doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
    // roots defined before any update arrives, on both sides (see yjs-peer.mjs for why Yjs cares)
    doc.getText("t");
    doc.getArray("a");
    doc.getMap("m");
    doc.onUpdate((bytes, origin, txn) -> events.add(bytes.clone()));
    if (xmlAndV2) {
      doc.getXmlFragment("x");
      doc.onUpdateV2((bytes, origin, txn) -> eventsV2.add(bytes.clone()));
    }
    peer.newDoc(id, clientId, gc, xmlAndV2 ? ROOTS_WITH_XML : ROOTS);
  }

  /** The update events since the last call. */
  List<byte[]> takeEvents() {
    return take(events);
  }

  /** The v2 update events since the last call. */
  List<byte[]> takeEventsV2() {
    return take(eventsV2);
  }

  private static List<byte[]> take(List<byte[]> list) {
    List<byte[]> out = new ArrayList<>(list);
    list.clear();
    return out;
  }

  static void assertSameEvents(String what, List<byte[]> java, List<byte[]> yjs) {
    assertThat(java.stream().map(YjsInterop::base64).toList()).as("update events of %s (Java vs Yjs)", what)
        .isEqualTo(yjs.stream().map(YjsInterop::base64).toList());
  }

  /**
   * As {@link #assertSameEvents(String, List, List)}, but for the one difference we write on purpose: the update of
   * a transaction that created a client's first item with length 0 holds that item, which Yjs's leaves out (see
   * {@link Twins#assertSameState}).
   */
  static void assertSameEventsButFirstItemsOfLength0(String what, List<byte[]> java, List<byte[]> yjs, boolean v2) {
    assertThat(java).as("update events of %s (Java vs Yjs)", what).hasSameSizeAs(yjs);
    for (int i = 0; i < java.size(); i++) {
      Twins.assertSameState("update event " + i + " of " + what, java.get(i), yjs.get(i), v2);
    }
  }

  /** One update in flight: the Java replica's bytes and its Yjs twin's (equal, unless a test already failed). */
  record Message(String label, byte[] fromJava, byte[] fromYjs) {}
}
