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
