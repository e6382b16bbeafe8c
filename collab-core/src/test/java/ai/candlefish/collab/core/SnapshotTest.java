package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Snapshot} and reading at snapshots, case by case (SnapshotDifferentialPropertyTest holds them to Yjs). */
class SnapshotTest {
  private static Doc history(long clientId) {
    return Doc.newBuilder().clientId(clientId).gc(false).build();
  }

  @Test
  void toDoc_restoresTheContentOfTheSnapshot() {
    Doc doc = history(1);
    doc.getText("t").insert(0, "world!");
    Snapshot before = Snapshot.of(doc);
    doc.getText("t").insert(0, "hello ");
    doc.getText("t").delete(6, 5);

    Doc restored = before.toDoc(doc);

    assertThat(restored.getText("t").toString()).isEqualTo("world!");
    assertThat(doc.getText("t").toString()).isEqualTo("hello !");
    assertThat(restored.isGc()).isTrue();
  }

  @Test
  void toDoc_garbageCollectedOrigin_isRefused() {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, "x");
    Snapshot snapshot = Snapshot.of(doc);

    assertThatThrownBy(() -> snapshot.toDoc(doc)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gc(false)");
  }

  @Test
  void toDoc_snapshotOfAnotherDocument_isRefused() {
    Doc other = history(2);
    other.getText("t").insert(0, "other");

    assertThatThrownBy(() -> Snapshot.of(other).toDoc(history(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a snapshot of this document");
  }

  @Test
  void toDelta_marksWhatWasAddedAndRemovedBetweenSnapshots() {
    Doc doc = history(1);
    YText text = doc.getText("t");
    text.insert(0, "abc");
    Snapshot first = Snapshot.of(doc);
    text.delete(1, 1);
    text.insert(2, "de");
    Snapshot second = Snapshot.of(doc);

    List<Delta> delta = text.toDelta(second, first, null);

    assertThat(YjsInterop.deltaAsMaps(delta)).isEqualTo(List.of(
        Map.of("insert", "a"),
        Map.of("insert", "b", "attributes", Map.of("ychange", Map.of("type", "removed"))),
        Map.of("insert", "c"),
        Map.of("insert", "de", "attributes", Map.of("ychange", Map.of("type", "added")))));
    assertThat(text.toDelta(first, null, null)).isEqualTo(List.of(Delta.insert("abc")));
  }

  @Test
  void toDelta_withSnapshots_leavesTheDocumentUnchanged() {
    Doc doc = history(1);
    YText text = doc.getText("t");
    text.insert(0, "abcdef");
    Snapshot first = Snapshot.of(doc);
    text.delete(2, 2);
    byte[] before = doc.encodeStateAsUpdate();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((update, origin, txn) -> updates.add(update));

    text.toDelta(Snapshot.of(doc), first, (type, client, clock) -> Map.of("user", client, "type", type));

    assertThat(updates).isEmpty();
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    DocInvariants.check(doc);
  }

  @Test
  void arrayAndMap_atSnapshot_giveTheValuesOfThen() {
    Doc doc = history(1);
    doc.getArray("a").push(List.of(1, 2, 3));
    doc.getMap("m").set("k", "old");
    Snapshot then = Snapshot.of(doc);
    doc.getArray("a").delete(0, 2);
    doc.getMap("m").set("k", "new");
    doc.getMap("m").set("added", true);

    assertThat(doc.getArray("a").toList(then)).containsExactly(1, 2, 3);
    assertThat(doc.getMap("m").get("k", then)).isEqualTo("old");
    assertThat(doc.getMap("m").get("added", then)).isNull();
    assertThat(doc.getMap("m").toMap(then)).isEqualTo(Map.of("k", "old"));
    assertThat(doc.getMap("m").toMap(Snapshot.empty())).isEmpty();
  }

  @Test
  void encode_decode_roundTripsAndEquals() {
    Doc doc = history(7);
    doc.getText("t").insert(0, "hello");
    doc.getText("t").delete(1, 2);
    Snapshot snapshot = Snapshot.of(doc);

    Snapshot decoded = Snapshot.decode(snapshot.encode());

    assertThat(decoded).isEqualTo(snapshot).hasSameHashCodeAs(snapshot);
    assertThat(decoded.stateVector()).isEqualTo(doc.stateVector());
    assertThat(decoded).isNotEqualTo(Snapshot.empty());
    assertThat(snapshot.withStateVector(StateVector.empty())).isNotEqualTo(snapshot);
  }

  @Test
  void decode_malformedBytes_throwDecodingException() {
    byte[] encoded = Snapshot.of(history(7)).encode();
    assertThatThrownBy(() -> Snapshot.decode(new byte[0])).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Snapshot.decode(new byte[] {1, 5, 1})).isInstanceOf(DecodingException.class);
    // a claimed count far beyond the bytes is refused before anything is allocated for it
    assertThatThrownBy(() -> Snapshot.decode(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}))
        .isInstanceOf(DecodingException.class).hasMessageContaining("claims");
    assertThat(Snapshot.decode(encoded)).isEqualTo(Snapshot.of(history(7)));
  }

  @Test
  void containsUpdate_tellsWhetherAnUpdateIsPartOfTheSnapshot() {
    Doc doc = history(1);
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((update, origin, txn) -> updates.add(update));
    doc.getText("t").insert(0, "ab");
    Snapshot snapshot = Snapshot.of(doc);
    doc.getText("t").delete(0, 1);

    assertThat(snapshot.containsUpdate(updates.get(0))).isTrue();
    assertThat(snapshot.containsUpdate(updates.get(1))).isFalse();
    assertThat(Snapshot.of(doc).containsUpdate(updates.get(1))).isTrue();
  }

  @Test
  void isVisible_ofANestedType_followsItsItem() {
    Doc doc = history(1);
    YMap nested = doc.getMap("m").set("n", new YMap());
    Snapshot with = Snapshot.of(doc);
    doc.getMap("m").delete("n");

    assertThat(nested.isVisible(with)).isTrue();
    assertThat(nested.isVisible(Snapshot.of(doc))).isFalse();
    assertThat(doc.getMap("m").isVisible(Snapshot.empty())).isTrue();
  }

  @Test
  void permanentUserData_namesWhoInsertedAndWhoDeleted() {
    Doc ada = history(1);
    Doc bob = history(2);
    ada.onUpdate((update, origin, txn) -> bob.applyUpdate(update, "ada"));
    bob.onUpdate((update, origin, txn) -> {
      if (!"ada".equals(origin)) {
        ada.applyUpdate(update, "bob");
      }
    });
    PermanentUserData adaUsers = new PermanentUserData(ada);
    PermanentUserData bobUsers = new PermanentUserData(bob);
    adaUsers.setUserMapping(ada.clientId(), "ada");
    bobUsers.setUserMapping(bob.clientId(), "bob");

    int hello = ada.store.getState(1); // the user entries took the first clocks
    ada.getText("t").insert(0, "hello");
    bob.getText("t").delete(0, 2);

    for (PermanentUserData users : List.of(adaUsers, bobUsers)) {
      assertThat(users.getUserByClientId(1)).isEqualTo("ada");
      assertThat(users.getUserByClientId(2)).isEqualTo("bob");
      assertThat(users.getUserByDeletedId(1, hello)).isEqualTo("bob");
      assertThat(users.getUserByDeletedId(1, hello + 2)).isNull();
    }
  }

  @Test
  void defer_insideATransaction_runsAfterItInATransactionOfItsOwn() {
    Doc doc = history(1);
    List<String> order = new ArrayList<>();
    doc.onUpdate((update, origin, txn) -> order.add("update " + doc.getText("t")));
    doc.transact(txn -> {
      doc.getText("t").insert(0, "a");
      doc.defer(() -> doc.getText("t").insert(1, "b"));
      order.add("body");
    });

    assertThat(order).containsExactly("body", "update a", "update ab");
  }
}
