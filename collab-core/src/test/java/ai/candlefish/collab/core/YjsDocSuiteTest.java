package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own Y.Doc tests ({@code tests/doc.tests.js} at v13.6.31), ported with their expected values. Each method
 * names the Yjs test. {@code testLoadDocsEvent} and {@code testSyncDocsEvent} test Yjs's provider hooks
 * ({@code doc.emit('load' | 'sync')}, {@code whenLoaded}, {@code isSynced}), which collab-core leaves to its
 * providers (the server and {@code CollabClient}).
 */
class YjsDocSuiteTest {
  @Test
  void testAfterTransactionRecursion() {
    Doc ydoc = Doc.create();
    YXmlFragment yxml = ydoc.getXmlFragment("");
    ydoc.onAfterTransaction(tr -> {
      if ("test".equals(tr.origin())) {
        yxml.toJson();
      }
    });
    ydoc.transact(tr -> {
      for (int i = 0; i < 15000; i++) {
        yxml.push(List.of(new YXmlText("a")));
      }
    }, "test");
    assertThat(yxml.length()).isEqualTo(15000);
  }

  @Test
  void testOriginInTransaction() {
    Doc doc = Doc.create();
    YText ytext = doc.getText("");
    List<Object> origins = new ArrayList<>();
    doc.onAfterTransaction(tr -> {
      origins.add(tr.origin());
      if (origins.size() <= 1) {
        // a snapshot makes toDelta split structs in a "cleanup" transaction of its own
        ytext.toDelta(Snapshot.of(doc), null, null);
        doc.transact(t -> ytext.insert(0, "a"), "nested");
      }
    });
    doc.transact(t -> ytext.insert(0, "0"), "first");
    assertThat(origins).isEqualTo(List.of("first", "cleanup", "nested"));
  }

  @Test
  void testClientIdDuplicateChange() {
    Doc doc1 = Doc.newBuilder().clientId(0).build();
    Doc doc2 = Doc.newBuilder().clientId(0).build();
    assertThat(doc2.clientId()).isEqualTo(doc1.clientId());
    doc1.getArray("a").insert(0, List.of(1, 2));
    doc2.applyUpdate(doc1.encodeStateAsUpdate());
    assertThat(doc2.clientId()).isNotEqualTo(doc1.clientId());
  }

  @Test
  void testGetTypeEmptyId() {
    Doc doc1 = Doc.create();
    doc1.getText("").insert(0, "h");
    doc1.getText("").insert(1, "i");
    Doc doc2 = Doc.create();
    doc2.applyUpdate(doc1.encodeStateAsUpdate());
    assertThat(doc2.getText("").toString()).isEqualTo("hi");
  }

  @Test
  void testToJSON() {
    Doc doc = Doc.create();
    assertThat(doc.toJson()).isEmpty();
    doc.getArray("array").push(List.of("test1"));
    YMap map = doc.getMap("map");
    map.set("k1", "v1");
    YMap map2 = new YMap();
    map.set("k2", map2);
    map2.set("m2k1", "m2v1");
    assertThat(doc.toJson()).isEqualTo(Map.of("array", List.of("test1"),
        "map", Map.of("k1", "v1", "k2", Map.of("m2k1", "m2v1"))));
  }

  /** [added, removed, loaded] guids of a subdocs event, in the event's order. */
  private static List<List<String>> guids(SubdocsEvent e) {
    return List.of(e.added().stream().map(Doc::guid).toList(), e.removed().stream().map(Doc::guid).toList(),
        e.loaded().stream().map(Doc::guid).toList());
  }

  @Test
  void testSubdoc() {
    Doc doc = Doc.create();
    doc.load(); // does nothing
    AtomicReference<List<List<String>>> event = new AtomicReference<>();
    doc.onSubdocs(e -> event.set(guids(e)));
    YMap subdocs = doc.getMap("mysubdocs");
    Doc docA = Doc.newBuilder().guid("a").build();
    docA.load();
    subdocs.set("a", docA);
    assertThat(event.get()).isEqualTo(List.of(List.of("a"), List.of(), List.of("a")));
    event.set(null);
    ((Doc) subdocs.get("a")).load();
    assertThat(event.get()).isNull();
    ((Doc) subdocs.get("a")).destroy();
    assertThat(event.get()).isEqualTo(List.of(List.of("a"), List.of("a"), List.of()));
    ((Doc) subdocs.get("a")).load();
    assertThat(event.get()).isEqualTo(List.of(List.of(), List.of(), List.of("a")));
    subdocs.set("b", Doc.newBuilder().guid("a").shouldLoad(false).build());
    assertThat(event.get()).isEqualTo(List.of(List.of("a"), List.of(), List.of()));
    ((Doc) subdocs.get("b")).load();
    assertThat(event.get()).isEqualTo(List.of(List.of(), List.of(), List.of("a")));
    Doc docC = Doc.newBuilder().guid("c").build();
    docC.load();
    subdocs.set("c", docC);
    assertThat(event.get()).isEqualTo(List.of(List.of("c"), List.of(), List.of("c")));
    assertThat(doc.getSubdocGuids()).containsExactly("a", "c");

    Doc doc2 = Doc.create();
    assertThat(doc2.getSubdocs()).isEmpty();
    AtomicReference<List<List<String>>> event2 = new AtomicReference<>();
    doc2.onSubdocs(e -> event2.set(guids(e)));
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    // two subdocuments share guid "a": both are added
    assertThat(event2.get()).isEqualTo(List.of(List.of("a", "a", "c"), List.of(), List.of()));
    ((Doc) doc2.getMap("mysubdocs").get("a")).load();
    assertThat(event2.get()).isEqualTo(List.of(List.of(), List.of(), List.of("a")));
    assertThat(doc2.getSubdocGuids()).containsExactly("a", "c");
    doc2.getMap("mysubdocs").delete("a");
    assertThat(event2.get()).isEqualTo(List.of(List.of(), List.of("a"), List.of()));
    assertThat(doc2.getSubdocGuids()).containsExactly("a", "c");
  }

  @Test
  void testSubdocLoadEdgeCases() {
    Doc ydoc = Doc.create();
    YArray yarray = ydoc.getArray("");
    Doc subdoc1 = Doc.create();
    AtomicReference<SubdocsEvent> lastEvent = new AtomicReference<>();
    ydoc.onSubdocs(lastEvent::set);
    yarray.insert(0, List.of(subdoc1));
    assertThat(subdoc1.shouldLoad()).isTrue();
    assertThat(subdoc1.autoLoad()).isFalse();
    assertThat(lastEvent.get().loaded()).contains(subdoc1);
    assertThat(lastEvent.get().added()).contains(subdoc1);
    // destroyed, it is added again (a new instance), not loaded
    subdoc1.destroy();
    Doc subdoc2 = (Doc) yarray.get(0);
    assertThat(subdoc2).isNotSameAs(subdoc1);
    assertThat(lastEvent.get().added()).contains(subdoc2);
    assertThat(lastEvent.get().loaded()).doesNotContain(subdoc2);
    subdoc2.load();
    assertThat(lastEvent.get().added()).doesNotContain(subdoc2);
    assertThat(lastEvent.get().loaded()).contains(subdoc2);
    // from a remote
    Doc ydoc2 = Doc.create();
    ydoc2.onSubdocs(lastEvent::set);
    ydoc2.applyUpdate(ydoc.encodeStateAsUpdate());
    Doc subdoc3 = (Doc) ydoc2.getArray("").get(0);
    assertThat(subdoc3.shouldLoad()).isFalse();
    assertThat(subdoc3.autoLoad()).isFalse();
    assertThat(lastEvent.get().added()).contains(subdoc3);
    assertThat(lastEvent.get().loaded()).doesNotContain(subdoc3);
    subdoc3.load();
    assertThat(subdoc3.shouldLoad()).isTrue();
    assertThat(lastEvent.get().added()).doesNotContain(subdoc3);
    assertThat(lastEvent.get().loaded()).contains(subdoc3);
  }

  @Test
  void testSubdocLoadEdgeCasesAutoload() {
    Doc ydoc = Doc.create();
    YArray yarray = ydoc.getArray("");
    Doc subdoc1 = Doc.newBuilder().autoLoad(true).build();
    AtomicReference<SubdocsEvent> lastEvent = new AtomicReference<>();
    ydoc.onSubdocs(lastEvent::set);
    yarray.insert(0, List.of(subdoc1));
    assertThat(subdoc1.shouldLoad()).isTrue();
    assertThat(subdoc1.autoLoad()).isTrue();
    assertThat(lastEvent.get().loaded()).contains(subdoc1);
    assertThat(lastEvent.get().added()).contains(subdoc1);
    subdoc1.destroy();
    Doc subdoc2 = (Doc) yarray.get(0);
    assertThat(subdoc2).isNotSameAs(subdoc1);
    assertThat(lastEvent.get().added()).contains(subdoc2);
    assertThat(lastEvent.get().loaded()).doesNotContain(subdoc2);
    subdoc2.load();
    assertThat(lastEvent.get().added()).doesNotContain(subdoc2);
    assertThat(lastEvent.get().loaded()).contains(subdoc2);
    Doc ydoc2 = Doc.create();
    ydoc2.onSubdocs(lastEvent::set);
    ydoc2.applyUpdate(ydoc.encodeStateAsUpdate());
    Doc subdoc3 = (Doc) ydoc2.getArray("").get(0);
    assertThat(subdoc1.shouldLoad()).isTrue();
    assertThat(subdoc1.autoLoad()).isTrue();
    assertThat(lastEvent.get().added()).contains(subdoc3);
    assertThat(lastEvent.get().loaded()).contains(subdoc3);
  }

  @Test
  void testSubdocsUndo() {
    Doc ydoc = Doc.create();
    YXmlFragment elems = ydoc.getXmlFragment("");
    UndoManager undoManager = UndoManager.newBuilder(elems).build();
    // Yjs's test inserts a document where XML nodes go (its types allow it at run time); ours is an array of the
    // same scope, as an XML fragment takes XML nodes only
    YArray arr = ydoc.getArray("a");
    undoManager.addToScope(arr);
    arr.insert(0, List.of(Doc.create()));
    undoManager.undo();
    undoManager.redo();
    assertThat(arr.length()).isEqualTo(1);
  }
}
