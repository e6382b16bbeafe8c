package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SharedType}'s tree questions and copies (their behaviour against Yjs: YjsSurfacePropertyTest). */
class SharedTypeTest {
  @Test
  void isParentOf_answersForAncestorsOnly() {
    Doc doc = Doc.create();
    YMap root = doc.getMap("m");
    YArray inner = root.set("a", new YArray());
    YText deepest = new YText("x");
    inner.push(List.of(deepest));
    assertThat(root.isParentOf(inner)).isTrue();
    assertThat(root.isParentOf(deepest)).isTrue();
    assertThat(inner.isParentOf(deepest)).isTrue();
    assertThat(deepest.isParentOf(root)).isFalse();
    assertThat(doc.getArray("other").isParentOf(deepest)).isFalse();
    assertThat(root.isParentOf(root)).isFalse();
  }

  @Test
  void rootKey_ofRootAndNested() {
    Doc doc = Doc.create();
    YMap root = doc.getMap("m");
    YMap nested = root.set("k", new YMap());
    assertThat(root.rootKey()).isEqualTo("m");
    assertThatThrownBy(nested::rootKey).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new YMap().rootKey()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void clone_copiesContentAndNestedTypes() {
    Doc doc = Doc.create();
    YMap root = doc.getMap("m");
    YText text = root.set("t", new YText());
    text.insert(0, "bold", Map.of("bold", true));
    root.set("n", 1);
    YMap copy = root.clone();
    assertThat(copy.doc()).isNull();
    doc.getArray("a").push(List.of(copy));
    YMap inserted = (YMap) doc.getArray("a").get(0);
    assertThat(inserted.keys()).containsExactly("t", "n");
    assertThat(((YText) inserted.get("t")).toDelta()).isEqualTo(text.toDelta());
    assertThat(inserted.get("t")).isNotSameAs(text);
  }

  /** Yjs throws a TypeError midway here and leaves its document broken; we copy the embedded type too. */
  @Test
  void clone_ofATextWithAnEmbeddedType_copiesTheEmbeddedType() {
    Doc doc = Doc.create();
    YXmlFragment f = doc.getXmlFragment("x");
    YXmlText text = new YXmlText();
    f.push(List.of(text));
    text.insert(0, "ab");
    YMap embedded = new YMap();
    text.insertEmbed(1, embedded, Map.of("bold", true));
    embedded.set("k", "v");

    f.push(List.of(text.clone()));

    YXmlText copy = (YXmlText) f.get(1);
    assertThat(copy.toDelta()).hasSize(3);
    YMap copied = (YMap) copy.toDelta().get(1).insert();
    assertThat(copied).isNotSameAs(embedded);
    assertThat(copied.toJson()).isEqualTo(Map.of("k", "v"));
    assertThat(copy.toDelta().get(1).attributes()).isEqualTo(Map.of("bold", true));
    assertThat(text.toDelta().get(1).insert()).isSameAs(embedded);
    Doc remote = Doc.create();
    remote.applyUpdate(doc.encodeStateAsUpdate());
    YXmlFragment remoteF = remote.getXmlFragment("x");
    for (int i = 0; i < 2; i++) {
      assertThat(((YMap) ((YXmlText) remoteF.get(i)).toDelta().get(1).insert()).toJson()).isEqualTo(Map.of("k", "v"));
    }
  }

  @Test
  void xmlFragment_unshiftAndSlice() {
    Doc doc = Doc.create();
    YXmlFragment f = doc.getXmlFragment("x");
    f.push(List.of(new YXmlElement("b")));
    f.unshift(List.of(new YXmlElement("a")));
    assertThat(f.toString()).isEqualTo("<a></a><b></b>");
    assertThat(f.slice(-1)).hasSize(1);
    assertThat(f.slice(5, 9)).isEmpty();
    assertThat(f.slice(-3, 1)).first().isEqualTo(Undefined.INSTANCE);
  }

  @Test
  void textAttributes_setGetRemove() {
    Doc doc = Doc.create();
    YText t = new YText("x");
    t.setAttribute("lang", "en");
    doc.getArray("a").push(List.of(t));
    assertThat(t.getAttribute("lang")).isEqualTo("en");
    t.removeAttribute("lang");
    assertThat(t.getAttributes()).isEmpty();
    assertThat(t.toString()).isEqualTo("x");
  }
}
