package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own Y.Map tests ({@code tests/y-map.tests.js} at v13.6.31), ported with their expected values on a
 * {@link SyncNetwork} (Yjs's {@code init}/{@code compare}). Each method names the Yjs test. Yjs's
 * {@code testRepeatGeneratingYmapTests*} (its random harness) are {@link YjsRandomSuitePropertyTest}.
 */
class YjsMapSuiteTest {
  @Test
  void testMapEventError() {
    // yjs#539: computing an event's changes after its transaction is an error (Yjs throws; so do we).
    Doc doc = Doc.create();
    YMap map = doc.getMap("map");
    AtomicReference<YMapEvent> event = new AtomicReference<>();
    map.observe(event::set);
    map.set("a", 1);
    assertThatThrownBy(() -> event.get().keys()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> event.get().keys()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void testMapHavingIterableAsConstructorParamTests() {
    SyncNetwork net = SyncNetwork.of(1);
    YMap map0 = net.map(0);
    YMap m1 = new YMap(Map.of("number", 1, "string", "hello"));
    map0.set("m1", m1);
    assertThat(m1.get("number")).isEqualTo(1);
    assertThat(m1.get("string")).isEqualTo("hello");
    YMap m2 = new YMap(Map.of("object", Map.of("x", 1), "boolean", true));
    map0.set("m2", m2);
    assertThat(((Map<?, ?>) m2.get("object")).get("x")).isEqualTo(1);
    assertThat(m2.get("boolean")).isEqualTo(true);
    Map<String, Object> both = new LinkedHashMap<>(m1.toMap());
    both.putAll(m2.toMap());
    YMap m3 = new YMap(both);
    map0.set("m3", m3);
    assertThat(m3.get("number")).isEqualTo(1);
    assertThat(m3.get("string")).isEqualTo("hello");
    assertThat(((Map<?, ?>) m3.get("object")).get("x")).isEqualTo(1);
    assertThat(m3.get("boolean")).isEqualTo(true);
  }

  @Test
  void testBasicMapTests() {
    SyncNetwork net = SyncNetwork.of(3);
    net.disconnect(2);
    YMap map0 = net.map(0);
    map0.set("null", null);
    map0.set("number", 1);
    map0.set("string", "hello Y");
    map0.set("object", Map.of("key", Map.of("key2", "value")));
    map0.set("y-map", new YMap());
    map0.set("boolean1", true);
    map0.set("boolean0", false);
    YMap map = (YMap) map0.get("y-map");
    map.set("y-array", new YArray());
    YArray array = (YArray) map.get("y-array");
    array.insert(0, List.of(0));
    array.insert(0, List.of(-1));
    assertBasic(map0);
    assertThat(map0.size()).isEqualTo(7);
    net.connect(2);
    net.flushAll();
    assertBasic(net.map(1));
    assertThat(net.map(1).size()).isEqualTo(7);
    assertBasic(net.map(2));
    net.compare();
  }

  private static void assertBasic(YMap m) {
    assertThat(m.has("null")).isTrue();
    assertThat(m.get("null")).isNull();
    assertThat(m.get("number")).isEqualTo(1);
    assertThat(m.get("string")).isEqualTo("hello Y");
    assertThat(m.get("boolean0")).isEqualTo(false);
    assertThat(m.get("boolean1")).isEqualTo(true);
    assertThat(m.get("object")).isEqualTo(Map.of("key", Map.of("key2", "value")));
    assertThat(((YArray) ((YMap) m.get("y-map")).get("y-array")).get(0)).isEqualTo(-1);
  }

  @Test
  void testGetAndSetOfMapProperty() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    map0.set("stuff", "stuffy");
    map0.set("undefined", Undefined.INSTANCE);
    map0.set("null", null);
    assertThat(map0.get("stuff")).isEqualTo("stuffy");
    net.flushAll();
    for (int u = 0; u < 2; u++) {
      YMap m = net.map(u);
      assertThat(m.get("stuff")).isEqualTo("stuffy");
      assertThat(m.get("undefined")).isEqualTo(Undefined.INSTANCE);
      assertThat(m.get("null")).isNull();
    }
    net.compare();
  }

  @Test
  void testYmapSetsYmap() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map = net.map(0).set("Map", new YMap());
    assertThat(net.map(0).get("Map")).isSameAs(map);
    map.set("one", 1);
    assertThat(map.get("one")).isEqualTo(1);
    net.compare();
  }

  @Test
  void testYmapSetsYarray() {
    SyncNetwork net = SyncNetwork.of(2);
    YArray array = net.map(0).set("Array", new YArray());
    assertThat(net.map(0).get("Array")).isSameAs(array);
    array.insert(0, List.of(1, 2, 3));
    assertThat(net.map(0).toJson()).isEqualTo(Map.of("Array", List.of(1, 2, 3)));
    net.compare();
  }

  @Test
  void testGetAndSetOfMapPropertySyncs() {
    SyncNetwork net = SyncNetwork.of(2);
    net.map(0).set("stuff", "stuffy");
    assertThat(net.map(0).get("stuff")).isEqualTo("stuffy");
    net.flushAll();
    assertThat(net.map(1).get("stuff")).isEqualTo("stuffy");
    net.compare();
  }

  @Test
  void testGetAndSetOfMapPropertyWithConflict() {
    SyncNetwork net = SyncNetwork.of(3);
    net.map(0).set("stuff", "c0");
    net.map(1).set("stuff", "c1");
    net.flushAll();
    for (int u = 0; u < 3; u++) {
      assertThat(net.map(u).get("stuff")).isEqualTo("c1");
    }
    net.compare();
  }

  @Test
  void testSizeAndDeleteOfMapProperty() {
    YMap map0 = SyncNetwork.of(1).map(0);
    map0.set("stuff", "c0");
    map0.set("otherstuff", "c1");
    assertThat(map0.size()).isEqualTo(2);
    map0.delete("stuff");
    assertThat(map0.size()).isEqualTo(1);
    map0.delete("otherstuff");
    assertThat(map0.size()).isZero();
  }

  @Test
  void testGetAndSetAndDeleteOfMapProperty() {
    SyncNetwork net = SyncNetwork.of(3);
    net.map(0).set("stuff", "c0");
    net.map(1).set("stuff", "c1");
    net.map(1).delete("stuff");
    net.flushAll();
    for (int u = 0; u < 3; u++) {
      assertThat(net.map(u).has("stuff")).isFalse();
    }
    net.compare();
  }

  @Test
  void testSetAndClearOfMapProperties() {
    SyncNetwork net = SyncNetwork.of(1);
    YMap map0 = net.map(0);
    map0.set("stuff", "c0");
    map0.set("otherstuff", "c1");
    map0.clear();
    net.flushAll();
    assertThat(map0.has("stuff")).isFalse();
    assertThat(map0.has("otherstuff")).isFalse();
    assertThat(map0.size()).isZero();
    net.compare();
  }

  @Test
  void testSetAndClearOfMapPropertiesWithConflicts() {
    SyncNetwork net = SyncNetwork.of(4);
    net.map(0).set("stuff", "c0");
    net.map(1).set("stuff", "c1");
    net.map(1).set("stuff", "c2");
    net.map(2).set("stuff", "c3");
    net.flushAll();
    net.map(0).set("otherstuff", "c0");
    net.map(1).set("otherstuff", "c1");
    net.map(2).set("otherstuff", "c2");
    net.map(3).set("otherstuff", "c3");
    net.map(3).clear();
    net.flushAll();
    for (int u = 0; u < 4; u++) {
      assertThat(net.map(u).has("stuff")).isFalse();
      assertThat(net.map(u).has("otherstuff")).isFalse();
      assertThat(net.map(u).size()).isZero();
    }
    net.compare();
  }

  @Test
  void testGetAndSetOfMapPropertyWithThreeConflicts() {
    SyncNetwork net = SyncNetwork.of(3);
    net.map(0).set("stuff", "c0");
    net.map(1).set("stuff", "c1");
    net.map(1).set("stuff", "c2");
    net.map(2).set("stuff", "c3");
    net.flushAll();
    for (int u = 0; u < 3; u++) {
      assertThat(net.map(u).get("stuff")).isEqualTo("c3");
    }
    net.compare();
  }

  @Test
  void testGetAndSetAndDeleteOfMapPropertyWithThreeConflicts() {
    SyncNetwork net = SyncNetwork.of(4);
    net.map(0).set("stuff", "c0");
    net.map(1).set("stuff", "c1");
    net.map(1).set("stuff", "c2");
    net.map(2).set("stuff", "c3");
    net.flushAll();
    net.map(0).set("stuff", "deleteme");
    net.map(1).set("stuff", "c1");
    net.map(2).set("stuff", "c2");
    net.map(3).set("stuff", "c3");
    net.map(3).delete("stuff");
    net.flushAll();
    for (int u = 0; u < 4; u++) {
      assertThat(net.map(u).has("stuff")).isFalse();
    }
    net.compare();
  }

  @Test
  void testObserveDeepProperties() {
    SyncNetwork net = SyncNetwork.of(4);
    YMap map1 = net.map(1);
    YMap m1 = map1.set("map", new YMap());
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<String> dmapid = new AtomicReference<>();
    map1.observeDeep(events -> events.forEach(event -> {
      calls.incrementAndGet();
      assertThat(((YMapEvent) event).keysChanged()).contains("deepmap");
      assertThat(event.path()).isEqualTo(List.of("map"));
      dmapid.set(itemId((YMap) ((YMap) event.target()).get("deepmap")));
    }));
    net.flushAll();
    YMap m3 = (YMap) net.map(3).get("map");
    m3.set("deepmap", new YMap());
    net.flushAll();
    YMap m2 = (YMap) net.map(2).get("map");
    m2.set("deepmap", new YMap());
    net.flushAll();
    String id1 = itemId((YMap) m1.get("deepmap"));
    assertThat(calls.get()).isPositive();
    assertThat(itemId((YMap) m2.get("deepmap"))).isEqualTo(id1);
    assertThat(itemId((YMap) m3.get("deepmap"))).isEqualTo(id1);
    assertThat(dmapid.get()).isEqualTo(id1);
    net.compare();
  }

  private static String itemId(SharedType t) {
    return t.item.client + ":" + t.item.clock;
  }

  @Test
  void testObserversUsingObservedeep() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    List<List<Object>> paths = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    map0.observeDeep(events -> {
      events.forEach(e -> paths.add(e.path()));
      calls.incrementAndGet();
    });
    map0.set("map", new YMap());
    ((YMap) map0.get("map")).set("array", new YArray());
    ((YArray) ((YMap) map0.get("map")).get("array")).insert(0, List.of("content"));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(paths).isEqualTo(List.of(List.of(), List.of("map"), List.of("map", "array")));
    net.compare();
  }

  @Test
  void testPathsOfSiblingEvents() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    List<List<Object>> paths = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    map0.set("map", new YMap());
    ((YMap) map0.get("map")).set("text1", new YText("initial"));
    map0.observeDeep(events -> {
      events.forEach(e -> paths.add(e.path()));
      calls.incrementAndGet();
    });
    net.users.get(0).transact(txn -> {
      ((YText) ((YMap) map0.get("map")).get("text1")).insert(0, "post-");
      ((YMap) map0.get("map")).set("text2", new YText("new"));
    });
    assertThat(calls.get()).isEqualTo(1);
    assertThat(paths).isEqualTo(List.of(List.of("map"), List.of("map", "text1")));
    net.compare();
  }

  @Test
  void testThrowsAddAndUpdateAndDeleteEvents() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    AtomicReference<YMapEvent> event = new AtomicReference<>();
    map0.observe(event::set);
    map0.set("stuff", 4);
    assertThat(event.get().target()).isSameAs(map0);
    assertThat(event.get().keysChanged()).isEqualTo(Set.of("stuff"));
    map0.set("stuff", new YArray());
    assertThat(event.get().target()).isSameAs(map0);
    assertThat(event.get().keysChanged()).isEqualTo(Set.of("stuff"));
    map0.set("stuff", 5);
    map0.delete("stuff");
    assertThat(event.get().target()).isSameAs(map0);
    assertThat(event.get().keysChanged()).isEqualTo(Set.of("stuff"));
    net.compare();
  }

  @Test
  void testThrowsDeleteEventsOnClear() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    AtomicReference<YMapEvent> event = new AtomicReference<>();
    map0.observe(event::set);
    map0.set("stuff", 4);
    map0.set("otherstuff", new YArray());
    map0.clear();
    assertThat(event.get().keysChanged()).isEqualTo(Set.of("stuff", "otherstuff"));
    assertThat(event.get().target()).isSameAs(map0);
    net.compare();
  }

  @Test
  void testChangeEvent() {
    SyncNetwork net = SyncNetwork.of(2);
    YMap map0 = net.map(0);
    Doc doc = net.users.get(0);
    AtomicReference<YEventChanges> changes = new AtomicReference<>();
    map0.observe(e -> changes.set(e.changes()));
    map0.set("a", 1);
    assertThat(changes.get().keys().get("a")).isEqualTo(new EntryChange(EntryChange.Action.ADD, null));
    map0.set("a", 2);
    assertThat(changes.get().keys().get("a")).isEqualTo(new EntryChange(EntryChange.Action.UPDATE, 1));
    doc.transact(txn -> {
      map0.set("a", 3);
      map0.set("a", 4);
    });
    assertThat(changes.get().keys().get("a")).isEqualTo(new EntryChange(EntryChange.Action.UPDATE, 2));
    doc.transact(txn -> {
      map0.set("b", 1);
      map0.set("b", 2);
    });
    assertThat(changes.get().keys().get("b")).isEqualTo(new EntryChange(EntryChange.Action.ADD, null));
    doc.transact(txn -> {
      map0.set("c", 1);
      map0.delete("c");
    });
    assertThat(changes.get().keys()).isEmpty();
    doc.transact(txn -> {
      map0.set("d", 1);
      map0.set("d", 2);
    });
    assertThat(changes.get().keys().get("d")).isEqualTo(new EntryChange(EntryChange.Action.ADD, null));
    net.compare();
  }

  @Test
  void testYmapEventExceptionsShouldCompleteTransaction() {
    Doc doc = Doc.create();
    YMap map = doc.getMap("map");
    AtomicBoolean updateCalled = new AtomicBoolean();
    AtomicBoolean observerCalled = new AtomicBoolean();
    AtomicBoolean deepObserverCalled = new AtomicBoolean();
    doc.onUpdate((u, o, t) -> updateCalled.set(true));
    map.observe(e -> {
      observerCalled.set(true);
      throw new IllegalStateException("Failure");
    });
    map.observeDeep(e -> {
      deepObserverCalled.set(true);
      throw new IllegalStateException("Failure");
    });
    assertThatThrownBy(() -> map.set("y", "2")).isInstanceOf(RuntimeException.class);
    assertThat(updateCalled).isTrue();
    assertThat(observerCalled).isTrue();
    assertThat(deepObserverCalled).isTrue();
    updateCalled.set(false);
    observerCalled.set(false);
    deepObserverCalled.set(false);
    assertThatThrownBy(() -> map.set("z", "3")).isInstanceOf(RuntimeException.class);
    assertThat(updateCalled).isTrue();
    assertThat(observerCalled).isTrue();
    assertThat(deepObserverCalled).isTrue();
    assertThat(map.get("z")).isEqualTo("3");
  }

  @Test
  void testYmapEventHasCorrectValueWhenSettingAPrimitive() {
    SyncNetwork net = SyncNetwork.of(3);
    AtomicReference<YMapEvent> event = new AtomicReference<>();
    net.map(0).observe(event::set);
    net.map(0).set("stuff", 2);
    String key = event.get().keysChanged().iterator().next();
    assertThat(((YMap) event.get().target()).get(key)).isEqualTo(2);
    net.compare();
  }

  @Test
  void testYmapEventHasCorrectValueWhenSettingAPrimitiveFromOtherUser() {
    SyncNetwork net = SyncNetwork.of(3);
    AtomicReference<YMapEvent> event = new AtomicReference<>();
    net.map(0).observe(event::set);
    net.map(1).set("stuff", 2);
    net.flushAll();
    String key = event.get().keysChanged().iterator().next();
    assertThat(((YMap) event.get().target()).get(key)).isEqualTo(2);
    net.compare();
  }
}
