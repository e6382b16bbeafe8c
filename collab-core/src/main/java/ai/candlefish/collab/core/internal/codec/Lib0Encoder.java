package ai.candlefish.collab.core.internal.codec;

import ai.candlefish.collab.core.Undefined;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes lib0's binary encoding into a growable array: exactly the bytes that lib0's {@code encoding.js}
 * produces for the same values. Not thread-safe.
 */
public final class Lib0Encoder {
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  private static final int BITS31 = 0x7FFFFFFF;

  private byte[] buf;
  private int pos;

  public Lib0Encoder() {
    this(64);
  }

  public Lib0Encoder(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length << 1, pos + n));
    }
  }

  public void writeUint8(int b) {
    if (pos == buf.length) {
      ensure(1);
    }
    buf[pos++] = (byte) b;
  }

  /** An unsigned varint, 7 bits per byte, least significant first. */
  public void writeVarUint(long v) {
    if (v < 0 || v > MAX_SAFE_INTEGER) {
      throw new IllegalArgumentException("varUint must be in [0, 2^53 - 1] but was " + v);
    }
    if (v < 0x80 && pos < buf.length) {
      buf[pos++] = (byte) v;
      return;
    }
    ensure(8);
    while (v > 0x7F) {
      buf[pos++] = (byte) (0x80 | (v & 0x7F));
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** A signed varint: the first byte holds a continue bit, a sign bit and 6 bits of magnitude. */
  public void writeVarInt(long v) {
    if (Math.abs(v) > MAX_SAFE_INTEGER) {
      throw new IllegalArgumentException("varInt must be within ±(2^53 - 1) but was " + v);
    }
    writeVarIntMagnitude(Math.abs(v), v < 0);
  }

  /**
   * A signed varint given as magnitude and sign, so that a negative zero can be written (lib0 writes {@code -0}
   * with the sign bit set, and its run-length encoders use that bit as a flag).
   */
  public void writeVarInt(long magnitude, boolean negative) {
    if (magnitude < 0 || magnitude > MAX_SAFE_INTEGER) {
      throw new IllegalArgumentException("varInt magnitude must be in [0, 2^53 - 1] but was " + magnitude);
    }
    writeVarIntMagnitude(magnitude, negative);
  }

  private void writeVarIntMagnitude(long num, boolean negative) {
    ensure(9);
    buf[pos++] = (byte) ((num > 0x3F ? 0x80 : 0) | (negative ? 0x40 : 0) | (num & 0x3F));
    num >>>= 6;
    while (num > 0) {
      buf[pos++] = (byte) ((num > 0x7F ? 0x80 : 0) | (num & 0x7F));
      num >>>= 7;
    }
  }

  /**
   * A UTF-8 string with its byte length in front. A lone surrogate is written as U+FFFD, as JavaScript's
   * {@code TextEncoder} does.
   */
  public void writeVarString(String s) {
    writeVarString(s, 0);
  }

  /**
   * The chars of {@code s} from {@code from} on, as {@link #writeVarString(String)} writes them (text kept in a
   * {@code StringBuilder} is written without copying it into a {@code String} first).
   */
  public void writeVarString(CharSequence s, int from) {
    int n = s.length();
    // Fast path: ASCII needs no conversion and its byte length is its char length.
    if (n - from < 0x80) {
      ensure(n - from + 1);
      int start = pos;
      buf[pos++] = (byte) (n - from);
      for (int i = from; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          pos = start;
          writeVarStringSlow(s, from);
          return;
        }
        buf[pos++] = (byte) c;
      }
      return;
    }
    // A long string is most often ASCII: the JDK's encoder copies that at once.
    String str = s instanceof String plain ? (from == 0 ? plain : plain.substring(from))
        : s instanceof StringBuilder sb ? sb.substring(from) : s.subSequence(from, n).toString();
    byte[] utf8 = str.getBytes(StandardCharsets.UTF_8);
    if (isAscii(str, utf8)) {
      writeVarUint(utf8.length);
      writeUint8Array(utf8, 0, utf8.length);
      return;
    }
    writeVarStringSlow(s, from);
  }

  /**
   * The chars of {@code s} from {@code from} on, which the caller knows to be ASCII ({@link
   * Lib0Decoder#lastStringWasAscii}), as {@link #writeVarString} writes them: their UTF-8 is each char's byte, one
   * bulk copy. Encoding a long string, checking it for ASCII and copying it twice on the way ({@code getBytes}, the
   * Latin-1 comparison) was a quarter of crdt-benchmarks B2.1, which encodes two 6,000-char texts twice each.
   */
  @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps each char's low byte: exact for ASCII
  public void writeAsciiString(String s, int from) {
    int n = s.length() - from;
    writeVarUint(n);
    ensure(n);
    s.getBytes(from, s.length(), buf, pos);
    pos += n;
  }

  /**
   * Whether {@code utf8}, the JDK's encoding of {@code s}, is plain ASCII, and so lib0's bytes too: one byte per
   * char, and no '?' that the JDK wrote for a lone surrogate (lib0 writes U+FFFD). With one byte per char, every
   * char is ASCII or a lone surrogate, so the bytes read back as Latin-1 give {@code s} exactly when there is no
   * surrogate: a comparison the JDK vectorizes (a loop over the bytes looking for '?' was a fifth of inserting
   * and sending a 6,000-char string).
   */
  private static boolean isAscii(String s, byte[] utf8) {
    return utf8.length == s.length() && new String(utf8, StandardCharsets.ISO_8859_1).equals(s);
  }

  private void writeVarStringSlow(CharSequence s, int from) {
    int n = s.length();
    int utf8Length = 0;
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        utf8Length++;
      } else if (c < 0x800) {
        utf8Length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        utf8Length += 4;
        i++;
      } else {
        utf8Length += 3; // includes a lone surrogate, written as U+FFFD
      }
    }
    writeVarUint(utf8Length);
    ensure(utf8Length);
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[pos++] = (byte) c;
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xC0 | (c >> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          buf[pos++] = (byte) (0xF0 | (cp >> 18));
          buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          buf[pos++] = (byte) 0xEF;
          buf[pos++] = (byte) 0xBF;
          buf[pos++] = (byte) 0xBD;
        }
      } else {
        buf[pos++] = (byte) (0xE0 | (c >> 12));
        buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
  }

  /** A byte array with its length in front. */
  public void writeVarUint8Array(byte[] b) {
    writeVarUint(b.length);
    writeUint8Array(b, 0, b.length);
  }

  /** Raw bytes. */
  public void writeUint8Array(byte[] b) {
    writeUint8Array(b, 0, b.length);
  }

  public void writeUint8Array(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  public void writeFloat32(float f) {
    writeBigEndian(Float.floatToIntBits(f) & 0xFFFFFFFFL, 4);
  }

  public void writeFloat64(double d) {
    writeBigEndian(Double.doubleToLongBits(d), 8);
  }

  public void writeBigInt64(long v) {
    writeBigEndian(v, 8);
  }

  private void writeBigEndian(long v, int bytes) {
    ensure(bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      buf[pos++] = (byte) (v >>> (i * 8));
    }
  }

  /**
   * A value in lib0's {@code any} format, encoded as lib0 encodes the JavaScript value it stands for (see
   * {@link Lib0Decoder#readAny()} for the mapping).
   *
   * @throws IllegalArgumentException for a value JavaScript cannot hold (a {@code Long} beyond 2^53: use
   *     {@code BigInteger}, which is written modulo 2^64 as JavaScript's BigInt64; any other class)
   */
  public void writeAny(Object v) {
    if (v == null) {
      writeUint8(126);
    } else if (v == Undefined.INSTANCE) {
      writeUint8(127);
    } else if (v instanceof String s) {
      writeUint8(119);
      writeVarString(s);
    } else if (v instanceof Boolean b) {
      writeUint8(b ? 120 : 121);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      writeNumber(((Number) v).intValue());
    } else if (v instanceof Long l) {
      if (Math.abs(l) > MAX_SAFE_INTEGER) {
        throw new IllegalArgumentException(l + " is beyond JavaScript's safe integers; use BigInteger for a bigint");
      }
      writeNumber(l);
    } else if (v instanceof Double || v instanceof Float) {
      writeNumber(((Number) v).doubleValue());
    } else if (v instanceof BigInteger b) {
      // Like JavaScript's BigInt64 conversion: wraps modulo 2^64.
      writeUint8(122);
      writeBigInt64(b.longValue());
    } else if (v instanceof byte[] bytes) {
      writeUint8(116);
      writeVarUint8Array(bytes);
    } else if (v instanceof List<?> list) {
      writeUint8(117);
      writeVarUint(list.size());
      for (Object o : list) {
        writeAny(o);
      }
    } else if (v instanceof Map<?, ?> map) {
      writeUint8(118);
      List<String> keys = JsObjects.orderedKeys(map);
      writeVarUint(keys.size());
      for (String key : keys) {
        writeVarString(key);
        writeAny(map.get(key));
      }
    } else {
      throw new IllegalArgumentException("cannot encode a " + v.getClass().getName() + " as lib0 any");
    }
  }

  /** {@link #writeAny} of an {@code Integer}, without the box. */
  public void writeAnyInt(int v) {
    writeNumber((long) v);
  }

  /** {@link #writeAny} of a {@code Double}, without the box. */
  public void writeAnyDouble(double d) {
    writeNumber(d);
  }

  /** A JavaScript number: a varint if integral within 31 bits, else float32 if exact, else float64. */
  private void writeNumber(double d) {
    if (d == Math.rint(d) && Math.abs(d) <= BITS31) {
      writeUint8(125);
      writeVarIntMagnitude((long) Math.abs(d), d < 0 || (d == 0 && Double.doubleToRawLongBits(d) != 0));
    } else if ((float) d == d) {
      writeUint8(124);
      writeFloat32((float) d);
    } else {
      writeUint8(123);
      writeFloat64(d);
    }
  }

  private void writeNumber(long l) {
    if (Math.abs(l) <= BITS31) {
      writeUint8(125);
      writeVarIntMagnitude(Math.abs(l), l < 0);
    } else {
      writeNumber((double) l);
    }
  }

  /** Bytes written so far. */
  public int length() {
    return pos;
  }

  /** A copy of the bytes written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  /** Forgets what was written, keeping the buffer. */
  public void reset() {
    pos = 0;
  }
}
