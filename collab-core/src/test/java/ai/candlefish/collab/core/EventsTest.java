package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {
  @Test
  void arrayEvent_deltaDescribesInsertsAndDeletes() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YArray arr = doc.getArray("a");
    arr.insert(0, List.of(1, 2, 3, 4));
    List<List<Delta>> deltas = new ArrayList<>();
    arr.observe(e -> deltas.add(e.delta()));
    doc.transact(txn -> {
      arr.delete(1, 2);
      arr.insert(1, List.of("x"));
    });
    assertThat(deltas).containsExactly(List.of(Delta.retain(1), Delta.insert(List.of("x")), Delta.delete(2)));
  }

  @Test
  void mapEvent_keysSayAddUpdateDelete() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YMap map = doc.getMap("m");
    map.set("old", 1);
    map.set("gone", 2);
    List<Map<String, EntryChange>> keys = new ArrayList<>();
    map.observe(e -> keys.add(e.keys()));
    doc.transact(txn -> {
      map.set("new", 3);
      map.set("old", 4);
      map.delete("gone");
    });
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0)).containsEntry("new", new EntryChange(EntryChange.Action.ADD, null))
        .containsEntry("old", new EntryChange(EntryChange.Action.UPDATE, 1))
        .containsEntry("gone", new EntryChange(EntryChange.Action.DELETE, 2));
  }

  @Test
  void observeDeep_seesNestedChangesWithPaths() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YMap root = doc.getMap("root");
    YArray list = root.set("list", new YArray());
    list.push(List.of(new YMap()));
    YMap item = (YMap) list.get(0);
    List<List<Object>> paths = new ArrayList<>();
    root.observeDeep(events -> events.forEach(e -> paths.add(e.path())));
    item.set("done", true);
    assertThat(paths).containsExactly(List.of("list", 0));
  }

  @Test
  void transactionOriginAndLocalFlag_reachListeners() {
    Doc a = Doc.newBuilder().clientId(1).build();
    Doc b = Doc.newBuilder().clientId(2).build();
    List<String> seen = new ArrayList<>();
    b.onAfterTransaction(txn -> seen.add(txn.origin() + "/" + txn.isLocal()));
    a.onUpdate((u, origin, txn) -> b.applyUpdate(u, "network"));
    a.transact(txn -> a.getText("t").insert(0, "x"), "me");
    b.transact(txn -> b.getText("t").insert(0, "y"), "local-user");
    assertThat(seen).containsExactly("network/false", "local-user/true");
  }

  @Test
  void eventDetails_afterDelivery_failFast() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    List<YArrayEvent> events = new ArrayList<>();
    doc.getArray("a").observe(events::add);
    doc.getArray("a").push(List.of(1));
    assertThatThrownBy(() -> events.get(0).delta()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void observerFailure_doesNotBreakTheDocument() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, o, t) -> updates.add(u));
    doc.getText("t").observe(e -> {
      throw new IllegalStateException("observer bug");
    });
    assertThatThrownBy(() -> doc.getText("t").insert(0, "x")).hasMessage("observer bug");
    assertThat(updates).hasSize(1);
    doc.getText("t").observe(e -> { });
    assertThat(doc.getText("t").toString()).isEqualTo("x");
  }

  @Test
  void observerAndListenerErrors_doNotBreakTheDocument() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").observe(e -> {
      throw new StackOverflowError("observer walked a deep document");
    });
    doc.onUpdate((u, o, t) -> {
      throw new AssertionError("listener before ours");
    });
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, o, t) -> updates.add(u));
    for (int i = 0; i < 3; i++) {
      int at = i;
      assertThatThrownBy(() -> doc.getText("t").insert(at, "x")).isInstanceOf(StackOverflowError.class)
          .hasSuppressedException(new AssertionError("listener before ours"));
    }
    // Every transaction still reached the later listener: a server stores and acknowledges from there.
    assertThat(updates).hasSize(3);
    assertThat(doc.getText("t").toString()).isEqualTo("xxx");
  }

  @Test
  void updateListenerError_withOnlyOneListener_isRethrownAfterTheTransaction_andTheNextUpdateStillComes() {
    // One listener is called directly, not through the list's loop: the same failure handling must hold.
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").observe(e -> {
      throw new IllegalStateException("observer");
    });
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, o, t) -> {
      updates.add(u);
      if (updates.size() == 1) {
        throw new AssertionError("listener");
      }
    });
    assertThatThrownBy(() -> doc.getText("t").insert(0, "x")).isInstanceOf(IllegalStateException.class)
        .hasSuppressedException(new AssertionError("listener"));
    assertThatThrownBy(() -> doc.getText("t").insert(1, "y")).isInstanceOf(IllegalStateException.class)
        .hasNoSuppressedExceptions();
    assertThat(updates).hasSize(2);
    Doc other = Doc.create();
    updates.forEach(other::applyUpdate);
    assertThat(other.getText("t").toString()).isEqualTo("xy");
  }

  @Test
  void fatalError_inAnObserver_isRethrownAtOnce_andTheDocumentStillWorks() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    boolean[] fail = {true};
    doc.getText("t").observe(e -> {
      if (fail[0]) {
        throw new OutOfMemoryError("simulated");
      }
    });
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, o, t) -> updates.add(u));
    assertThatThrownBy(() -> doc.getText("t").insert(0, "x")).isInstanceOf(OutOfMemoryError.class);
    fail[0] = false;
    doc.getText("t").insert(1, "y");
    assertThat(updates).hasSize(2);
  }
}
