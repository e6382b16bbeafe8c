package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own snapshot tests ({@code tests/snapshot.tests.js} at v13.6.31), ported with their expected values.
 * Each method names the Yjs test; {@code Y.createDocFromSnapshot} is {@link Snapshot#toDoc(Doc)}.
 */
class YjsSnapshotSuiteTest {
  private static Doc noGc() {
    return Doc.newBuilder().gc(false).build();
  }

  @Test
  void testBasic() {
    Doc ydoc = noGc();
    ydoc.getText("").insert(0, "world!");
    Snapshot snapshot = Snapshot.of(ydoc);
    ydoc.getText("").insert(0, "hello ");
    Doc restored = snapshot.toDoc(ydoc);
    assertThat(restored.getText("").toString()).isEqualTo("world!");
  }

  @Test
  void testBasicXmlAttributes() {
    Doc ydoc = noGc();
    YXmlElement yxml = ydoc.getMap("").set("el", new YXmlElement("div"));
    Snapshot snapshot1 = Snapshot.of(ydoc);
    yxml.setAttribute("a", "1");
    Snapshot snapshot2 = Snapshot.of(ydoc);
    yxml.setAttribute("a", "2");
    assertThat(yxml.getAttributes()).isEqualTo(Map.of("a", "2"));
    assertThat(yxml.getAttributes(snapshot2)).isEqualTo(Map.of("a", "1"));
    assertThat(yxml.getAttributes(snapshot1)).isEmpty();
  }

  @Test
  void testBasicRestoreSnapshot() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of("hello"));
    Snapshot snap = Snapshot.of(doc);
    doc.getArray("array").insert(1, List.of("world"));
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toList()).isEqualTo(List.of("hello"));
    assertThat(doc.getArray("array").toList()).isEqualTo(List.of("hello", "world"));
  }

  @Test
  void testEmptyRestoreSnapshot() {
    Doc doc = noGc();
    Snapshot snap = Snapshot.of(doc);
    snap.stateVector().set(9999, 0);
    doc.getArray("").insert(0, List.of("world"));
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("").toList()).isEmpty();
    assertThat(doc.getArray("").toList()).isEqualTo(List.of("world"));
    // a snapshot of the latest state still works
    Doc restored2 = Snapshot.of(doc).toDoc(doc);
    assertThat(restored2.getArray("").toList()).isEqualTo(List.of("world"));
  }

  @Test
  void testRestoreSnapshotWithSubType() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of(new YMap()));
    YMap subMap = (YMap) doc.getArray("array").get(0);
    subMap.set("key1", "value1");
    Snapshot snap = Snapshot.of(doc);
    subMap.set("key2", "value2");
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toJson()).isEqualTo(List.of(Map.of("key1", "value1")));
    assertThat(doc.getArray("array").toJson()).isEqualTo(List.of(Map.of("key1", "value1", "key2", "value2")));
  }

  @Test
  void testRestoreDeletedItem1() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of("item1", "item2"));
    Snapshot snap = Snapshot.of(doc);
    doc.getArray("array").delete(0);
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toList()).isEqualTo(List.of("item1", "item2"));
    assertThat(doc.getArray("array").toList()).isEqualTo(List.of("item2"));
  }

  @Test
  void testRestoreLeftItem() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of("item1"));
    doc.getMap("map").set("test", 1);
    doc.getArray("array").insert(0, List.of("item0"));
    Snapshot snap = Snapshot.of(doc);
    doc.getArray("array").delete(1);
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toList()).isEqualTo(List.of("item0", "item1"));
    assertThat(doc.getArray("array").toList()).isEqualTo(List.of("item0"));
  }

  @Test
  void testDeletedItemsBase() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of("item1"));
    doc.getArray("array").delete(0);
    Snapshot snap = Snapshot.of(doc);
    doc.getArray("array").insert(0, List.of("item0"));
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toList()).isEmpty();
    assertThat(doc.getArray("array").toList()).isEqualTo(List.of("item0"));
  }

  @Test
  void testDeletedItems2() {
    Doc doc = noGc();
    doc.getArray("array").insert(0, List.of("item1", "item2", "item3"));
    doc.getArray("array").delete(1);
    Snapshot snap = Snapshot.of(doc);
    doc.getArray("array").insert(0, List.of("item0"));
    Doc restored = snap.toDoc(doc);
    assertThat(restored.getArray("array").toList()).isEqualTo(List.of("item1", "item3"));
    assertThat(doc.getArray("array").toList()).isEqualTo(List.of("item0", "item1", "item3"));
  }

  @Test
  void testDependentChanges() {
    // Yjs turns gc off on its two synced users after init; ours are built without it
    Doc doc0 = Doc.newBuilder().clientId(0).gc(false).build();
    Doc doc1 = Doc.newBuilder().clientId(1).gc(false).build();
    YArray array0 = doc0.getArray("array");
    YArray array1 = doc1.getArray("array");
    array0.insert(0, List.of("user1item1"));
    sync(doc0, doc1);
    array1.insert(1, List.of("user2item1"));
    sync(doc0, doc1);
    Snapshot snap = Snapshot.of(doc0);
    array0.insert(2, List.of("user1item2"));
    sync(doc0, doc1);
    array1.insert(3, List.of("user2item2"));
    sync(doc0, doc1);
    assertThat(snap.toDoc(doc0).getArray("array").toList()).isEqualTo(List.of("user1item1", "user2item1"));
    assertThat(snap.toDoc(doc1).getArray("array").toList()).isEqualTo(List.of("user1item1", "user2item1"));
  }

  private static void sync(Doc a, Doc b) {
    b.applyUpdate(a.encodeStateAsUpdate(b.encodeStateVector()));
    a.applyUpdate(b.encodeStateAsUpdate(a.encodeStateVector()));
  }

  @Test
  void testContainsUpdate() {
    Doc ydoc = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    ydoc.onUpdate((u, o, t) -> updates.add(u));
    YArray yarr = ydoc.getArray("");
    Snapshot snapshot1 = Snapshot.of(ydoc);
    yarr.insert(0, List.of(1));
    Snapshot snapshot2 = Snapshot.of(ydoc);
    yarr.delete(0, 1);
    Snapshot snapshotFinal = Snapshot.of(ydoc);
    assertThat(snapshot1.containsUpdate(updates.get(0))).isFalse();
    assertThat(snapshot2.containsUpdate(updates.get(1))).isFalse();
    assertThat(snapshot2.containsUpdate(updates.get(0))).isTrue();
    assertThat(snapshotFinal.containsUpdate(updates.get(0))).isTrue();
    assertThat(snapshotFinal.containsUpdate(updates.get(1))).isTrue();
  }

  @Test
  void testContainsUpdate2() {
    Doc local = Doc.create();
    Doc remote = Doc.create();
    local.getText("t").insert(0, "abcdefghij");
    local.getText("t").delete(0, 3);
    remote.applyUpdate(local.encodeStateAsUpdate());
    Snapshot snap = Snapshot.of(remote);
    local.getText("t").delete(0, 3);
    assertThat(snap.containsUpdate(local.encodeStateAsUpdate())).isFalse();
  }
}
