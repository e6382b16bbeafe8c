package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own Y.Xml tests ({@code tests/y-xml.tests.js} at v13.6.31), ported with their expected values on a
 * {@link SyncNetwork} (Yjs's {@code init}/{@code compare}: root "xml" is an element). Each method names the Yjs test;
 * {@code testCustomTypings} only checks TypeScript types.
 */
class YjsXmlSuiteTest {
  @Test
  void testSetProperty() {
    SyncNetwork net = SyncNetwork.of(2);
    net.xml(0).setAttribute("height", "10");
    assertThat(net.xml(0).getAttribute("height")).isEqualTo("10");
    net.flushAll();
    assertThat(net.xml(1).getAttribute("height")).isEqualTo("10");
    net.compare();
  }

  @Test
  void testHasProperty() {
    SyncNetwork net = SyncNetwork.of(2);
    net.xml(0).setAttribute("height", "10");
    assertThat(net.xml(0).hasAttribute("height")).isTrue();
    net.flushAll();
    assertThat(net.xml(1).hasAttribute("height")).isTrue();
    net.xml(0).removeAttribute("height");
    assertThat(net.xml(0).hasAttribute("height")).isFalse();
    net.flushAll();
    assertThat(net.xml(1).hasAttribute("height")).isFalse();
    net.compare();
  }

  @Test
  void testEvents() {
    SyncNetwork net = SyncNetwork.of(2);
    AtomicReference<YXmlEvent> event = new AtomicReference<>();
    AtomicReference<YXmlEvent> remoteEvent = new AtomicReference<>();
    net.xml(0).observe(event::set);
    net.xml(1).observe(remoteEvent::set);
    net.xml(0).setAttribute("key", "value");
    assertThat(event.get().attributesChanged()).contains("key");
    net.flushAll();
    assertThat(remoteEvent.get().attributesChanged()).contains("key");
    net.xml(0).removeAttribute("key");
    assertThat(event.get().attributesChanged()).contains("key");
    net.flushAll();
    assertThat(remoteEvent.get().attributesChanged()).contains("key");
    net.xml(0).insert(0, List.of(new YXmlText("some text")));
    assertThat(event.get().childListChanged()).isTrue();
    net.flushAll();
    assertThat(remoteEvent.get().childListChanged()).isTrue();
    net.xml(0).delete(0, 1);
    assertThat(event.get().childListChanged()).isTrue();
    net.flushAll();
    assertThat(remoteEvent.get().childListChanged()).isTrue();
    net.compare();
  }

  @Test
  void testTreewalker() {
    SyncNetwork net = SyncNetwork.of(3);
    YXmlElement paragraph1 = new YXmlElement("p");
    YXmlElement paragraph2 = new YXmlElement("p");
    YXmlText text1 = new YXmlText("init");
    YXmlText text2 = new YXmlText("text");
    paragraph1.insert(0, List.of(text1, text2));
    net.xml(0).insert(0, List.of(paragraph1, paragraph2, new YXmlElement("img")));
    List<YXmlElement> all = net.xml(0).querySelectorAll("p");
    assertThat(all).hasSize(2);
    assertThat(all.get(0)).isSameAs(paragraph1);
    assertThat(all.get(1)).isSameAs(paragraph2);
    assertThat(net.xml(0).querySelector("p")).isSameAs(paragraph1);
    net.compare();
  }

  @Test
  void testYtextAttributes() {
    Doc ydoc = Doc.create();
    YXmlText ytext = ydoc.getXmlText("");
    AtomicReference<EntryChange> change = new AtomicReference<>();
    ytext.observe(event -> change.set(event.keys().get("test")));
    ytext.setAttribute("test", 42);
    assertThat(change.get()).isEqualTo(new EntryChange(EntryChange.Action.ADD, null));
    assertThat(ytext.getAttribute("test")).isEqualTo(42);
    assertThat(ytext.getAttributes()).isEqualTo(Map.of("test", 42));
  }

  @Test
  void testSiblings() {
    YXmlFragment yxml = Doc.create().getXmlFragment("");
    YXmlText first = new YXmlText();
    YXmlElement second = new YXmlElement("p");
    yxml.insert(0, List.of(first, second));
    assertThat(first.nextSibling()).isSameAs(second);
    assertThat(second.prevSibling()).isSameAs(first);
    assertThat(first.parent()).isSameAs(yxml);
    assertThat(yxml.parent()).isNull();
    assertThat(yxml.firstChild()).isSameAs(first);
  }

  @Test
  void testInsertafter() {
    YXmlFragment yxml = Doc.create().getXmlFragment("");
    YXmlText first = new YXmlText();
    YXmlElement second = new YXmlElement("p");
    YXmlElement third = new YXmlElement("p");
    YXmlElement deepsecond1 = new YXmlElement("span");
    YXmlText deepsecond2 = new YXmlText();
    second.insertAfter(null, List.of(deepsecond1));
    second.insertAfter(deepsecond1, List.of(deepsecond2));
    yxml.insertAfter(null, List.of(first, second));
    yxml.insertAfter(second, List.of(third));
    assertThat(yxml.length()).isEqualTo(3);
    assertThat(second.get(0)).isSameAs(deepsecond1);
    assertThat(second.get(1)).isSameAs(deepsecond2);
    assertThat(yxml.toList()).containsExactly(first, second, third);
    assertThatThrownBy(() -> new YXmlElement("p").insertAfter(deepsecond1, List.of(new YXmlText())))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void testClone() {
    Doc ydoc = Doc.create();
    YXmlFragment yxml = ydoc.getXmlFragment("");
    YXmlText first = new YXmlText("text");
    YXmlElement second = new YXmlElement("p");
    YXmlElement third = new YXmlElement("p");
    yxml.push(List.of(first, second, third));
    assertThat(yxml.toList()).containsExactly(first, second, third);
    YXmlFragment cloneYxml = yxml.clone();
    ydoc.getArray("copyarr").insert(0, List.of(cloneYxml));
    assertThat(cloneYxml.length()).isEqualTo(3);
    assertThat(cloneYxml.toJson()).isEqualTo(yxml.toJson());
  }

  @Test
  void testFormattingBug() {
    YXmlText yxml = Doc.create().getXmlText("");
    List<Delta> delta = List.of(Delta.insert("A", Map.of("em", Map.of(), "strong", Map.of())),
        Delta.insert("B", Map.of("em", Map.of())), Delta.insert("C", Map.of("em", Map.of(), "strong", Map.of())));
    yxml.applyDelta(delta);
    assertThat(YjsInterop.deltaAsMaps(yxml.toDelta())).isEqualTo(YjsInterop.deltaAsMaps(delta));
  }

  @Test
  void testElement() {
    YXmlElement yxmlel = Doc.create().getXmlElement("");
    YXmlText text1 = new YXmlText("text1");
    YXmlText text2 = new YXmlText("text2");
    yxmlel.insert(0, List.of(text1, text2));
    assertThat(yxmlel.toList()).containsExactly(text1, text2);
  }
}
