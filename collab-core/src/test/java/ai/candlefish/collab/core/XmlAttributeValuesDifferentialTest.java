package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * XML element attributes of every value kind Yjs accepts (not only strings: numbers, booleans, null, arrays,
 * objects, bytes, bigints, undefined), against real Yjs: the same update bytes, and the same {@code toString()},
 * {@code toJSON()} and attributes on the replica that wrote them and on one that read them.
 */
@ExtendWith(YjsPeerExtension.class)
class XmlAttributeValuesDifferentialTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void attributeValuesOfEveryKind_readAsYjs() {
    List<Object> values = List.of(1.5, 7, true, List.of(1, List.of(2, 3), "x"), Map.of("a", 1),
        Map.of("$type", "bytes", "base64", "AQL/"), Map.of("$type", "bigint", "value", "-42"),
        Map.of("$type", "number", "value", "NaN"), Map.of("$type", "number", "value", "-0"), 1e21, 1e-7, "s\"<");
    Map<String, Object> attrs = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      attrs.put("k" + (char) ('a' + i), values.get(i));
    }
    attrs.put("n", null);
    Map<String, Object> element = new LinkedHashMap<>();
    element.put("element", "Div");
    element.put("attrs", attrs);
    Map<String, Object> childAttrs = new LinkedHashMap<>(); // in JavaScript's key order, as the twin sets them
    childAttrs.put("9", 2);
    childAttrs.put("10", 1);
    childAttrs.put("a", 3);
    element.put("children", List.of(Map.of("element", "b", "attrs", childAttrs)));
    writeAndRead("xml-attrs", Map.of("op", "xmlInsert", "name", "x", "index", 0, "nodes", List.of(element)));
  }

  /** Applies {@code op} to a Java doc and a Yjs doc, compares their updates and XML, then a reader's of the state. */
  private static void writeAndRead(String id, Map<String, Object> op) {
    Doc doc = Doc.newBuilder().clientId(6).build();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    YjsInterop.apply(doc, op);
    peer.newDoc(id, 6, true, Map.of("x", "xml"));
    peer.newDoc(id + "-reader", 8, true, Map.of("x", "xml"));
    try {
      peer.apply(id, op);
      assertThat(updates.stream().map(YjsInterop::base64).toList())
          .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
      assertSame(doc, id);
      Doc reader = Doc.newBuilder().clientId(8).build();
      reader.getXmlFragment("x");
      reader.applyUpdate(doc.encodeStateAsUpdate());
      peer.applyUpdate(id + "-reader", peer.encodeStateAsUpdate(id, null));
      assertSame(reader, id + "-reader");
    } finally {
      peer.drop(id);
      peer.drop(id + "-reader");
    }
  }

  @Test
  void protoAttribute_lendsItsKeysToToString_asYjs() {
    // Yjs's toString() lists getAttributes() with for...in: an attribute "__proto__" holding an object or array is
    // that object's prototype, so its keys (those no own attribute shadows) are printed too; a string or null is not.
    Map<String, Object> inherited = new LinkedHashMap<>();
    inherited.put("b", "shadowed");
    inherited.put("a", "1");
    inherited.put("z", Map.of("q", 1));
    inherited.put("10", 2);
    List<Object> nodes = new ArrayList<>();
    for (Object proto : java.util.Arrays.asList(inherited, List.of(7, "8"), "str", null, Map.of())) {
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("b", "B");
      attrs.put("__proto__", proto);
      attrs.put("c", 3);
      nodes.add(Map.of("element", "p", "attrs", attrs));
    }
    writeAndRead("xml-proto", Map.of("op", "xmlInsert", "name", "x", "index", 0, "nodes", nodes));
  }

  private static void assertSame(Doc doc, String id) {
    Map<String, Object> yjs = peer.snapshot(id, Map.of("x", "xml"));
    assertThat(doc.getXmlFragment("x").toString()).as("toString() of %s", id)
        .isEqualTo(YjsInterop.asMap(yjs.get("values")).get("x"));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "inspect");
    c.put("id", id);
    c.put("slices", List.of());
    assertThat(doc.getXmlFragment("x").toString()).isEqualTo(peer.request(c).get("xml"));
  }
}
