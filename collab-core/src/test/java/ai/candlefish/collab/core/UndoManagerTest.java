package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link UndoManager}: its contract, options and events (sequences against real Yjs: UndoManagerPropertyTest). */
class UndoManagerTest {
  private final Doc doc = Doc.newBuilder().clientId(1).build();
  private final YText text = doc.getText("t");
  private final YMap map = doc.getMap("m");
  private final AtomicLong now = new AtomicLong(1_000);

  private UndoManager.Builder builder(SharedType type, SharedType... more) {
    return UndoManager.newBuilder(type, more).clock(now::get);
  }

  @Test
  void undo_redo_revertAndReapplyLocalChanges() {
    UndoManager undo = builder(text).captureTimeout(Duration.ZERO).build();
    text.insert(0, "hello");
    text.insert(5, " world");
    assertThat(undo.undoStackSize()).isEqualTo(2);
    assertThat(undo.undo()).isNotNull();
    assertThat(text.toString()).isEqualTo("hello");
    assertThat(undo.undo()).isNotNull();
    assertThat(text.toString()).isEmpty();
    assertThat(undo.canUndo()).isFalse();
    assertThat(undo.undo()).isNull();
    assertThat(undo.redo()).isNotNull();
    assertThat(undo.redo()).isNotNull();
    assertThat(text.toString()).isEqualTo("hello world");
    assertThat(undo.canRedo()).isFalse();
  }

  @Test
  void currentStackItem_isTheItemBeingUndoneOrRedone_whileItsObserversRun() {
    // Yjs's testUndoDoingStackItem: an observer of an undo's transaction reads currStackItem's meta
    UndoManager undo = builder(text).build();
    undo.onStackItemAdded(e -> e.stackItem().meta().put("str", "42"));
    List<Object> seen = new ArrayList<>();
    text.observe(e -> {
      if (e.transaction().origin() == undo) {
        seen.add((undo.isUndoing() ? "undo " : "redo ") + undo.currentStackItem().meta().get("str"));
      }
    });
    text.insert(0, "abc");
    assertThat(undo.currentStackItem()).isNull();
    undo.undo();
    undo.redo();
    assertThat(seen).containsExactly("undo 42", "redo 42");
    assertThat(undo.currentStackItem()).isNull();
  }

  @Test
  void undo_ofADeletion_bringsTheTextBackWithItsFormatting() {
    text.insert(0, "bold", java.util.Map.of("bold", true));
    UndoManager undo = builder(text).build();
    text.delete(0, 4);
    undo.undo();
    assertThat(text.toDelta()).hasSize(1);
    assertThat(text.toDelta().get(0).insert()).isEqualTo("bold");
    assertThat(text.toDelta().get(0).attributes()).containsEntry("bold", true);
  }

  @Test
  void scope_severalTypes_undoneTogether_typesOutsideUntouched() {
    YArray outside = doc.getArray("outside");
    UndoManager undo = builder(text, map).build();
    doc.transact(txn -> {
      text.insert(0, "a");
      map.set("k", 1);
      outside.push(List.of("stays"));
    });
    undo.undo();
    assertThat(text.toString()).isEmpty();
    assertThat(map.has("k")).isFalse();
    assertThat(outside.toList()).containsExactly("stays");
  }

  @Test
  void scope_nestedTypes_areIncluded() {
    map.set("nested", new YText());
    UndoManager undo = builder(map).build();
    ((YText) map.get("nested")).insert(0, "inner");
    undo.undo();
    assertThat(map.get("nested").toString()).isEmpty();
  }

  @Test
  void captureTimeout_groupsChangesCloserThanIt_stopCapturingSplits() {
    UndoManager undo = builder(text).captureTimeout(Duration.ofMillis(500)).build();
    text.insert(0, "a");
    now.addAndGet(100);
    text.insert(1, "b"); // joins "a"
    now.addAndGet(600);
    text.insert(2, "c"); // a step of its own
    undo.stopCapturing();
    text.insert(3, "d"); // and this one too
    assertThat(undo.undoStackSize()).isEqualTo(3);
    undo.undo();
    undo.undo();
    assertThat(text.toString()).isEqualTo("ab");
    undo.undo();
    assertThat(text.toString()).isEmpty();
  }

  @Test
  void trackedOrigins_onlyThoseAreCaptured_aClassMatchesItsInstances() {
    record Binding(String name) {}
    UndoManager undo = builder(text).trackedOrigins(Set.of("editor", Binding.class)).captureTimeout(Duration.ZERO).build();
    doc.transact(txn -> text.insert(0, "untracked "), null);
    doc.transact(txn -> text.insert(text.length(), "editor "), "editor");
    doc.transact(txn -> text.insert(text.length(), "binding"), new Binding("prosemirror"));
    assertThat(undo.undoStackSize()).isEqualTo(2);
    undo.undo();
    undo.undo();
    assertThat(text.toString()).isEqualTo("untracked ");
    undo.addTrackedOrigin("late");
    doc.transact(txn -> text.insert(0, "x"), "late");
    assertThat(undo.undoStackSize()).isEqualTo(1);
    undo.removeTrackedOrigin("late");
    doc.transact(txn -> text.insert(0, "y"), "late");
    assertThat(undo.undoStackSize()).isEqualTo(1);
  }

  @Test
  void changeMadeByAnObserver_isNotPartOfTheObservedStep() {
    UndoManager undo = builder(text).captureTimeout(Duration.ZERO).build();
    boolean[] done = {false};
    text.observe(event -> {
      if (!done[0]) {
        done[0] = true;
        // a transaction of its own (run after the observed one), with an origin the manager does not track
        doc.transact(txn -> text.insert(text.length(), "!"), "bot");
      }
    });
    text.insert(0, "a");
    assertThat(text.toString()).isEqualTo("a!");
    assertThat(undo.undoStackSize()).isEqualTo(1);
    undo.undo();
    assertThat(text.toString()).isEqualTo("!");
  }

  @Test
  void remoteChanges_areNotUndone() {
    UndoManager undo = builder(text).build();
    Doc remote = Doc.newBuilder().clientId(2).build();
    text.insert(0, "local ");
    remote.applyUpdate(doc.encodeStateAsUpdate());
    remote.getText("t").insert(6, "remote");
    doc.applyUpdate(remote.encodeStateAsUpdate(doc.encodeStateVector()), "provider");
    assertThat(undo.undoStackSize()).isEqualTo(1);
    undo.undo();
    assertThat(text.toString()).isEqualTo("remote");
  }

  @Test
  void newChange_clearsTheRedoStack() {
    UndoManager undo = builder(text).build();
    text.insert(0, "a");
    undo.undo();
    assertThat(undo.canRedo()).isTrue();
    text.insert(0, "b");
    assertThat(undo.canRedo()).isFalse();
  }

  @Test
  void events_carryTheStackItemAndItsMetaThroughUndoAndRedo() {
    UndoManager undo = builder(text).captureTimeout(Duration.ofMillis(500)).build();
    List<String> events = new ArrayList<>();
    undo.onStackItemAdded(e -> {
      assertThat(e.changedParentTypes()).containsExactly(text);
      events.add("added " + e.kind() + " " + (e.origin() == undo ? "undo-manager" : e.origin()));
      e.stackItem().meta().putIfAbsent("cursor", text.length());
    });
    undo.onStackItemUpdated(e -> events.add("updated " + e.kind()));
    undo.onStackItemPopped(e -> events.add("popped " + e.kind() + " cursor " + e.stackItem().meta().get("cursor")));
    undo.onStackCleared(e -> events.add("cleared " + e.undoStackCleared() + " " + e.redoStackCleared()));
    text.insert(0, "ab");
    text.insert(2, "c");
    UndoManager.StackItem undone = undo.undo();
    assertThat(undone.meta()).containsEntry("cursor", 2);
    undo.redo();
    undo.clear();
    assertThat(events).containsExactly(
        "added UNDO null",
        "updated UNDO",
        "added REDO undo-manager",
        "popped UNDO cursor 2",
        "added UNDO undo-manager",
        "popped REDO cursor 0",
        "cleared true true");
  }

  @Test
  void deleteFilter_keepsWhatItRefuses() {
    UndoManager undo = builder(map)
        .deleteFilter(candidate -> !"pinned".equals(candidate.key()))
        .build();
    doc.transact(txn -> {
      map.set("pinned", 1);
      map.set("other", 2);
    });
    undo.undo();
    assertThat(map.has("pinned")).isTrue();
    assertThat(map.has("other")).isFalse();
  }

  @Test
  void captureTransaction_false_isNotCaptured() {
    UndoManager undo = builder(text).captureTransaction(txn -> !"skip".equals(txn.meta().get("kind"))).build();
    doc.transact(txn -> {
      txn.meta().put("kind", "skip");
      text.insert(0, "a");
    });
    assertThat(undo.canUndo()).isFalse();
  }

  @Test
  void undoneDeletion_relativePositionFollowsTheCopy() {
    text.insert(0, "hello world");
    UndoManager undo = builder(text).build();
    RelativePosition atW = RelativePosition.fromTypeIndex(text, 6);
    text.delete(0, 11);
    undo.undo();
    assertThat(text.toString()).isEqualTo("hello world");
    assertThat(atW.toAbsolute(doc).index()).isEqualTo(6);
    // the original stays deleted, right after its copy
    assertThat(atW.toAbsolute(doc, false).index()).isEqualTo(11);
  }

  @Test
  void deletedContentInScope_isKeptFromGarbageCollection_outsideScopeCollected() {
    YText outside = doc.getText("outside");
    text.insert(0, "kept-text");
    outside.insert(0, "gone-text");
    builder(text).build();
    text.delete(0, 9);
    outside.delete(0, 9);
    String state = new String(doc.encodeStateAsUpdate(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(state).contains("kept-text").doesNotContain("gone-text");
  }

  @Test
  void close_stopsCapturing() {
    UndoManager undo = builder(text).build();
    undo.close();
    text.insert(0, "a");
    assertThat(undo.canUndo()).isFalse();
  }

  @Test
  void builder_rejectsMisuse() {
    Doc other = Doc.create();
    assertThatThrownBy(() -> UndoManager.newBuilder(text, other.getText("t"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one undo manager per document");
    assertThatThrownBy(() -> UndoManager.newBuilder(new YText())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> builder(text).captureTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-0.001S");
    UndoManager undo = builder(text).build();
    assertThatThrownBy(() -> undo.addToScope(other.getMap("m"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void docScope_capturesEveryType() {
    UndoManager undo = UndoManager.newBuilder(doc).clock(now::get).build();
    text.insert(0, "a");
    doc.getArray("late").push(List.of(1));
    undo.undo();
    assertThat(text.toString()).isEmpty();
    assertThat(doc.getArray("late").length()).isZero();
  }

  @Test
  void newBuilder_emptyScope_capturesTypesAddedLater() {
    // Yjs: new UndoManager([], { doc }) then addToScope; the expected values are Yjs 13.6.33's
    Doc doc = Doc.create();
    YText t = doc.getText("t");
    YMap m = doc.getMap("m");
    UndoManager um = UndoManager.newBuilder(doc, List.of()).build();
    t.insert(0, "abc");
    assertThat(um.undoStackSize()).isZero();
    assertThat(um.canUndo()).isFalse();
    um.addToScope(t);
    t.insert(3, "def");
    assertThat(um.undoStackSize()).isEqualTo(1);
    m.set("k", 1);
    assertThat(um.undoStackSize()).isEqualTo(1);
    um.undo();
    assertThat(t.toString()).isEqualTo("abc");
    assertThat(m.toJson()).isEqualTo(java.util.Map.of("k", 1));
    um.addToScope(doc);
    m.set("k", 2);
    um.stopCapturing();
    assertThat(um.undoStackSize()).isEqualTo(1);
    um.undo();
    assertThat(t.toString()).isEqualTo("abc");
    assertThat(m.toJson()).isEqualTo(java.util.Map.of("k", 1));
    assertThatThrownBy(() -> um.addToScope(Doc.create())).isInstanceOf(IllegalArgumentException.class);
  }
}
