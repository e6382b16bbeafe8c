package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own Y.Text tests ({@code tests/y-text.tests.js} at v13.6.31), ported with their expected values: what an
 * outside suite that ports Yjs's tests would check first. Each method names the Yjs test.
 */
class YjsTextSuiteTest {
  private static Map<String, Object> attrs(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** A delta op as Yjs writes it: {insert|retain|delete, attributes?}. */
  private static Map<String, Object> op(String kind, Object value, Map<String, Object> attributes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(kind, value);
    if (attributes != null) {
      m.put("attributes", attributes);
    }
    return m;
  }

  private static Map<String, Object> ins(Object value) {
    return op("insert", value, null);
  }

  private static List<Object> delta(List<Delta> d) {
    return YjsInterop.deltaAsMaps(d);
  }

  @Test
  void testBasicFormat() {
    YText text = Doc.create().getText("text");
    List<List<Delta>> deltas = new ArrayList<>();
    text.observe(e -> deltas.add(e.delta()));
    text.insert(0, "abc", attrs("bold", true));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "abc", Map.of("bold", true))));
    assertThat(delta(deltas.get(0))).isEqualTo(List.of(op("insert", "abc", Map.of("bold", true))));
    text.delete(0, 1);
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "bc", Map.of("bold", true))));
    assertThat(delta(deltas.get(1))).isEqualTo(List.of(op("delete", 1, null)));
    text.delete(1, 1);
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "b", Map.of("bold", true))));
    assertThat(delta(deltas.get(2))).isEqualTo(List.of(op("retain", 1, null), op("delete", 1, null)));
    text.insert(0, "z", attrs("bold", true));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "zb", Map.of("bold", true))));
    assertThat(delta(deltas.get(3))).isEqualTo(List.of(op("insert", "z", Map.of("bold", true))));
    text.insert(0, "y");
    assertThat(delta(text.toDelta())).isEqualTo(List.of(ins("y"), op("insert", "zb", Map.of("bold", true))));
    assertThat(delta(deltas.get(4))).isEqualTo(List.of(ins("y")));
    text.format(0, 2, attrs("bold", null));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(ins("yz"), op("insert", "b", Map.of("bold", true))));
    assertThat(delta(deltas.get(5))).isEqualTo(List.of(op("retain", 1, null), op("retain", 1, attrs("bold", null))));
  }

  @Test
  void testFalsyFormats() {
    YText text = Doc.create().getText("text");
    List<List<Delta>> deltas = new ArrayList<>();
    text.observe(e -> deltas.add(e.delta()));
    text.insert(0, "abcde", attrs("falsy", false));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "abcde", Map.of("falsy", false))));
    assertThat(delta(deltas.get(0))).isEqualTo(List.of(op("insert", "abcde", Map.of("falsy", false))));
    text.format(1, 3, attrs("falsy", true));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "a", Map.of("falsy", false)),
        op("insert", "bcd", Map.of("falsy", true)), op("insert", "e", Map.of("falsy", false))));
    assertThat(delta(deltas.get(1))).isEqualTo(List.of(op("retain", 1, null), op("retain", 3, Map.of("falsy", true))));
    text.format(2, 1, attrs("falsy", false));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "a", Map.of("falsy", false)),
        op("insert", "b", Map.of("falsy", true)), op("insert", "c", Map.of("falsy", false)),
        op("insert", "d", Map.of("falsy", true)), op("insert", "e", Map.of("falsy", false))));
    assertThat(delta(deltas.get(2))).isEqualTo(List.of(op("retain", 2, null), op("retain", 1, Map.of("falsy", false))));
  }

  @Test
  void testMultilineFormat() {
    YText text = Doc.create().getText("test");
    text.insert(0, "Test\nMulti-line\nFormatting");
    text.applyDelta(List.of(Delta.retain(4, attrs("bold", true)), Delta.retain(1), Delta.retain(10, attrs("bold", true)),
        Delta.retain(1), Delta.retain(10, attrs("bold", true))));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "Test", Map.of("bold", true)), ins("\n"),
        op("insert", "Multi-line", Map.of("bold", true)), ins("\n"), op("insert", "Formatting", Map.of("bold", true))));
  }

  @Test
  void testNotMergeEmptyLinesFormat() {
    YText text = Doc.create().getText("test");
    text.applyDelta(List.of(Delta.insert("Text"), Delta.insert("\n", attrs("title", true)), Delta.insert("\nText"),
        Delta.insert("\n", attrs("title", true))));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(ins("Text"), op("insert", "\n", Map.of("title", true)),
        ins("\nText"), op("insert", "\n", Map.of("title", true))));
  }

  @Test
  void testPreserveAttributesThroughDelete() {
    YText text = Doc.create().getText("test");
    text.applyDelta(List.of(Delta.insert("Text"), Delta.insert("\n", attrs("title", true)), Delta.insert("\n")));
    text.applyDelta(List.of(Delta.retain(4), Delta.delete(1), Delta.retain(1, attrs("title", true))));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(ins("Text"), op("insert", "\n", Map.of("title", true))));
  }

  @Test
  void testGetDeltaWithEmbeds() {
    YText text = Doc.create().getText("text");
    text.applyDelta(List.of(Delta.insert(Map.of("linebreak", "s"))));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(ins(Map.of("linebreak", "s"))));
  }

  @Test
  void testTypesAsEmbed() {
    Doc doc = Doc.create();
    YText text = doc.getText("text");
    YMap embedded = new YMap();
    embedded.set("key", "val");
    text.applyDelta(List.of(Delta.insert(embedded)));
    assertThat(((YMap) text.toDelta().get(0).insert()).toJson()).isEqualTo(Map.of("key", "val"));
    Doc other = Doc.create();
    List<Object> seen = new ArrayList<>();
    other.getText("text").observe(e -> e.delta().forEach(d -> seen.add(((YMap) d.insert()).toJson())));
    other.applyUpdate(doc.encodeStateAsUpdate());
    assertThat(seen).isEqualTo(List.of(Map.of("key", "val")));
    assertThat(((YMap) other.getText("text").toDelta().get(0).insert()).toJson()).isEqualTo(Map.of("key", "val"));
  }

  @Test
  void testToJson() {
    YText text = Doc.create().getText("text");
    text.insert(0, "abc", attrs("bold", true));
    assertThat(text.toJson()).isEqualTo("abc");
  }

  @Test
  void testToDeltaEmbedAttributes() {
    YText text = Doc.create().getText("text");
    text.insert(0, "ab", attrs("bold", true));
    text.insertEmbed(1, Map.of("image", "imageSrc.png"), attrs("width", 100));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "a", Map.of("bold", true)),
        op("insert", Map.of("image", "imageSrc.png"), Map.of("width", 100)), op("insert", "b", Map.of("bold", true))));
  }

  @Test
  void testToDeltaEmbedNoAttributes() {
    YText text = Doc.create().getText("text");
    text.insert(0, "ab", attrs("bold", true));
    text.insertEmbed(1, Map.of("image", "imageSrc.png"));
    assertThat(delta(text.toDelta())).isEqualTo(List.of(op("insert", "a", Map.of("bold", true)),
        ins(Map.of("image", "imageSrc.png")), op("insert", "b", Map.of("bold", true))));
  }

  @Test
  void testFormattingBug() {
    Doc doc1 = Doc.create();
    Doc doc2 = Doc.create();
    YText text1 = doc1.getText("");
    text1.insert(0, "\n\n\n");
    text1.format(0, 3, attrs("url", "http://example.com"));
    doc1.getText("").format(1, 1, attrs("url", "http://docs.yjs.dev"));
    doc2.getText("").format(1, 1, attrs("url", "http://docs.yjs.dev"));
    doc2.applyUpdate(doc1.encodeStateAsUpdate());
    List<Object> expected = List.of(op("insert", "\n", Map.of("url", "http://example.com")),
        op("insert", "\n", Map.of("url", "http://docs.yjs.dev")), op("insert", "\n", Map.of("url", "http://example.com")));
    assertThat(delta(text1.toDelta())).isEqualTo(expected);
    assertThat(delta(doc2.getText("").toDelta())).isEqualTo(expected);
  }

  @Test
  void testDeleteFormatting() {
    Doc doc = Doc.create();
    YText text = doc.getText("");
    text.insert(0, "Attack ships on fire off the shoulder of Orion.");
    Doc doc2 = Doc.create();
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    text.format(13, 7, attrs("bold", true));
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    text.format(16, 4, attrs("bold", null));
    doc2.applyUpdate(doc.encodeStateAsUpdate());
    List<Object> expected = List.of(ins("Attack ships "), op("insert", "on ", Map.of("bold", true)),
        ins("fire off the shoulder of Orion."));
    assertThat(delta(text.toDelta())).isEqualTo(expected);
    assertThat(delta(doc2.getText("").toDelta())).isEqualTo(expected);
  }

  @Test
  void testDeltaAfterConcurrentFormatting() {
    // testHelper's users 0 and 1
    Doc doc0 = Doc.newBuilder().clientId(0).build();
    Doc doc1 = Doc.newBuilder().clientId(1).build();
    doc0.getText("text").insert(0, "abcde");
    doc1.applyUpdate(doc0.encodeStateAsUpdate());
    doc0.getText("text").format(0, 3, attrs("bold", true));
    doc1.getText("text").format(2, 2, attrs("bold", true));
    List<Object> deltas = new ArrayList<>();
    doc1.getText("text").observe(e -> {
      if (!e.delta().isEmpty()) {
        deltas.add(delta(e.delta()));
      }
    });
    doc1.applyUpdate(doc0.encodeStateAsUpdate(doc1.encodeStateVector()));
    assertThat(deltas).isEqualTo(List.of(List.of(op("retain", 3, Map.of("bold", true)),
        op("retain", 2, attrs("bold", null)))));
  }
}
