package ai.candlefish.collab.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.internal.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Lib0BufTest {
  private static final long[] VALUES = {0, 1, 127, 128, 255, 16383, 16384, 1L << 31, (1L << 32) - 1, 1L << 32,
      (1L << 53) - 1};

  @Test
  void writeVarUint_matchesLib0_andReadsBack() {
    for (long v : VALUES) {
      Lib0Encoder lib0 = new Lib0Encoder();
      lib0.writeVarUint(v);
      ByteBuf buf = Unpooled.buffer();
      try {
        Lib0Buf.writeVarUint(buf, v);
        assertThat(ByteBufUtil.getBytes(buf)).as("%d", v).isEqualTo(lib0.toByteArray());
        assertThat(Lib0Buf.varUintSize(v)).isEqualTo(buf.readableBytes());
        assertThat(Lib0Buf.readVarUint(buf)).isEqualTo(v);
        assertThat(buf.isReadable()).isFalse();
      } finally {
        buf.release();
      }
    }
  }

  @Test
  void readVarUint_beyond53Bits_isRefused() {
    ByteBuf buf = Unpooled.buffer();
    try {
      Lib0Buf.writeVarUint(buf, 1L << 53);
      assertThatThrownBy(() -> Lib0Buf.readVarUint(buf)).isInstanceOf(ProtocolException.class)
          .hasMessageContaining("too large");
    } finally {
      buf.release();
    }
  }

  @Test
  void readVarUint_truncated_isRefusedWithItsOffset() {
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {7, (byte) 0x80});
    buf.readByte();
    assertThatThrownBy(() -> Lib0Buf.readVarUint(buf)).isInstanceOf(ProtocolException.class)
        .hasMessage("malformed message: truncated number at offset 1")
        .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR));
  }

  @Test
  void readVarUint8Array_longerThanTheInput_isRefusedBeforeAllocating() {
    ByteBuf buf = Unpooled.buffer();
    Lib0Buf.writeVarUint(buf, Integer.MAX_VALUE);
    buf.writeByte(1);
    assertThatThrownBy(() -> Lib0Buf.readVarUint8Array(buf)).hasMessageContaining("exceeds the 1 bytes left");
  }

  @Test
  void writeVarString_isLengthPrefixedUtf8() {
    ByteBuf buf = Unpooled.buffer();
    Lib0Buf.writeVarString(buf, "héllo");
    Lib0Encoder lib0 = new Lib0Encoder();
    lib0.writeVarString("héllo");
    assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(lib0.toByteArray());
    assertThat(Lib0Buf.varStringSize("héllo")).isEqualTo(buf.readableBytes());
    buf.release();
  }

  @Test
  void readVarString_readsWhatLib0Wrote_andChecksTheLengthFirst() {
    Lib0Encoder lib0 = new Lib0Encoder();
    lib0.writeVarString("Grüße 📄");
    lib0.writeVarUint(7);
    ByteBuf buf = Unpooled.wrappedBuffer(lib0.toByteArray());
    assertThat(Lib0Buf.readVarString(buf)).isEqualTo("Grüße 📄");
    assertThat(Lib0Buf.readVarUint(buf)).isEqualTo(7);
    ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {9, 'a'});
    assertThatThrownBy(() -> Lib0Buf.readVarString(truncated)).isInstanceOf(ProtocolException.class)
        .hasMessage("malformed message: string length 9 exceeds the 1 bytes left at offset 0");
  }

  @Test
  void readVarString_refusesMalformedUtf8_asLib0Does_andKeepsARealReplacementCharacter() {
    // lib0's TextDecoder is fatal: a Hocuspocus document name with a lone surrogate (ED A0 80) or a stray byte
    // is refused by the Node server, not read as U+FFFD.
    for (byte[] bad : new byte[][] {{2, 'a', (byte) 0xFF}, {4, 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {3, (byte) 0xC0, (byte) 0x80, 'a'}, {2, 'a', (byte) 0xC3}}) {
      assertThatThrownBy(() -> Lib0Buf.readVarString(Unpooled.wrappedBuffer(bad))).isInstanceOf(ProtocolException.class)
          .hasMessageContaining("not well-formed UTF-8");
    }
    Lib0Encoder lib0 = new Lib0Encoder();
    lib0.writeVarString("\uFEFFa\uFFFD");
    assertThat(Lib0Buf.readVarString(Unpooled.wrappedBuffer(lib0.toByteArray()))).isEqualTo("\uFEFFa\uFFFD");
  }
}
