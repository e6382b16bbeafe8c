package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YXmlTest {
  @Test
  void preliminaryTree_integratesWithChildrenAndAttributes() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YXmlFragment pm = doc.getXmlFragment("pm");
    YXmlElement p = new YXmlElement("paragraph");
    p.setAttribute("align", "center");
    YXmlText t = new YXmlText();
    t.insert(0, "bold", Map.of("strong", Map.of()));
    t.insert(4, " plain", Map.of()); // without attributes it would inherit "strong", as in Yjs
    p.insert(0, List.of(t));
    pm.insert(0, List.of(p, new YXmlElement("hr")));
    assertThat(pm.toString())
        .isEqualTo("<paragraph align=\"center\"><strong>bold</strong> plain</paragraph><hr></hr>");
    assertThat(p.getAttribute("align")).isEqualTo("center");
    assertThat(p.nextSibling()).isInstanceOf(YXmlElement.class);
    Doc copy = Doc.newBuilder().clientId(2).build();
    copy.applyUpdate(doc.encodeStateAsUpdate());
    assertThat(copy.getXmlFragment("pm").toString()).isEqualTo(pm.toString());
    DocInvariants.check(copy);
  }

  @Test
  void events_reportChildListAndAttributes() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YXmlFragment pm = doc.getXmlFragment("pm");
    YXmlElement p = new YXmlElement("p");
    pm.insert(0, List.of(p));
    List<String> seen = new ArrayList<>();
    p.observe(e -> seen.add(e.childListChanged() + " " + e.attributesChanged()));
    doc.transact(txn -> {
      p.setAttribute("class", "x");
      p.insert(0, List.of(new YXmlText("hi")));
    });
    assertThat(seen).containsExactly("true [class]");
  }

  @Test
  void insert_rejectsNonXmlNodes() {
    Doc doc = Doc.create();
    assertThatThrownBy(() -> doc.getXmlFragment("pm").insert(0, List.of(new YMap())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("YXmlElement");
  }

  @Test
  void toString_childrenThatAreNoXmlNodes_printAsYjs() {
    // Yjs 13.6.33: x = doc.getXmlFragment('x'); x.insert(0, [new Y.XmlText('t'), new Y.Doc({ guid: 'sub' }), 'str',
    // 42, new Uint8Array([1, 2]), new Y.Map(), { a: 1 }]) (client 5): Yjs's types forbid it, its code takes it
    byte[] update = java.util.Base64.getDecoder().decode(
        "AQcFAAcBAXgGBAAFAAF0iQUAA3N1YnYAiAUCAncDc3RyfSqDBQQCAQKHBQUBiAUGAXYBAWF9AQA=");
    Doc doc = Doc.create();
    doc.applyUpdate(update);
    YXmlFragment x = doc.getXmlFragment("x");
    assertThat(x.length()).isEqualTo(7);
    // what Yjs prints for it, on the writer and on a replica
    assertThat(x.toString()).isEqualTo("t[object Object]str421,2[object Object][object Object]");
    assertThat(x.toJson()).isEqualTo(x.toString());
  }

  @Test
  void toListAndGet_childThatIsNoNode_failWithWhatToDo() {
    // A Yjs peer can put any value into a fragment (Yjs's typeListInsertGenerics takes any); Yjs's get() and
    // toArray() hand it out. Written here through an array root of the same name: the same bytes.
    Doc writer = Doc.newBuilder().clientId(1).gc(false).build();
    writer.getArray("x").push(List.of("s", 1));
    Doc doc = Doc.newBuilder().clientId(2).gc(false).build();
    YXmlFragment x = doc.getXmlFragment("x");
    doc.applyUpdate(writer.encodeStateAsUpdate());
    assertThat(x.slice(0)).containsExactly("s", 1);
    assertThat(x.toString()).isEqualTo("s1");
    assertThatThrownBy(x::toList).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("child 0 of this XML fragment is no XML node but a value of type String").hasMessageContaining("slice(0)");
    assertThatThrownBy(() -> x.get(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("child 1 of this XML fragment is no XML node but a value of type Integer");
    assertThatThrownBy(x::firstChild).isInstanceOf(IllegalStateException.class);
    // Yjs's tree walker and querySelector fail there with a TypeError
    assertThatThrownBy(() -> x.querySelector("p")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("slice(0)");
    assertThatThrownBy(() -> x.createTreeWalker(t -> true).hasNext()).isInstanceOf(IllegalStateException.class);
    Snapshot snapshot = Snapshot.of(doc);
    assertThatThrownBy(() -> x.toList(snapshot)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("child 0");
  }
}
