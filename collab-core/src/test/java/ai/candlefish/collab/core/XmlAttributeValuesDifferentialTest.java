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
    Map<String, Object> op = Map.of("op", "xmlInsert", "name", "x", "index", 0, "nodes", List.of(element));
    Doc doc = Doc.newBuilder().clientId(6).build();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    YjsInterop.apply(doc, op);
    peer.newDoc("xml-attrs", 6, true, Map.of("x", "xml"));
    peer.newDoc("xml-attrs-reader", 8, true, Map.of("x", "xml"));
    try {
      peer.apply("xml-attrs", op);
      assertThat(updates.stream().map(YjsInterop::base64).toList())
          .isEqualTo(peer.updates("xml-attrs").stream().map(YjsInterop::base64).toList());
      assertSame(doc, "xml-attrs");
      Doc reader = Doc.newBuilder().clientId(8).build();
      reader.getXmlFragment("x");
      reader.applyUpdate(doc.encodeStateAsUpdate());
      peer.applyUpdate("xml-attrs-reader", peer.encodeStateAsUpdate("xml-attrs", null));
      assertSame(reader, "xml-attrs-reader");
    } finally {
      peer.drop("xml-attrs");
      peer.drop("xml-attrs-reader");
    }
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
