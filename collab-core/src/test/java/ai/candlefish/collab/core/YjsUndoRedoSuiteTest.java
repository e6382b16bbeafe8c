package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own undo/redo tests ({@code tests/undo-redo.tests.js} at v13.6.31), ported with their expected values:
 * what an outside suite that ports Yjs's tests would check first. Each method names the Yjs test. The undo managers
 * run on a fixed clock, so that "within the capture timeout" does not depend on the machine's speed (Yjs's tests
 * run each sequence within a millisecond or so).
 */
class YjsUndoRedoSuiteTest {
  private static UndoManager.Builder undo(SharedType type) {
    return UndoManager.newBuilder(type).clock(() -> 1_000);
  }

  private static Map<String, Object> attrs(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> delta(String insert, Map<String, Object> attributes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("insert", insert);
    if (attributes != null) {
      m.put("attributes", attributes);
    }
    return m;
  }

  @Test
  void testInconsistentFormat() {
    Doc initial = Doc.newBuilder().gc(false).build();
    YXmlText content = initial.getXmlText("text");
    content.insert(0, " After", attrs("type", "text", "italic", true));
    content.insert(0, "Test", attrs("type", "text"));
    content.insert(0, "Merge ", attrs("type", "text", "bold", true));
    Doc copy = Doc.newBuilder().gc(false).build();
    copy.applyUpdate(initial.encodeStateAsUpdate());
    for (Doc d : List.of(initial, copy)) {
      YXmlText text = d.getXmlText("text");
      text.format(0, 6, attrs("bold", null));
      text.format(6, 4, attrs("type", "text"));
      assertThat(YjsInterop.deltaAsMaps(text.toDelta())).isEqualTo(List.of(
          delta("Merge Test", Map.of("type", "text")), delta(" After", Map.of("type", "text", "italic", true))));
    }
  }

  @Test
  void testInfiniteCaptureTimeout() {
    YArray array = Doc.create().getArray("array");
    UndoManager um = undo(array).captureTimeout(Duration.ofMillis(Long.MAX_VALUE)).build();
    array.push(List.of(1, 2, 3));
    um.stopCapturing();
    array.push(List.of(4, 5, 6));
    um.undo();
    assertThat(array.toList()).isEqualTo(List.of(1, 2, 3));
  }

  @Test
  void testGlobalScope() {
    Doc doc = Doc.create();
    UndoManager um = UndoManager.newBuilder(doc).clock(() -> 1_000).build();
    YArray array = doc.getArray("");
    array.insert(0, List.of(1));
    um.undo();
    assertThat(array.length()).isZero();
  }

  @Test
  void testDoubleUndo() {
    YText text = Doc.create().getText("");
    text.insert(0, "1221");
    UndoManager um = undo(text).build();
    text.insert(2, "3");
    text.insert(3, "3");
    um.undo();
    um.undo();
    text.insert(2, "3");
    assertThat(text.toString()).isEqualTo("12321");
  }

  @Test
  void testUndoNestedUndoIssue() {
    Doc doc = Doc.newBuilder().gc(false).build();
    YMap design = doc.getMap("");
    UndoManager um = undo(design).captureTimeout(Duration.ZERO).build();
    YMap text = new YMap();
    for (String value : List.of("Type Something", "Something", "Something Else")) {
      YArray blocks = new YArray();
      YMap block = new YMap();
      doc.transact(t -> {
        block.set("text", value);
        blocks.push(List.of(block));
        text.set("blocks", block);
        if (value.equals("Type Something")) {
          design.set("text", text);
        }
      });
    }
    Map<String, Object> somethingElse = Map.of("text", Map.of("blocks", Map.of("text", "Something Else")));
    Map<String, Object> something = Map.of("text", Map.of("blocks", Map.of("text", "Something")));
    Map<String, Object> typeSomething = Map.of("text", Map.of("blocks", Map.of("text", "Type Something")));
    assertThat(design.toJson()).isEqualTo(somethingElse);
    um.undo();
    assertThat(design.toJson()).isEqualTo(something);
    um.undo();
    assertThat(design.toJson()).isEqualTo(typeSomething);
    um.undo();
    assertThat(design.toJson()).isEqualTo(Map.of());
    um.redo();
    assertThat(design.toJson()).isEqualTo(typeSomething);
    um.redo();
    assertThat(design.toJson()).isEqualTo(something);
    um.redo();
    assertThat(design.toJson()).isEqualTo(somethingElse);
  }

  @Test
  void testConsecutiveRedoBug() {
    Doc doc = Doc.create();
    YMap root = doc.getMap("");
    UndoManager um = undo(root).build();
    YMap point = new YMap();
    point.set("x", 0);
    point.set("y", 0);
    root.set("a", point);
    um.stopCapturing();
    for (int v : List.of(100, 200, 300)) {
      point.set("x", v);
      point.set("y", v);
      um.stopCapturing();
    }
    assertThat(point.toJson()).isEqualTo(Map.of("x", 300, "y", 300));
    for (int v : List.of(200, 100, 0)) {
      um.undo();
      assertThat(point.toJson()).isEqualTo(Map.of("x", v, "y", v));
    }
    um.undo();
    assertThat(root.get("a")).isNull();
    um.redo();
    point = (YMap) root.get("a");
    assertThat(point.toJson()).isEqualTo(Map.of("x", 0, "y", 0));
    for (int v : List.of(100, 200, 300)) {
      um.redo();
      assertThat(point.toJson()).isEqualTo(Map.of("x", v, "y", v));
    }
  }

  @Test
  void testUndoXmlBug() {
    Doc doc = Doc.create();
    YXmlFragment fragment = doc.getXmlFragment("t");
    UndoManager um = undo(fragment).captureTimeout(Duration.ZERO).trackedOrigins(List.of("origin")).build();
    doc.transact(t -> {
      YXmlElement e = new YXmlElement("test-node");
      e.setAttribute("a", "100");
      e.setAttribute("b", "0");
      fragment.insert(fragment.length(), List.of(e));
    }, "origin");
    doc.transact(t -> ((YXmlElement) fragment.get(0)).setAttribute("a", "200"), "origin");
    doc.transact(t -> {
      YXmlElement e = (YXmlElement) fragment.get(0);
      e.setAttribute("a", "180");
      e.setAttribute("b", "50");
    }, "origin");
    um.undo();
    um.undo();
    um.undo();
    um.redo();
    um.redo();
    um.redo();
    assertThat(fragment.toString()).isEqualTo("<test-node a=\"180\" b=\"50\"></test-node>");
  }

  @Test
  void testUndoBlockBug() {
    Doc doc = Doc.newBuilder().gc(false).build();
    YMap design = doc.getMap("");
    UndoManager um = undo(design).captureTimeout(Duration.ZERO).build();
    YMap text = new YMap();
    for (String value : List.of("1", "2", "3", "4")) {
      YArray blocks = new YArray();
      YMap block = new YMap();
      doc.transact(t -> {
        block.set("text", value);
        blocks.push(List.of(block));
        text.set("blocks", block);
        if (value.equals("1")) {
          design.set("text", text);
        }
      });
    }
    for (int i = 0; i < 4; i++) {
      um.undo();
    }
    for (int i = 0; i < 4; i++) {
      um.redo();
    }
    assertThat(design.toJson()).isEqualTo(Map.of("text", Map.of("blocks", Map.of("text", "4"))));
  }

  @Test
  void testUndoDeleteTextFormat() {
    Doc doc = Doc.create();
    YText text = doc.getText("");
    text.insert(0, "Attack ships on fire off the shoulder of Orion.");
    Doc doc2 = Doc.create();
    YText text2 = doc2.getText("");
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    UndoManager um = undo(text).build();
    text.format(13, 7, attrs("bold", true));
    um.stopCapturing();
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    text.format(16, 4, attrs("bold", null));
    um.stopCapturing();
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    um.undo();
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    List<Object> expected = List.of(delta("Attack ships ", null), delta("on fire", Map.of("bold", true)),
        delta(" off the shoulder of Orion.", null));
    assertThat(YjsInterop.deltaAsMaps(text.toDelta())).isEqualTo(expected);
    assertThat(YjsInterop.deltaAsMaps(text2.toDelta())).isEqualTo(expected);
  }

  @Test
  void testBehaviorOfIgnoreremotemapchangesProperty() {
    Doc doc = Doc.create();
    Doc doc2 = Doc.create();
    doc.onUpdate((u, origin, txn) -> doc2.applyUpdate(u, doc));
    doc2.onUpdate((u, origin, txn) -> doc.applyUpdate(u, doc2));
    YMap map1 = doc.getMap("");
    YMap map2 = doc2.getMap("");
    UndoManager um = undo(map1).ignoreRemoteMapChanges(true).build();
    map1.set("x", 1);
    map2.set("x", 2);
    map1.set("x", 3);
    map2.set("x", 4);
    um.undo();
    assertThat(map1.get("x")).isEqualTo(2);
    assertThat(map2.get("x")).isEqualTo(2);
  }

  @Test
  void testSpecialDeletionCase() {
    Doc doc = Doc.create();
    YXmlFragment fragment = doc.getXmlFragment("");
    UndoManager um = undo(fragment).trackedOrigins(Set.of("undoable")).build();
    doc.transact(t -> {
      YXmlElement e = new YXmlElement("test");
      e.setAttribute("a", "1");
      e.setAttribute("b", "2");
      fragment.insert(0, List.of(e));
    });
    assertThat(fragment.toString()).isEqualTo("<test a=\"1\" b=\"2\"></test>");
    doc.transact(t -> {
      ((YXmlElement) fragment.get(0)).setAttribute("b", "3");
      fragment.delete(0, 1);
    }, "undoable");
    assertThat(fragment.toString()).isEmpty();
    um.undo();
    assertThat(fragment.toString()).isEqualTo("<test a=\"1\" b=\"2\"></test>");
  }

  @Test
  void testUndoDeleteInMap() {
    YMap map = Doc.create().getMap("map");
    UndoManager um = undo(map).captureTimeout(Duration.ZERO).build();
    for (String v : List.of("a", "b", "c")) {
      map.set("a", v);
      map.delete("a");
    }
    map.set("a", "d");
    assertThat(map.toJson()).isEqualTo(Map.of("a", "d"));
    for (String v : List.of("c", "b", "a")) {
      um.undo();
      assertThat(map.toJson()).isEqualTo(Map.of());
      um.undo();
      assertThat(map.toJson()).isEqualTo(Map.of("a", v));
    }
  }

  @Test
  void testUndoUntilChangePerformed() {
    Doc doc = Doc.create();
    Doc doc2 = Doc.create();
    doc.onUpdate((u, origin, txn) -> doc2.applyUpdate(u));
    doc2.onUpdate((u, origin, txn) -> doc.applyUpdate(u));
    YArray array = doc.getArray("array");
    YArray array2 = doc2.getArray("array");
    YMap map = new YMap();
    map.set("hello", "world");
    array.push(List.of(map));
    YMap map2 = new YMap();
    map2.set("key", "value");
    array.push(List.of(map2));
    UndoManager um = undo(array).trackedOrigins(List.of(doc.clientId())).build();
    UndoManager um2 = undo(array2).trackedOrigins(List.of(doc2.clientId())).build();
    doc.transact(t -> map2.set("key", "value modified"), doc.clientId());
    um.stopCapturing();
    doc.transact(t -> map.set("hello", "world modified"), doc.clientId());
    doc2.transact(t -> array2.delete(0), doc2.clientId());
    um2.undo();
    um.undo();
    assertThat(map2.get("key")).isEqualTo("value");
  }

  // The tests below use Yjs's init(tc, {users}) (a SyncNetwork) or came after the first port.

  @Test
  void testUndoText() {
    SyncNetwork net = SyncNetwork.of(3);
    YText text0 = net.text(0);
    YText text1 = net.text(1);
    UndoManager um = undo(text0).build();
    // items added and deleted in the same transaction are not undone
    text0.insert(0, "test");
    text0.delete(0, 4);
    um.undo();
    assertThat(text0.toString()).isEmpty();
    // follow redone items
    text0.insert(0, "a");
    um.stopCapturing();
    text0.delete(0, 1);
    um.stopCapturing();
    um.undo();
    assertThat(text0.toString()).isEqualTo("a");
    um.undo();
    assertThat(text0.toString()).isEmpty();
    text0.insert(0, "abc");
    text1.insert(0, "xyz");
    net.syncAll();
    um.undo();
    assertThat(text0.toString()).isEqualTo("xyz");
    um.redo();
    assertThat(text0.toString()).isEqualTo("abcxyz");
    net.syncAll();
    text1.delete(0, 1);
    net.syncAll();
    um.undo();
    assertThat(text0.toString()).isEqualTo("xyz");
    um.redo();
    assertThat(text0.toString()).isEqualTo("bcxyz");
    // marks
    text0.format(1, 3, attrs("bold", true));
    List<Map<String, Object>> formatted =
        List.of(delta("b", null), delta("cxy", Map.of("bold", true)), delta("z", null));
    assertThat(YjsInterop.deltaAsMaps(text0.toDelta())).isEqualTo(formatted);
    um.undo();
    assertThat(YjsInterop.deltaAsMaps(text0.toDelta())).isEqualTo(List.of(delta("bcxyz", null)));
    um.redo();
    assertThat(YjsInterop.deltaAsMaps(text0.toDelta())).isEqualTo(formatted);
  }

  @Test
  void testEmptyTypeScope() {
    Doc ydoc = Doc.create();
    UndoManager um = UndoManager.newBuilder(ydoc, List.of()).clock(() -> 1_000).build();
    YArray yarray = ydoc.getArray("");
    um.addToScope(yarray);
    yarray.insert(0, List.of(1));
    um.undo();
    assertThat(yarray.length()).isZero();
  }

  @Test
  void testRejectUpdateExample() {
    Doc tmp1 = Doc.create();
    tmp1.getArray("restricted").insert(0, List.of(1));
    tmp1.getArray("public").insert(0, List.of(1));
    byte[] update1 = tmp1.encodeStateAsUpdate();
    Doc tmp2 = Doc.create();
    tmp2.getArray("public").insert(0, List.of(2));
    byte[] update2 = tmp2.encodeStateAsUpdate();
    Doc ydoc = Doc.create();
    YArray restricted = ydoc.getArray("restricted");
    // Yjs's recipe: undo what a remote update did to a restricted type (Yjs also saves and restores the pending
    // structs around it; these updates leave none)
    java.util.function.Consumer<byte[]> updateHandler = update -> {
      UndoManager um = undo(restricted).trackedOrigins(List.of("remote change")).build();
      try {
        ydoc.applyUpdate(update, "remote change");
      } finally {
        while (um.undoStackSize() > 0) {
          um.undo();
        }
        um.close();
      }
    };
    updateHandler.accept(update1);
    updateHandler.accept(update2);
    assertThat(restricted.length()).isZero();
    assertThat(ydoc.getArray("public").length()).isEqualTo(2);
  }

  @Test
  void testUndoMap() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    YMap map1 = net.map(1);
    map0.set("a", 0);
    UndoManager um = undo(map0).build();
    map0.set("a", 1);
    um.undo();
    assertThat(map0.get("a")).isEqualTo(0);
    um.redo();
    assertThat(map0.get("a")).isEqualTo(1);
    // a whole nested type comes back
    YMap subType = new YMap();
    map0.set("a", subType);
    subType.set("x", 42);
    assertThat(map0.toJson()).isEqualTo(Map.of("a", Map.of("x", 42)));
    um.undo();
    assertThat(map0.get("a")).isEqualTo(1);
    um.redo();
    assertThat(map0.toJson()).isEqualTo(Map.of("a", Map.of("x", 42)));
    net.syncAll();
    // content overwritten by another user: the undo steps are skipped
    map1.set("a", 44);
    net.syncAll();
    um.undo();
    assertThat(map0.get("a")).isEqualTo(44);
    um.redo();
    assertThat(map0.get("a")).isEqualTo(44);
    // a value set several times
    map0.set("b", "initial");
    um.stopCapturing();
    map0.set("b", "val1");
    map0.set("b", "val2");
    um.stopCapturing();
    um.undo();
    assertThat(map0.get("b")).isEqualTo("initial");
  }

  @Test
  void testUndoArray() {
    SyncNetwork net = SyncNetwork.of(3);
    YArray array0 = net.array(0);
    YArray array1 = net.array(1);
    UndoManager um = undo(array0).build();
    array0.insert(0, List.of(1, 2, 3));
    array1.insert(0, List.of(4, 5, 6));
    net.syncAll();
    assertThat(array0.toList()).isEqualTo(List.of(1, 2, 3, 4, 5, 6));
    um.undo();
    assertThat(array0.toList()).isEqualTo(List.of(4, 5, 6));
    um.redo();
    assertThat(array0.toList()).isEqualTo(List.of(1, 2, 3, 4, 5, 6));
    net.syncAll();
    array1.delete(0, 1); // user 1 deletes [1]
    net.syncAll();
    um.undo();
    assertThat(array0.toList()).isEqualTo(List.of(4, 5, 6));
    um.redo();
    assertThat(array0.toList()).isEqualTo(List.of(2, 3, 4, 5, 6));
    array0.delete(0, 5);
    // nested structure
    YMap ymap = new YMap();
    array0.insert(0, List.of(ymap));
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of()));
    um.stopCapturing();
    ymap.set("a", 1);
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("a", 1)));
    um.undo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of()));
    um.undo();
    assertThat(array0.toJson()).isEqualTo(List.of(2, 3, 4, 5, 6));
    um.redo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of()));
    um.redo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("a", 1)));
    net.syncAll();
    ((YMap) array1.get(0)).set("b", 2);
    net.syncAll();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("a", 1, "b", 2)));
    um.undo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("b", 2)));
    um.undo();
    assertThat(array0.toJson()).isEqualTo(List.of(2, 3, 4, 5, 6));
    um.redo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("b", 2)));
    um.redo();
    assertThat(array0.toJson()).isEqualTo(List.of(Map.of("a", 1, "b", 2)));
  }

  @Test
  void testUndoXml() {
    SyncNetwork net = SyncNetwork.of(3);
    YXmlElement xml0 = net.xml(0);
    UndoManager um = undo(xml0).build();
    YXmlElement child = new YXmlElement("p");
    xml0.insert(0, List.of(child));
    YXmlText textchild = new YXmlText("content");
    child.insert(0, List.of(textchild));
    assertThat(xml0.toString()).isEqualTo("<undefined><p>content</p></undefined>");
    // format the text child and revert that
    um.stopCapturing();
    textchild.format(3, 4, attrs("bold", Map.of()));
    assertThat(xml0.toString()).isEqualTo("<undefined><p>con<bold>tent</bold></p></undefined>");
    um.undo();
    assertThat(xml0.toString()).isEqualTo("<undefined><p>content</p></undefined>");
    um.redo();
    assertThat(xml0.toString()).isEqualTo("<undefined><p>con<bold>tent</bold></p></undefined>");
    xml0.delete(0, 1);
    assertThat(xml0.toString()).isEqualTo("<undefined></undefined>");
    um.undo();
    assertThat(xml0.toString()).isEqualTo("<undefined><p>con<bold>tent</bold></p></undefined>");
  }

  @Test
  void testUndoEvents() {
    SyncNetwork net = SyncNetwork.of(3);
    YText text0 = net.text(0);
    UndoManager um = undo(text0).build();
    int[] counter = {0};
    Object[] receivedMetadata = {-1};
    um.onStackItemAdded(e -> {
      assertThat(e.kind()).isNotNull();
      assertThat(e.changedParentTypes()).contains(text0);
      e.stackItem().meta().put("test", counter[0]++);
    });
    um.onStackItemPopped(e -> {
      assertThat(e.kind()).isNotNull();
      assertThat(e.changedParentTypes()).contains(text0);
      receivedMetadata[0] = e.stackItem().meta().get("test");
    });
    text0.insert(0, "abc");
    um.undo();
    assertThat(receivedMetadata[0]).isEqualTo(0);
    um.redo();
    assertThat(receivedMetadata[0]).isEqualTo(1);
  }

  @Test
  void testTrackClass() {
    SyncNetwork net = SyncNetwork.of(3);
    YText text0 = net.text(0);
    // only origins that are numbers
    UndoManager um = undo(text0).trackedOrigins(List.of(Integer.class)).build();
    net.users.get(0).transact(t -> text0.insert(0, "abc"), 42);
    assertThat(text0.toString()).isEqualTo("abc");
    um.undo();
    assertThat(text0.toString()).isEmpty();
  }

  @Test
  void testTypeScope() {
    SyncNetwork net = SyncNetwork.of(3);
    YText text0 = new YText();
    YText text1 = new YText();
    net.array(0).insert(0, List.of(text0, text1));
    UndoManager um = undo(text0).build();
    UndoManager umBoth = UndoManager.newBuilder(text0, text1).clock(() -> 1_000).build();
    text1.insert(0, "abc");
    assertThat(um.undoStackSize()).isZero();
    assertThat(umBoth.undoStackSize()).isEqualTo(1);
    assertThat(text1.toString()).isEqualTo("abc");
    um.undo();
    assertThat(text1.toString()).isEqualTo("abc");
    umBoth.undo();
    assertThat(text1.toString()).isEmpty();
  }

  @Test
  void testUndoInEmbed() {
    SyncNetwork net = SyncNetwork.of(3);
    YText text0 = net.text(0);
    UndoManager um = undo(text0).build();
    YText nestedText = new YText("initial text");
    um.stopCapturing();
    text0.insertEmbed(0, nestedText, attrs("bold", true));
    assertThat(nestedText.toString()).isEqualTo("initial text");
    um.stopCapturing();
    nestedText.delete(0, nestedText.length());
    nestedText.insert(0, "other text");
    assertThat(nestedText.toString()).isEqualTo("other text");
    um.undo();
    assertThat(nestedText.toString()).isEqualTo("initial text");
    um.undo();
    assertThat(text0.length()).isZero();
  }

  @Test
  void testUndoDeleteFilter() {
    SyncNetwork net = SyncNetwork.of(3);
    YArray array0 = net.array(0);
    // Yjs: delete on undo only what is no item, or a type whose map is empty
    UndoManager um = undo(array0).deleteFilter(c -> c.content().size() == 1
        && c.content().get(0) instanceof YMap m && m.keys().isEmpty()).build();
    YMap map0 = new YMap();
    map0.set("hi", 1);
    YMap map1 = new YMap();
    array0.insert(0, List.of(map0, map1));
    um.undo();
    assertThat(array0.length()).isEqualTo(1);
    assertThat(((YMap) array0.get(0)).keys()).hasSize(1);
  }

  @Test
  void testUndoDoingStackItem() {
    Doc doc = Doc.create();
    YText text = doc.getText("text");
    UndoManager um = undo(text).build();
    um.onStackItemAdded(e -> e.stackItem().meta().put("str", "42"));
    Object[] metaUndo = {null};
    Object[] metaRedo = {null};
    text.observe(event -> {
      if (event.transaction().origin() == um && um.isUndoing()) {
        metaUndo[0] = um.currentStackItem().meta().get("str");
      } else if (event.transaction().origin() == um && um.isRedoing()) {
        metaRedo[0] = um.currentStackItem().meta().get("str");
      }
    });
    text.insert(0, "abc");
    um.undo();
    um.redo();
    assertThat(metaUndo[0]).as("currStackItem while undoing").isEqualTo("42");
    assertThat(metaRedo[0]).as("currStackItem while redoing").isEqualTo("42");
    assertThat(um.currentStackItem()).as("after the transaction").isNull();
  }

  @Test
  void testUndoSetAttributeAndDeleteSyncsAttributes() {
    Doc doc = Doc.create();
    YXmlText root = doc.getXmlText("sharedRoot");
    YXmlText button = new YXmlText();
    button.setAttribute("type", "button");
    button.setAttribute("test", true);
    button.insert(0, "Click me");
    root.insertEmbed(0, button);
    UndoManager um = undo(root).build();
    um.stopCapturing();
    button.setAttribute("type", "paragraph");
    root.delete(0, 1);
    um.undo();
    Map<String, Object> expectedAttrs = Map.of("type", "button", "test", true);
    YXmlText restored = (YXmlText) root.toDelta().get(0).insert();
    assertThat(restored.getAttributes()).isEqualTo(expectedAttrs);
    assertThat(restored.toString()).isEqualTo("Click me");
    Doc remoteDoc = Doc.create();
    remoteDoc.applyUpdateV2(doc.encodeStateAsUpdateV2());
    YXmlText remote = (YXmlText) remoteDoc.getXmlText("sharedRoot").toDelta().get(0).insert();
    assertThat(remote.getAttributes()).isEqualTo(expectedAttrs);
    assertThat(remote.toString()).isEqualTo("Click me");
  }
}
