package ai.candlefish.collab.core.internal.codec;

/**
 * lib0's column encoders ({@code RleEncoder}, {@code UintOptRleEncoder}, {@code IntDiffOptRleEncoder},
 * {@code StringEncoder} in {@code encoding.js}), which Yjs's update format v2 writes each field kind with: the same
 * bytes as lib0 for the same values. Not thread-safe.
 *
 * <p>The "non-standard" counts are lib0's: a run of {@code n} equal values stores {@code n - 1} (byte runs) or
 * {@code n - 2} (the optional-RLE encoders, where a single value has no count at all and the sign bit of the value,
 * even of a zero, says that a count follows).
 */
public final class RleEncoders {
  private RleEncoders() {}

  /** Bytes, each run as the byte and then (unless it is the last run) its length minus one. */
  public static final class ByteRle {
    private final Lib0Encoder out = new Lib0Encoder(16);
    private int s = -1;
    private long count;

    public void write(int v) {
      if (s == v) {
        count++;
      } else {
        if (count > 0) {
          out.writeVarUint(count - 1);
        }
        count = 1;
        out.writeUint8(v);
        s = v;
      }
    }

    /** The bytes written; the last run has no count (lib0 never flushes it: the decoder repeats it forever). */
    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }

  /** Unsigned integers: a single value as itself, a run as its negation and then the run length minus two. */
  public static final class UintOptRle {
    private final Lib0Encoder out = new Lib0Encoder(16);
    private long s;
    private long count;

    public void write(long v) {
      if (s == v) {
        count++;
      } else {
        flush();
        count = 1;
        s = v;
      }
    }

    private void flush() {
      if (count > 0) {
        out.writeVarInt(s, count > 1);
        if (count > 1) {
          out.writeVarUint(count - 2);
        }
      }
    }

    /** The bytes, once: flushes the last run (lib0's {@code toUint8Array}). */
    public byte[] toByteArray() {
      flush();
      count = 0;
      return out.toByteArray();
    }
  }

  /** Integers as differences from the previous one, runs of equal differences counted (the low bit flags a count). */
  public static final class IntDiffOptRle {
    private final Lib0Encoder out = new Lib0Encoder(16);
    private long s;
    private long count;
    private long diff;

    public void write(long v) {
      if (diff == v - s) {
        s = v;
        count++;
      } else {
        flush();
        count = 1;
        diff = v - s;
        s = v;
      }
    }

    private void flush() {
      if (count > 0) {
        out.writeVarInt(diff * 2 + (count == 1 ? 0 : 1));
        if (count > 1) {
          out.writeVarUint(count - 2);
        }
      }
    }

    /** The bytes, once: flushes the last run. */
    public byte[] toByteArray() {
      flush();
      count = 0;
      return out.toByteArray();
    }
  }

  /**
   * Strings: all of them concatenated into one UTF-8 string, then their lengths in UTF-16 code units as a
   * {@link UintOptRle}. (Concatenating first matters for lone surrogates: two halves of a pair that end and start
   * adjacent strings are written as one character, exactly as lib0 does.)
   */
  public static final class Strings {
    private final StringBuilder chars = new StringBuilder();
    private final UintOptRle lengths = new UintOptRle();

    /** Writes the chars of {@code s} from {@code from} on, as one string. */
    public void write(CharSequence s, int from) {
      chars.append(s, from, s.length());
      lengths.write(s.length() - from);
    }

    public byte[] toByteArray() {
      Lib0Encoder out = new Lib0Encoder(chars.length() + 16);
      out.writeVarString(chars, 0);
      out.writeUint8Array(lengths.toByteArray());
      return out.toByteArray();
    }
  }
}
