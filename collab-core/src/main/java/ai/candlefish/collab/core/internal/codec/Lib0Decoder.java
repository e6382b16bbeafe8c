package ai.candlefish.collab.core.internal.codec;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Undefined;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads lib0's binary encoding. Every length is checked against the bytes that remain before anything is
 * allocated, varints beyond 2^53 - 1 or longer than {@value #MAX_VARINT_BYTES} bytes are rejected (see
 * {@link #readVarUint}), and nesting is bounded, so hostile input ends in a
 * {@link DecodingException} (with the offset) and never in an {@code OutOfMemoryError} or
 * {@code StackOverflowError}. Not thread-safe.
 *
 * <p>{@code any} values map to Java as: undefined → {@link Undefined#INSTANCE}, null → null, integers that fit
 * → {@code Integer} (else {@code Long}), floats → {@code Double} (a negative zero too), bigint →
 * {@code BigInteger}, booleans, strings, Uint8Array → {@code byte[]}, arrays → unmodifiable {@code List},
 * objects → unmodifiable {@code Map} with keys in JavaScript's order, without a key {@code "__proto__"} (lib0's
 * {@code obj[key] = value} makes it the object's prototype, or drops it: not an entry that JSON or a re-encoding
 * would show).
 */
public final class Lib0Decoder {
  /**
   * The deepest nesting of lists and maps in one value: deeper than any real document's values, and shallow enough
   * that every recursive walk of a value (decoding, encoding, JSON, {@code equals}) fits in a 256 KiB thread stack ({@code -Xss256k}).
   * The same limit applies to values set locally and to JSON; beyond it a value is refused, never half-walked.
   */
  public static final int MAX_DEPTH = 128;

  /**
   * The longest varint read, continuation bytes included. lib0 takes any number of groups, also groups of zeros
   * after the value (an over-long form, which no encoder writes): its number stays exact up to 147 bytes, and from
   * the 148th its multiplier is Infinity, so it reads NaN or Infinity, which Yjs then uses as a client, clock or
   * length. Up to this length ours reads what lib0 reads; past it, ours refuses.
   */
  public static final int MAX_VARINT_BYTES = 147;

  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  /**
   * Every string of one ASCII char, shared: most strings in updates are one keystroke, and decoding each into a new
   * {@code String} and array cost two objects per received character, kept in the document until merged.
   */
  private static final String[] ONE_ASCII_CHAR = new String[128];

  static {
    for (int c = 0; c < ONE_ASCII_CHAR.length; c++) {
      ONE_ASCII_CHAR[c] = String.valueOf((char) c);
    }
  }

  private final byte[] buf;
  private final int end;
  private int pos;

  public Lib0Decoder(byte[] buf) {
    this(buf, 0, buf.length);
  }

  public Lib0Decoder(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") is outside the array");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  /** The position of the next byte to read. */
  public int offset() {
    return pos;
  }

  /**
   * A decoder of the next {@code length} bytes, which this one then skips (offsets stay those of the whole input).
   *
   * @throws DecodingException if fewer bytes remain
   */
  public Lib0Decoder slice(int length) {
    if (length < 0 || length > remaining()) {
      throw eob(length + " bytes");
    }
    Lib0Decoder d = new Lib0Decoder(buf, pos, length);
    pos += length;
    return d;
  }

  public boolean hasContent() {
    return pos < end;
  }

  public int remaining() {
    return end - pos;
  }

  private DecodingException eob(String what) {
    return new DecodingException("unexpected end of buffer reading " + what, pos);
  }

  public int readUint8() {
    if (pos >= end) {
      throw eob("a byte");
    }
    return buf[pos++] & 0xFF;
  }

  public long readVarUint() {
    int start = pos;
    long num = 0;
    for (int shift = 0; ; shift += 7) {
      int r = varintByte(start, "varUint");
      num = addGroup(num, r & 0x7F, shift, start, "varUint");
      if (r < 0x80) {
        return num;
      }
    }
  }

  /** The next byte of the varint that started at {@code start}, refused past {@link #MAX_VARINT_BYTES}. */
  private int varintByte(int start, String what) {
    if (pos >= end) {
      throw eob(what);
    }
    if (pos - start >= MAX_VARINT_BYTES) {
      throw new DecodingException(what + " longer than " + MAX_VARINT_BYTES + " bytes", start);
    }
    return buf[pos++] & 0xFF;
  }

  /**
   * {@code num} with the group {@code bits} at {@code shift} added; refused past 2^53 - 1, where lib0 fails or (on
   * a varint's last byte) reads a number that is no longer exact.
   */
  private static long addGroup(long num, int bits, int shift, int start, String what) {
    if (bits == 0) {
      return num;
    }
    if (shift > 52 || (num += (long) bits << shift) > MAX_SAFE_INTEGER) {
      throw new DecodingException(what + " larger than 2^53 - 1", start);
    }
    return num;
  }

  /** A varUint used as a length, count or clock: must fit in an {@code int}. */
  public int readVarUintAsInt() {
    int start = pos;
    long v = readVarUint();
    if (v > Integer.MAX_VALUE) {
      throw new DecodingException("value " + v + " is too large for a length or clock", start);
    }
    return (int) v;
  }

  public long readVarInt() {
    int start = pos;
    int r = varintByte(start, "varInt");
    long num = r & 0x3F;
    boolean negative = (r & 0x40) != 0;
    for (int shift = 6; (r & 0x80) != 0; shift += 7) {
      r = varintByte(start, "varInt");
      num = addGroup(num, r & 0x7F, shift, start, "varInt");
    }
    lastVarIntNegativeZero = negative && num == 0;
    return negative ? -num : num;
  }

  private boolean lastVarIntNegativeZero;

  /** Whether the last {@link #readVarInt()} read a negative zero (it returned 0). */
  public boolean lastVarIntWasNegativeZero() {
    return lastVarIntNegativeZero;
  }

  /** A string of the one char {@code c}: shared for ASCII (see {@link #ONE_ASCII_CHAR}). */
  static String oneChar(char c) {
    return c < ONE_ASCII_CHAR.length ? ONE_ASCII_CHAR[c] : String.valueOf(c);
  }

  /** See {@link #lastStringWasAscii}. */
  private boolean lastStringAscii;

  /**
   * A UTF-8 string with its byte length in front. Malformed UTF-8 is refused, as lib0 refuses it (its
   * {@code TextDecoder} is fatal, so Yjs rejects the whole update); a byte-order mark stays in the string.
   */
  public String readVarString() {
    int start = pos;
    int n = readVarUintAsInt();
    if (n > remaining()) {
      throw new DecodingException("string claims " + n + " bytes but only " + remaining() + " remain", start);
    }
    if (n == 1 && buf[pos] >= 0) {
      lastStringAscii = true;
      return ONE_ASCII_CHAR[buf[pos++]];
    }
    // The JDK's decoder copies ASCII at once (a vectorized check), so no scan of our own first. It writes U+FFFD
    // for malformed input, so only a string with U+FFFD in it (rare) needs the strict check.
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    if (s.indexOf('\uFFFD') >= 0 && !isWellFormedUtf8(ByteBuffer.wrap(buf, pos, n))) {
      throw new DecodingException("string is not well-formed UTF-8", start);
    }
    pos += n;
    // Well-formed UTF-8 gives as many UTF-16 units as bytes only if every byte is a char of its own (ASCII): a
    // sequence of two, three or four bytes gives one or two units.
    lastStringAscii = s.length() == n;
    return s;
  }

  /**
   * Whether the last {@link #readVarString()} read only ASCII chars, so that its bytes are its chars: an encoder
   * may then write them with {@link Lib0Encoder#writeAsciiString} instead of encoding the string again.
   */
  public boolean lastStringWasAscii() {
    return lastStringAscii;
  }

  /** Whether {@code bytes} (consumed) are well-formed UTF-8: no overlong forms, surrogates or truncated sequences. */
  public static boolean isWellFormedUtf8(ByteBuffer bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(bytes); // reports malformed input: the default action
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Skips a varString or varUint8Array (a byte length, then the bytes) without decoding or copying it.
   *
   * @return the string's length in UTF-16 units if its bytes are well-formed UTF-8 (a four-byte sequence is a
   *     surrogate pair); not checked
   * @throws DecodingException if fewer bytes remain than it claims
   */
  public int skipVarString() {
    int start = pos;
    int n = readVarUintAsInt();
    if (n > remaining()) {
      throw new DecodingException("string claims " + n + " bytes but only " + remaining() + " remain", start);
    }
    int units = 0;
    for (int i = pos, stop = pos + n; i < stop; i++) {
      int b = buf[i] & 0xFF;
      if ((b & 0xC0) != 0x80) { // not a continuation byte: a char starts here
        units += (b & 0xF8) == 0xF0 ? 2 : 1;
      }
    }
    pos += n;
    return units;
  }

  /**
   * Skips a value in lib0's {@code any} format without building it: the structure is checked as {@link #readAny()}
   * checks it (tags, lengths, nesting), strings are not decoded.
   *
   * @return the value's tag (127 undefined, 126 null, ...)
   * @throws DecodingException where {@link #readAny()} would throw, except for malformed UTF-8
   */
  public int skipAny() {
    return skipAny(0);
  }

  private int skipAny(int depth) {
    int start = pos;
    if (depth > MAX_DEPTH) {
      throw new DecodingException("value nested deeper than " + MAX_DEPTH + " levels", start);
    }
    int tag = readUint8();
    switch (tag) {
      case 127, 126, 121, 120 -> { }
      case 125 -> readVarInt();
      case 124 -> readFloat32();
      case 123 -> readFloat64();
      case 122 -> readBigInt64();
      case 119, 116 -> skipVarString();
      case 118 -> {
        int n = readVarUintAsInt();
        if (n > remaining() / 2) {
          throw new DecodingException("object claims " + n + " entries but only " + remaining() + " bytes remain",
              start);
        }
        for (int i = 0; i < n; i++) {
          skipVarString();
          skipAny(depth + 1);
        }
      }
      case 117 -> {
        int n = readVarUintAsInt();
        if (n > remaining()) {
          throw new DecodingException("array claims " + n + " elements but only " + remaining() + " bytes remain",
              start);
        }
        for (int i = 0; i < n; i++) {
          skipAny(depth + 1);
        }
      }
      default -> throw new DecodingException("unknown any type tag " + tag, start);
    }
    return tag;
  }

  public byte[] readVarUint8Array() {
    int start = pos;
    int n = readVarUintAsInt();
    if (n > remaining()) {
      throw new DecodingException("byte array claims " + n + " bytes but only " + remaining() + " remain", start);
    }
    return readUint8Array(n);
  }

  public byte[] readUint8Array(int len) {
    if (len < 0 || len > remaining()) {
      throw eob(len + " bytes");
    }
    byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
    pos += len;
    return out;
  }

  private long readBigEndian(int bytes, String what) {
    if (remaining() < bytes) {
      throw eob(what);
    }
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  public float readFloat32() {
    return Float.intBitsToFloat((int) readBigEndian(4, "float32"));
  }

  public double readFloat64() {
    return Double.longBitsToDouble(readBigEndian(8, "float64"));
  }

  public long readBigInt64() {
    return readBigEndian(8, "bigint64");
  }

  /** What {@link #readAnyInt()} returns when the next value is not an {@code Integer}. */
  public static final long NOT_AN_INT = Long.MIN_VALUE;

  /**
   * The next {@code any} without a box, if {@link #readAny()} would return it as an {@code Integer} (a varint within
   * 32 bits, not -0); otherwise reads nothing and returns {@link #NOT_AN_INT}.
   *
   * @throws DecodingException where {@link #readAny()} would throw
   */
  public long readAnyInt() {
    if (pos >= end || buf[pos] != 125) {
      return NOT_AN_INT;
    }
    int start = pos++;
    long v = readVarInt();
    if (lastVarIntNegativeZero || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      pos = start;
      return NOT_AN_INT;
    }
    return v;
  }

  /** A value in lib0's {@code any} format; see the class comment for the Java types. */
  public Object readAny() {
    return readAny(0);
  }

  private Object readAny(int depth) {
    int start = pos;
    if (depth > MAX_DEPTH) {
      throw new DecodingException("value nested deeper than " + MAX_DEPTH + " levels", start);
    }
    int tag = readUint8();
    switch (tag) {
      case 127:
        return Undefined.INSTANCE;
      case 126:
        return null;
      case 125: {
        long v = readVarInt();
        if (lastVarIntNegativeZero) {
          return -0.0d;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
      }
      case 124:
        return (double) readFloat32();
      case 123:
        return readFloat64();
      case 122:
        return BigInteger.valueOf(readBigInt64());
      case 121:
        return Boolean.FALSE;
      case 120:
        return Boolean.TRUE;
      case 119:
        return readVarString();
      case 118: {
        int n = readVarUintAsInt();
        // Each entry takes at least two bytes (an empty key and a one-byte value).
        if (n > remaining() / 2) {
          throw new DecodingException("object claims " + n + " entries but only " + remaining() + " bytes remain",
              start);
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        boolean indexKeys = false;
        for (int i = 0; i < n; i++) {
          String key = readVarString();
          Object value = readAny(depth + 1);
          if (key.equals(JsObjects.PROTO)) {
            continue; // lib0 assigns obj[key]: "__proto__" sets the prototype (or nothing), never an own entry
          }
          indexKeys |= JsObjects.isArrayIndex(key);
          entries.put(key, value);
        }
        // Only keys that are array indices move (JavaScript lists them first); otherwise the order read is the order.
        return indexKeys ? JsObjects.ordered(entries) : Collections.unmodifiableMap(entries);
      }
      case 117: {
        int n = readVarUintAsInt();
        if (n > remaining()) {
          throw new DecodingException("array claims " + n + " elements but only " + remaining() + " bytes remain",
              start);
        }
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(readAny(depth + 1));
        }
        return Collections.unmodifiableList(list);
      }
      case 116:
        return readVarUint8Array();
      default:
        throw new DecodingException("unknown any type tag " + tag, start);
    }
  }
}
