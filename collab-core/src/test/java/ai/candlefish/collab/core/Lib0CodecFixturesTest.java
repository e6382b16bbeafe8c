package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * lib0's {@code writeAny} bytes and JavaScript's {@code JSON.stringify} text for a broad set of values, produced
 * by src/test/js/codec-fixtures.mjs with the lib0 that yjs 13.6.33 uses.
 */
class Lib0CodecFixturesTest {
  record Case(Object value, byte[] any, String json, String label) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<Case> cases() throws IOException {
    try (InputStream in = Lib0CodecFixturesTest.class.getResourceAsStream("/fixtures/codec/values.json")) {
      List<?> list = (List<?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Case> out = new ArrayList<>();
      for (Object o : list) {
        Map<?, ?> m = (Map<?, ?>) o;
        Object tagged = m.get("value");
        String label = "#" + out.size() + " " + tagged;
        out.add(new Case(YjsInterop.toJava(tagged), Base64.getDecoder().decode((String) m.get("any")),
            (String) m.get("json"), label.length() > 60 ? label.substring(0, 60) : label));
      }
      return out.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void writeAny_matchesLib0(Case c) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeAny(c.value());
    assertThat(out.toByteArray()).isEqualTo(c.any());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readAny_thenWriteAny_roundTripsLib0Bytes(Case c) {
    Lib0Decoder in = new Lib0Decoder(c.any());
    Object decoded = in.readAny();
    assertThat(in.hasContent()).isFalse();
    Lib0Encoder out = new Lib0Encoder();
    out.writeAny(decoded);
    assertThat(out.toByteArray()).isEqualTo(c.any());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void stringify_matchesJavaScript(Case c) {
    if (c.value() instanceof java.math.BigInteger) {
      return; // JSON.stringify throws for bigints; so do we (see JsonTest)
    }
    assertThat(Json.stringify(c.value())).isEqualTo(c.json());
    if (c.json() != null) {
      // JSON.parse of JavaScript's output, stringified again, gives the same text.
      assertThat(Json.stringify(Json.parse(c.json()))).isEqualTo(c.json());
    }
  }
}
