package ai.candlefish.collab.core.internal.codec;

import ai.candlefish.collab.core.DecodingException;

/**
 * lib0's column decoders ({@code RleDecoder}, {@code UintOptRleDecoder}, {@code IntDiffOptRleDecoder},
 * {@code StringDecoder} in {@code decoding.js}), the counterparts of {@link RleEncoders}. Each reads a slice of the
 * input through its own {@link Lib0Decoder}, so errors carry offsets into the whole input. A run count only
 * repeats a value already read, so no count, however large, allocates anything; a column read past its end throws
 * {@link DecodingException}. Not thread-safe.
 */
public final class RleDecoders {
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private RleDecoders() {}

  /** Bytes in runs; the last run repeats forever, as in lib0. */
  public static final class ByteRle {
    private final Lib0Decoder in;
    private int s;
    private long count;

    public ByteRle(Lib0Decoder in) {
      this.in = in;
    }

    public int read() {
      if (count == 0) {
        s = in.readUint8();
        // The last run has no count: it goes on for ever (count stays negative).
        count = in.hasContent() ? in.readVarUint() + 1 : -1;
      }
      count--;
      return s;
    }
  }

  /** Unsigned integers written by {@link RleEncoders.UintOptRle}. */
  public static final class UintOptRle {
    private final Lib0Decoder in;
    private long s;
    private long count;

    public UintOptRle(Lib0Decoder in) {
      this.in = in;
    }

    /** The offset of the next value's bytes (for error messages). */
    public int offset() {
      return in.offset();
    }

    public long read() {
      if (count == 0) {
        long v = in.readVarInt();
        boolean run = v < 0 || in.lastVarIntWasNegativeZero();
        s = Math.abs(v);
        count = run ? in.readVarUint() + 2 : 1;
      }
      count--;
      return s;
    }
  }

  /** Integers written by {@link RleEncoders.IntDiffOptRle}; a sum beyond ±(2^53 - 1) is rejected, as lib0 can't hold it. */
  public static final class IntDiffOptRle {
    private final Lib0Decoder in;
    private long s;
    private long count;
    private long diff;

    public IntDiffOptRle(Lib0Decoder in) {
      this.in = in;
    }

    public long read() {
      if (count == 0) {
        long d = in.readVarInt();
        diff = Math.floorDiv(d, 2);
        count = (d & 1) != 0 ? in.readVarUint() + 2 : 1;
      }
      long next = s + diff;
      if (Math.abs(next) > MAX_SAFE_INTEGER) {
        throw new DecodingException("difference-encoded value leaves JavaScript's safe integers", in.offset());
      }
      s = next;
      count--;
      return s;
    }
  }

  /** Strings written by {@link RleEncoders.Strings}: slices of one string, by lengths in UTF-16 code units. */
  public static final class Strings {
    private final String chars;
    private final UintOptRle lengths;
    private int pos;

    public Strings(Lib0Decoder in) {
      chars = in.readVarString();
      lengths = new UintOptRle(in);
    }

    public String read() {
      int at = lengths.offset();
      long len = lengths.read();
      if (len > chars.length() - pos) {
        throw new DecodingException("string of " + len + " chars, but only " + (chars.length() - pos)
            + " chars remain in the string column", at);
      }
      String s = len == 1 ? Lib0Decoder.oneChar(chars.charAt(pos)) : chars.substring(pos, pos + (int) len);
      pos += (int) len;
      return s;
    }

    /** Chars not yet read: an upper bound on the strings of length at least one that can still be read. */
    public int remainingChars() {
      return chars.length() - pos;
    }
  }
}
