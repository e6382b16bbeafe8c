package ai.candlefish.collab.core.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Lib0DecoderTest {
  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void readVarUint_roundTripsEdgeValues() {
    for (long v : new long[] {0, 1, 127, 128, 16383, 16384, Integer.MAX_VALUE, (1L << 53) - 1}) {
      Lib0Encoder e = new Lib0Encoder();
      e.writeVarUint(v);
      assertThat(new Lib0Decoder(e.toByteArray()).readVarUint()).isEqualTo(v);
    }
  }

  @Test
  void readVarUint_endlessVarintFailsWithOffset() {
    byte[] endless = new byte[20];
    Arrays.fill(endless, (byte) 0xFF);
    assertThatThrownBy(() -> new Lib0Decoder(endless).readVarUint())
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("larger than 2^53 - 1")
        .extracting(e -> ((DecodingException) e).offset()).isEqualTo(0);
  }

  /** {@code value} as its own groups followed by zero groups, {@code length} bytes in all (lib0 reads that). */
  private static byte[] overlong(int firstByte, int length) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) 0x80);
    b[0] = (byte) firstByte;
    b[length - 1] = 0;
    return b;
  }

  @Test
  void readVarUint_overlongUpToMaxBytes_readsTheValue() {
    assertThat(new Lib0Decoder(bytes(0x85, 0x80, 0x00)).readVarUint()).isEqualTo(5);
    Lib0Decoder d = new Lib0Decoder(overlong(0x81, Lib0Decoder.MAX_VARINT_BYTES));
    assertThat(d.readVarUint()).isEqualTo(1);
    assertThat(d.hasContent()).isFalse();
  }

  @Test
  void readVarUint_longerThanMaxBytes_failsWithOffset() {
    assertThatThrownBy(() -> new Lib0Decoder(overlong(0x81, Lib0Decoder.MAX_VARINT_BYTES + 1)).readVarUint())
        .isInstanceOf(DecodingException.class).hasMessageContaining("longer than 147 bytes")
        .extracting(e -> ((DecodingException) e).offset()).isEqualTo(0);
  }

  @Test
  void readVarUint_groupPast53Bits_fails() {
    assertThatThrownBy(() -> new Lib0Decoder(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).readVarUint())
        .isInstanceOf(DecodingException.class).hasMessageContaining("larger than 2^53 - 1");
  }

  @Test
  void readVarInt_overlongUpToMaxBytes_readsTheValue() {
    Lib0Decoder d = new Lib0Decoder(overlong(0xC1, Lib0Decoder.MAX_VARINT_BYTES));
    assertThat(d.readVarInt()).isEqualTo(-1);
    assertThat(d.hasContent()).isFalse();
    assertThatThrownBy(() -> new Lib0Decoder(overlong(0xC1, Lib0Decoder.MAX_VARINT_BYTES + 1)).readVarInt())
        .isInstanceOf(DecodingException.class).hasMessageContaining("longer than 147 bytes");
  }

  @Test
  void readVarUint_truncatedFails() {
    assertThatThrownBy(() -> new Lib0Decoder(bytes(0x80, 0x80)).readVarUint())
        .isInstanceOf(DecodingException.class).hasMessageContaining("end of buffer")
        .extracting(e -> ((DecodingException) e).offset()).isEqualTo(2);
  }

  @Test
  void readVarString_hugeLengthClaimFailsBeforeAllocating() {
    assertThatThrownBy(() -> new Lib0Decoder(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x07, 'a')).readVarString())
        .isInstanceOf(DecodingException.class).hasMessageContaining("claims");
  }

  @Test
  void readAny_hugeArrayClaimFails() {
    assertThatThrownBy(() -> new Lib0Decoder(bytes(117, 0xFF, 0xFF, 0xFF, 0xFF, 0x07)).readAny())
        .isInstanceOf(DecodingException.class).hasMessageContaining("array claims");
  }

  @Test
  void readAny_deepNestingFailsWithoutStackOverflow() {
    byte[] deep = new byte[100_000];
    for (int i = 0; i < deep.length; i += 2) {
      deep[i] = 117; // array
      deep[i + 1] = 1; // of one element
    }
    assertThatThrownBy(() -> new Lib0Decoder(deep).readAny())
        .isInstanceOf(DecodingException.class).hasMessageContaining("nested deeper");
  }

  @Test
  void readAny_unknownTagFails() {
    assertThatThrownBy(() -> new Lib0Decoder(bytes(93)).readAny())
        .isInstanceOf(DecodingException.class).hasMessageContaining("unknown any type tag 93");
  }

  @Test
  void writeVarString_loneSurrogateBecomesReplacementCharacter() {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarString("a\ud800b");
    assertThat(new Lib0Decoder(e.toByteArray()).readVarString()).isEqualTo("a\ufffdb");
  }

  @Test
  void readVarString_oneAsciiChar_isSharedAndMarkedAscii() {
    for (int c = 0; c < 128; c++) {
      Lib0Decoder first = new Lib0Decoder(bytes(1, c));
      String s = first.readVarString();
      assertThat(s).isEqualTo(String.valueOf((char) c));
      assertThat(first.lastStringWasAscii()).isTrue();
      assertThat(first.remaining()).isZero();
      assertThat(new Lib0Decoder(bytes(1, c)).readVarString()).isSameAs(s);
    }
  }

  @Test
  void readVarString_oneByteNotAscii_failsWithOffset() {
    for (int b = 0x80; b < 0x100; b++) {
      int value = b;
      assertThatThrownBy(() -> new Lib0Decoder(bytes(1, value)).readVarString())
          .isInstanceOf(DecodingException.class).hasMessageContaining("UTF-8");
    }
  }

  @Test
  void readVarString_afterOneAsciiChar_readsOn() {
    Lib0Decoder d = new Lib0Decoder(bytes(1, 'x', 2, 0xC3, 0xA9, 1, 'y'));
    assertThat(d.readVarString()).isEqualTo("x");
    assertThat(d.readVarString()).isEqualTo("\u00e9");
    assertThat(d.lastStringWasAscii()).isFalse();
    assertThat(d.readVarString()).isEqualTo("y");
    assertThat(d.lastStringWasAscii()).isTrue();
  }

  @Test
  void oneChar_sharesAsciiOnly() {
    assertThat(Lib0Decoder.oneChar('a')).isSameAs(Lib0Decoder.oneChar('a')).isEqualTo("a");
    assertThat(Lib0Decoder.oneChar('\u00e9')).isEqualTo("\u00e9");
    assertThat(Lib0Decoder.oneChar('\ud83d')).isEqualTo("\ud83d");
  }
}
