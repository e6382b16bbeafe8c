package ai.candlefish.collab.core.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RleEncoders} and {@link RleDecoders} against lib0's column encoders: sequences and the bytes lib0 wrote for
 * them ({@code fixtures/codec/rle.json}, from src/test/js/codec-fixtures.mjs with the lib0 that yjs 13.6.33 uses),
 * including runs of zeros (lib0's negative zero), negative differences, 2^53 - 1, and lone surrogates that
 * concatenation joins into a pair.
 */
class RleCodecFixturesTest {
  record Case(String kind, List<?> values, byte[] bytes) {
    @Override
    public String toString() {
      String v = values.toString();
      return kind + " " + (v.length() > 50 ? v.substring(0, 50) + "…" : v);
    }
  }

  static Stream<Case> cases() throws IOException {
    try (InputStream in = RleCodecFixturesTest.class.getResourceAsStream("/fixtures/codec/rle.json")) {
      Map<?, ?> all = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Case> out = new ArrayList<>();
      for (Map.Entry<?, ?> kind : all.entrySet()) {
        for (Object o : (List<?>) kind.getValue()) {
          Map<?, ?> m = (Map<?, ?>) o;
          out.add(new Case((String) kind.getKey(), (List<?>) m.get("values"),
              Base64.getDecoder().decode((String) m.get("bytes"))));
        }
      }
      return out.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void encoders_writeLib0Bytes(Case c) {
    byte[] written;
    switch (c.kind()) {
      case "byteRle" -> {
        RleEncoders.ByteRle e = new RleEncoders.ByteRle();
        c.values().forEach(v -> e.write(((Number) v).intValue()));
        written = e.toByteArray();
      }
      case "uintOptRle" -> {
        RleEncoders.UintOptRle e = new RleEncoders.UintOptRle();
        c.values().forEach(v -> e.write(((Number) v).longValue()));
        written = e.toByteArray();
      }
      case "intDiffOptRle" -> {
        RleEncoders.IntDiffOptRle e = new RleEncoders.IntDiffOptRle();
        c.values().forEach(v -> e.write(((Number) v).longValue()));
        written = e.toByteArray();
      }
      default -> {
        RleEncoders.Strings e = new RleEncoders.Strings();
        c.values().forEach(v -> e.write((String) v, 0));
        written = e.toByteArray();
      }
    }
    assertThat(Base64.getEncoder().encodeToString(written)).isEqualTo(Base64.getEncoder().encodeToString(c.bytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decoders_readLib0Bytes(Case c) {
    Lib0Decoder in = new Lib0Decoder(c.bytes());
    List<Object> read = new ArrayList<>();
    switch (c.kind()) {
      case "byteRle" -> {
        RleDecoders.ByteRle d = new RleDecoders.ByteRle(in);
        c.values().forEach(v -> read.add((long) d.read()));
      }
      case "uintOptRle" -> {
        RleDecoders.UintOptRle d = new RleDecoders.UintOptRle(in);
        c.values().forEach(v -> read.add(d.read()));
      }
      case "intDiffOptRle" -> {
        RleDecoders.IntDiffOptRle d = new RleDecoders.IntDiffOptRle(in);
        c.values().forEach(v -> read.add(d.read()));
      }
      default -> {
        RleDecoders.Strings d = new RleDecoders.Strings(in);
        c.values().forEach(v -> read.add(d.read()));
      }
    }
    List<Object> expected = c.values().stream()
        .map(v -> v instanceof Number n ? (Object) n.longValue() : v).toList();
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void stringColumn_readPastItsChars_isRejected() {
    RleEncoders.Strings e = new RleEncoders.Strings();
    e.write("ab", 0);
    byte[] bytes = e.toByteArray();
    bytes[bytes.length - 1] = 3; // the one length, 2, claimed as 3
    RleDecoders.Strings d = new RleDecoders.Strings(new Lib0Decoder(bytes));
    assertThatThrownBy(d::read).isInstanceOf(DecodingException.class).hasMessageContaining("chars remain");
  }

  @Test
  void uintColumn_readPastItsEnd_isRejected() {
    RleDecoders.UintOptRle d = new RleDecoders.UintOptRle(new Lib0Decoder(new byte[] {5}));
    assertThat(d.read()).isEqualTo(5);
    assertThatThrownBy(d::read).isInstanceOf(DecodingException.class);
  }

  @Test
  void strings_oneCharSlices_areTheSlicesAndSharedForAscii() {
    RleEncoders.Strings out = new RleEncoders.Strings();
    for (String s : List.of("a", "\u00e9", "\ud83d", "\ude00", "bc", "a")) {
      out.write(s, 0);
    }
    RleDecoders.Strings in = new RleDecoders.Strings(new Lib0Decoder(out.toByteArray()));
    String first = in.read();
    assertThat(first).isEqualTo("a");
    assertThat(in.read()).isEqualTo("\u00e9");
    assertThat(in.read()).isEqualTo("\ud83d");
    assertThat(in.read()).isEqualTo("\ude00");
    assertThat(in.read()).isEqualTo("bc");
    assertThat(in.read()).isSameAs(first);
  }
}
