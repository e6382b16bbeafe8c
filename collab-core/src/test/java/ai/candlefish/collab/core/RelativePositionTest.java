package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.internal.codec.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RelativePosition}: its contract, hostile input, and cursors that real Yjs editors put into awareness. */
@ExtendWith(YjsPeerExtension.class)
class RelativePositionTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static Doc doc(long clientId) {
    return Doc.newBuilder().clientId(clientId).build();
  }

  @Test
  void fromTypeIndex_followsItsCharacterThroughEdits() {
    Doc doc = doc(1);
    YText text = doc.getText("t");
    text.insert(0, "0123456789abcdef");
    RelativePosition pos = RelativePosition.fromTypeIndex(text, 10);
    text.insert(0, "abc");
    text.delete(3, 10);
    AbsolutePosition abs = pos.toAbsolute(doc);
    assertThat(abs.type()).isSameAs(text);
    assertThat(abs.index()).isEqualTo(3);
    assertThat(text.toString().charAt(abs.index())).isEqualTo('a');
  }

  @Test
  void fromTypeIndex_assocDecidesTheSideOfAnInsertAtThePosition() {
    Doc doc = doc(1);
    YText text = doc.getText("t");
    text.insert(0, "ab");
    RelativePosition right = RelativePosition.fromTypeIndex(text, 1);
    RelativePosition left = RelativePosition.fromTypeIndex(text, 1, -1);
    text.insert(1, "XY");
    assertThat(right.toAbsolute(doc).index()).isEqualTo(3);
    assertThat(left.toAbsolute(doc).index()).isEqualTo(1);
  }

  @Test
  void fromTypeIndex_atTheEnd_staysAtTheEnd() {
    Doc doc = doc(1);
    YArray array = doc.getArray("a");
    array.push(List.of(1, 2));
    RelativePosition end = RelativePosition.fromTypeIndex(array, 2);
    assertThat(end.rootName()).isEqualTo("a");
    assertThat(end.toJson()).isEqualTo(Map.of("tname", "a", "assoc", 0));
    array.push(List.of(3));
    assertThat(end.toAbsolute(doc).index()).isEqualTo(3);
    RelativePosition start = RelativePosition.fromTypeIndex(array, 0, -1);
    array.insert(0, List.of(0));
    assertThat(start.toAbsolute(doc).index()).isZero();
  }

  @Test
  void fromTypeIndex_preliminaryType_throws() {
    assertThatThrownBy(() -> RelativePosition.fromTypeIndex(new YText(), 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fromTypeIndex_negativeIndexInAnEmptyType_isTheEnd() {
    // as Yjs (a negative index elsewhere: OutOfRangeDifferentialTest)
    Doc doc = doc(1);
    YText text = doc.getText("t");
    assertThat(RelativePosition.fromTypeIndex(text, -1)).isEqualTo(RelativePosition.fromTypeIndex(text, 0));
  }

  @Test
  void toAbsolute_itemTheDocDoesNotHave_isNull() {
    Doc a = doc(1);
    a.getText("t").insert(0, "hello");
    RelativePosition pos = RelativePosition.fromTypeIndex(a.getText("t"), 2);
    assertThat(pos.toAbsolute(doc(2))).isNull();
  }

  @Test
  void toAbsolute_insideADeletedNestedType_isIndexZeroOfThatType_orNullOnceCollected() {
    for (boolean gc : List.of(false, true)) {
      Doc doc = Doc.newBuilder().clientId(1).gc(gc).build();
      YMap map = doc.getMap("m");
      map.set("n", new YText());
      YText nested = (YText) map.get("n");
      nested.insert(0, "hello");
      RelativePosition inside = RelativePosition.fromTypeIndex(nested, 3);
      RelativePosition end = RelativePosition.fromTypeIndex(nested, 5);
      assertThat(end.toJson()).containsOnlyKeys("type", "assoc");
      map.delete("n");
      AbsolutePosition expected = gc ? null : new AbsolutePosition(nested, 0, 0);
      assertThat(inside.toAbsolute(doc)).as("gc %s", gc).isEqualTo(expected);
      assertThat(end.toAbsolute(doc)).as("gc %s", gc).isEqualTo(expected);
    }
  }

  @Test
  void encode_decode_roundTripsAndEquals() {
    Doc doc = doc(7);
    YText text = doc.getText("t");
    text.insert(0, "hello");
    RelativePosition pos = RelativePosition.fromTypeIndex(text, 5, -1);
    byte[] bytes = pos.encode();
    assertThat(bytes).containsExactly(0, 7, 4, 0x41); // item 7:4, assoc -1
    RelativePosition decoded = RelativePosition.decode(bytes);
    assertThat(decoded.encode()).isEqualTo(bytes);
    assertThat(decoded.toAbsolute(doc).index()).isEqualTo(5);
    assertThat(RelativePosition.fromJson(pos.toJson())).isEqualTo(pos).hasSameHashCodeAs(pos);
    assertThat(RelativePosition.fromTypeIndex(text, 5, 0)).isNotEqualTo(pos);
  }

  @Test
  void decode_withoutAssoc_readsAssocZero() {
    RelativePosition pos = RelativePosition.decode(new byte[] {1, 1, 't'});
    assertThat(pos.rootName()).isEqualTo("t");
    assertThat(pos.assoc()).isZero();
  }

  @Test
  void decode_malformed_throwsDecodingException() {
    assertThatThrownBy(() -> RelativePosition.decode(new byte[0])).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> RelativePosition.decode(new byte[] {3, 0})).isInstanceOf(DecodingException.class)
        .hasMessageContaining("kind 3");
    assertThatThrownBy(() -> RelativePosition.decode(new byte[] {0, 1})).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> RelativePosition.decode(new byte[] {1, 5, 'a'})).isInstanceOf(DecodingException.class);
    // a clock beyond 2^31
    assertThatThrownBy(() -> RelativePosition.decode(new byte[] {2, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}))
        .isInstanceOf(DecodingException.class);
    // an assoc beyond the int range
    assertThatThrownBy(() -> RelativePosition.decode(new byte[] {1, 0, (byte) 0xBF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}))
        .isInstanceOf(DecodingException.class).hasMessageContaining("assoc");
  }

  @Test
  void fromJson_javaScriptSerialisedObjectWithNulls_isRead() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", null);
    json.put("tname", null);
    json.put("item", Map.of("client", 3, "clock", 4.0));
    json.put("assoc", -1);
    RelativePosition pos = RelativePosition.fromJson(json);
    assertThat(pos.toJson()).isEqualTo(Map.of("item", Map.of("client", 3L, "clock", 4), "assoc", -1));
  }

  @Test
  void fromJson_malformed_throwsNamingTheField() {
    assertThatThrownBy(() -> RelativePosition.fromJson("x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelativePosition.fromJson(Map.of("assoc", 0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs an item");
    assertThatThrownBy(() -> RelativePosition.fromJson(Map.of("item", Map.of("client", 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("item.clock");
    assertThatThrownBy(() -> RelativePosition.fromJson(Map.of("item", Map.of("client", -1, "clock", 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("item.client");
    assertThatThrownBy(() -> RelativePosition.fromJson(Map.of("tname", "t", "assoc", 0.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("assoc");
    assertThatThrownBy(() -> RelativePosition.fromJson(Map.of("tname", 5))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tname");
  }

  @Test
  void fromJson_ofYjsJson_encodesAsYjsDoes() {
    for (Map<String, Object> json : List.<Map<String, Object>>of(
        Map.of("tname", "t", "assoc", -1),
        Map.of("type", Map.of("client", 5, "clock", 9), "assoc", 3),
        Map.of("tname", "t", "item", Map.of("client", 4_000_000_000L, "clock", 70_000), "assoc", 0))) {
      Map<String, Object> cmd = new LinkedHashMap<>();
      cmd.put("op", "jsonPos");
      cmd.put("json", json);
      assertThat(YjsInterop.base64(RelativePosition.fromJson(json).encode())).as("%s", json)
          .isEqualTo(peer.request(cmd).get("encoded"));
    }
  }

  @Test
  void awarenessCursors_ofYProsemirrorAndLexical_resolveInAJavaDoc() {
    String id = "cursors";
    peer.newDoc(id, 42, true, Map.of("x", "xml"));
    try {
      Map<String, Object> insert = new LinkedHashMap<>();
      insert.put("op", "xmlInsert");
      insert.put("name", "x");
      insert.put("index", 0);
      insert.put("nodes", List.of(
          Map.of("element", "paragraph", "children", List.of(Map.of("text", "hello world"))),
          Map.of("element", "paragraph", "children", List.of(Map.of("text", "second")))));
      peer.apply(id, insert);
      Doc doc = doc(1);
      doc.getXmlFragment("x");
      doc.applyUpdate(peer.encodeStateAsUpdate(id, null));
      YXmlText firstText = (YXmlText) ((YXmlElement) doc.getXmlFragment("x").get(0)).get(0);

      // y-prosemirror: {cursor: {anchor, head}} in relativePositionToJSON form
      Map<String, Object> state = cursorState(doc, id, "prosemirror", 6, 11);
      Map<?, ?> cursor = (Map<?, ?>) state.get("cursor");
      AbsolutePosition anchor = RelativePosition.fromJson(cursor.get("anchor")).toAbsolute(doc);
      AbsolutePosition head = RelativePosition.fromJson(cursor.get("head")).toAbsolute(doc);
      assertThat(anchor.type()).isSameAs(firstText);
      assertThat(anchor.index()).isEqualTo(6);
      assertThat(head.type()).isSameAs(firstText);
      assertThat(head.index()).isEqualTo(11); // the end of the nested text: a {type} reference

      // Lexical: the RelativePosition objects serialised by JSON.stringify, nulls and all
      state = cursorState(doc, id, "lexical", 0, 5);
      assertThat(state.get("anchorPos").toString()).contains("tname=null");
      assertThat(RelativePosition.fromJson(state.get("anchorPos")).toAbsolute(doc))
          .isEqualTo(new AbsolutePosition(firstText, 0, 0));
      assertThat(RelativePosition.fromJson(state.get("focusPos")).toAbsolute(doc))
          .isEqualTo(new AbsolutePosition(firstText, 5, 0));

      // the cursor follows its character when text is inserted before it
      firstText.insert(0, ">> ");
      assertThat(RelativePosition.fromJson(cursor.get("anchor")).toAbsolute(doc).index()).isEqualTo(9);
    } finally {
      peer.drop(id);
    }
  }

  /** The awareness state a Yjs editor binding publishes, received by a Java {@link Awareness}. */
  private static Map<String, Object> cursorState(Doc doc, String id, String style, int anchor, int head) {
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("op", "cursorAwareness");
    cmd.put("id", id);
    cmd.put("style", style);
    cmd.put("name", "x");
    cmd.put("kind", "xml");
    cmd.put("path", List.of(0, 0));
    cmd.put("anchor", anchor);
    cmd.put("head", head);
    Map<String, Object> reply = peer.request(cmd);
    Awareness awareness = new Awareness(doc);
    awareness.applyUpdate(YjsInterop.fromBase64(reply.get("update")), "remote");
    Object state = awareness.states().get(42L);
    assertThat(Json.stringify(state)).isEqualTo(Json.stringify(reply.get("state")));
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) state;
    return map;
  }
}
