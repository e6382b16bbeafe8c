package ai.candlefish.collab.server.codec;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.internal.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * lib0's variable-length encoding on {@code ByteBuf}s, as y-protocols frames its messages: unsigned integers in
 * 7-bit groups, least significant first, the high bit marking "more follows"; byte arrays and strings prefixed with
 * their length as such an integer.
 *
 * <p>Reading checks every length against what is left before allocating, and answers bad input with a
 * {@link ProtocolException} (close code 1002) naming the offset. Stateless.
 */
public final class Lib0Buf {
  private Lib0Buf() {}

  /** lib0 numbers are JavaScript numbers: at most 53 bits. */
  private static final int MAX_VAR_UINT_BITS = 53;

  /**
   * Reads an unsigned varint.
   *
   * @throws ProtocolException if the input ends inside the number or the number exceeds 53 bits
   */
  public static long readVarUint(ByteBuf in) {
    int start = in.readerIndex();
    long value = 0;
    for (int shift = 0; shift < MAX_VAR_UINT_BITS + 7; shift += 7) {
      if (!in.isReadable()) {
        throw malformed("truncated number", start);
      }
      int b = in.readUnsignedByte();
      value |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        if (value >>> MAX_VAR_UINT_BITS != 0) {
          break;
        }
        return value;
      }
    }
    throw malformed("number too large", start);
  }

  /**
   * Reads a length-prefixed byte array, checking the length against the bytes left first.
   *
   * @throws ProtocolException if the length is malformed or larger than what is left
   */
  public static byte[] readVarUint8Array(ByteBuf in) {
    int start = in.readerIndex();
    long length = readVarUint(in);
    if (length > in.readableBytes()) {
      throw malformed("length " + length + " exceeds the " + in.readableBytes() + " bytes left", start);
    }
    byte[] out = new byte[(int) length];
    in.readBytes(out);
    return out;
  }

  /**
   * Reads a length-prefixed UTF-8 string; malformed UTF-8 is refused, as lib0's fatal {@code TextDecoder} refuses it.
   *
   * @throws ProtocolException if the length is malformed or larger than what is left, or the UTF-8 malformed
   */
  public static String readVarString(ByteBuf in) {
    int start = in.readerIndex();
    long length = readVarUint(in);
    if (length > in.readableBytes()) {
      throw malformed("string length " + length + " exceeds the " + in.readableBytes() + " bytes left", start);
    }
    String s = in.toString(in.readerIndex(), (int) length, StandardCharsets.UTF_8);
    // The JDK's decoding wrote U+FFFD for malformed input: only then (or for a real U+FFFD) the strict check.
    if (s.indexOf('\uFFFD') >= 0 && !Lib0Decoder.isWellFormedUtf8(in.nioBuffer(in.readerIndex(), (int) length))) {
      throw malformed("string is not well-formed UTF-8", start);
    }
    in.skipBytes((int) length);
    return s;
  }

  /**
   * A buffer from {@code alloc} for exactly {@code size} bytes after {@code headroom} free ones, its reader and
   * writer index at {@code headroom}: what an encoder fills when the caller prepends a frame header.
   */
  public static ByteBuf allocate(ByteBufAllocator alloc, int headroom, int size) {
    ByteBuf buf = alloc.buffer(headroom + size, headroom + size);
    return buf.setIndex(headroom, headroom);
  }

  /** How many bytes {@link #writeVarUint} writes for {@code value}. */
  public static int varUintSize(long value) {
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /** Writes an unsigned varint ({@code value} must not be negative). */
  public static void writeVarUint(ByteBuf out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  /** Writes a length-prefixed byte array. */
  public static void writeVarUint8Array(ByteBuf out, byte[] bytes) {
    writeVarUint(out, bytes.length);
    out.writeBytes(bytes);
  }

  /** The size of {@code s} written by {@link #writeVarString}. */
  public static int varStringSize(String s) {
    int length = ByteBufUtil.utf8Bytes(s);
    return varUintSize(length) + length;
  }

  /** Writes a length-prefixed UTF-8 string. */
  public static void writeVarString(ByteBuf out, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeVarUint8Array(out, utf8);
  }

  private static ProtocolException malformed(String what, int offset) {
    return new ProtocolException(CloseCodes.PROTOCOL_ERROR, "malformed message: " + what + " at offset " + offset);
  }
}
