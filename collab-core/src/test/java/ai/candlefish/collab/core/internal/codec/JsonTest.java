package ai.candlefish.collab.core.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void numberToString_followsJavaScript() {
    assertThat(Json.numberToString(0.1)).isEqualTo("0.1");
    assertThat(Json.numberToString(1e21)).isEqualTo("1e+21");
    assertThat(Json.numberToString(1e-7)).isEqualTo("1e-7");
    assertThat(Json.numberToString(0.000001)).isEqualTo("0.000001");
    assertThat(Json.numberToString(123456789.125)).isEqualTo("123456789.125");
    assertThat(Json.numberToString(-2.5e-5)).isEqualTo("-0.000025");
    assertThat(Json.numberToString(-0.0)).isEqualTo("0");
    assertThat(Json.numberToString(Double.NaN)).isEqualTo("null");
    assertThat(Json.numberToString(5e-324)).isEqualTo("5e-324");
  }

  @Test
  void parse_rejectsMalformedJsonWithPosition() {
    assertThatThrownBy(() -> Json.parse("{\"a\":}")).isInstanceOf(DecodingException.class)
        .extracting(e -> ((DecodingException) e).offset()).isEqualTo(5);
    assertThatThrownBy(() -> Json.parse("[1,2")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Json.parse("01")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Json.parse("\"\\x\"")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Json.parse("[".repeat(5000))).isInstanceOf(DecodingException.class)
        .hasMessageContaining("nested deeper");
  }

  @Test
  void parse_ordersKeysLikeJavaScript() {
    assertThat(Json.parse("{\"b\":1,\"2\":2,\"a\":3,\"1\":4}")).isInstanceOf(Map.class)
        .extracting(m -> List.copyOf(((Map<?, ?>) m).keySet())).isEqualTo(List.of("1", "2", "b", "a"));
  }

  @Test
  void stringify_subdocument_isItsRootsAsYjsDocToJsonGives() {
    // Yjs 13.6.33: const d = new Y.Doc(), s = new Y.Doc(); d.getMap('m').set('child', s); s.getText('t').insert(0, 'x')
    // JSON.stringify(d.getMap('m').toJSON()) is {"child":{"t":"x"}}; in a replica the subdocument is not loaded: {}
    Doc parent = Doc.create();
    Doc child = Doc.newBuilder().guid("g1").build();
    parent.getMap("m").set("child", child);
    child.getText("t").insert(0, "x");
    assertThat(Json.stringify(parent.getMap("m").toJson())).isEqualTo("{\"child\":{\"t\":\"x\"}}");
    Doc replica = Doc.create();
    replica.applyUpdate(parent.encodeStateAsUpdate());
    assertThat(Json.stringify(replica.getMap("m").toJson())).isEqualTo("{\"child\":{}}");
  }

  @Test
  void stringify_bigintIsRejectedAsInJavaScript() {
    assertThatThrownBy(() -> Json.stringify(BigInteger.ONE)).isInstanceOf(IllegalArgumentException.class);
  }
}
