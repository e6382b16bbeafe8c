package ai.candlefish.collab.core;

import java.util.Arrays;
import java.util.List;

/**
 * A run of values that can be split and merged: the common part of {@link ContentAny} and {@link ContentJson}.
 *
 * <p>Arrays of numbers are the bulk content of many documents (coordinates, samples, ids), and a boxed number costs
 * a 16- or 24-byte object and a reference where V8 keeps a small integer in the array slot. So the values are kept in
 * the narrowest of three arrays that gives every one of them back exactly as it was stored:
 *
 * <ul>
 *   <li>{@code int[]} while every value is an {@code Integer};
 *   <li>{@code double[]} while every value is a number whose Java class follows from its value (see
 *       {@link #fitsDouble}): an {@code Integer} other than {@code Integer.MIN_VALUE}, or a {@code Double} that is not
 *       an integer of at most 31 bits and a sign (fractions, -0, NaN, infinities, integers beyond 2^31). That is how
 *       {@code Values} normalizes numbers on their way in, so every number a replica inserts fits;
 *   <li>{@code Object[]} otherwise.
 * </ul>
 *
 * <p>A run moves to a wider array when a value that does not fit joins it (a merge), never back. Which array holds the
 * values is invisible from outside: {@link #collect} returns the values as stored (same classes, same numbers), and
 * {@link ContentAny} writes the bytes lib0 writes for them. Not thread-safe (a document's contents are used by the
 * thread that holds the document).
 */
abstract class ContentValues extends Content {
  /** Spare room (in values) that {@link #splice} leaves in the left part rather than copying it once more. */
  private static final int SPARE_ROOM = 8;

  /** The values, in {@code [0, size)}: an {@code int[]}, {@code double[]} or {@code Object[]} (see the class). */
  private Object array;

  private int size;

  /** A run of {@code values} (already checked and normalized), in the narrowest array that holds them. */
  ContentValues(List<?> values) {
    int n = values.size();
    Object[] boxed = values.toArray();
    this.array = narrowest(boxed, n);
    this.size = n;
  }

  /** A run of the first {@code size} values of {@code array} (an {@code int[]}, {@code double[]}, {@code Object[]}). */
  ContentValues(Object array, int size) {
    this.array = array;
    this.size = size;
  }

  /** An estimate of the heap the values hold ({@link HeapWeight}): the array, and the values a boxed one points to. */
  long heapWeight() {
    if (array instanceof int[] ints) {
      return 16 + 4L * ints.length;
    }
    if (array instanceof double[] doubles) {
      return 16 + 8L * doubles.length;
    }
    Object[] boxed = (Object[]) array;
    long weight = 16 + 8L * boxed.length;
    for (int i = 0; i < size; i++) {
      weight += boxed[i] == null ? 0 : HeapWeight.ofValue(boxed[i]);
    }
    return weight;
  }

  /** A content of the same kind holding the first {@code size} values of {@code array}. */
  abstract ContentValues with(Object array, int size);

  /**
   * Whether a {@code double[]} gives {@code v} back exactly: an {@code Integer} (read back as one when the double is a
   * 32-bit integer, which {@code Integer.MIN_VALUE} is not) or a {@code Double} that would not be read back as an
   * {@code Integer}.
   */
  static boolean fitsDouble(Object v) {
    if (v instanceof Integer i) {
      return i != Integer.MIN_VALUE;
    }
    return v instanceof Double d && !readsAsInteger(d);
  }

  /** Whether a number in a {@code double[]} is read back as an {@code Integer} (as {@code Values} normalizes it). */
  private static boolean readsAsInteger(double d) {
    return d >= -Integer.MAX_VALUE && d <= Integer.MAX_VALUE && d == (int) d
        && Double.doubleToRawLongBits(d) != Long.MIN_VALUE; // -0 stays a Double
  }

  private static Object boxDouble(double d) {
    return readsAsInteger(d) ? (Object) (int) d : (Object) d;
  }

  /** The narrowest array holding {@code values[0, n)}, sized {@code values.length}; may be {@code values} itself. */
  static Object narrowest(Object[] values, int n) {
    boolean ints = true;
    boolean doubles = true;
    for (int i = 0; i < n && (ints || doubles); i++) {
      Object v = values[i];
      ints &= v instanceof Integer;
      doubles &= fitsDouble(v);
    }
    if (ints) {
      int[] out = new int[values.length];
      for (int i = 0; i < n; i++) {
        out[i] = (Integer) values[i];
      }
      return out;
    }
    if (doubles) {
      double[] out = new double[values.length];
      for (int i = 0; i < n; i++) {
        out[i] = ((Number) values[i]).doubleValue();
      }
      return out;
    }
    return values;
  }

  /** The value at {@code i}, boxed as it was stored. */
  final Object get(int i) {
    Object a = array;
    if (a instanceof int[] ints) {
      return ints[i];
    }
    if (a instanceof double[] doubles) {
      return boxDouble(doubles[i]);
    }
    return ((Object[]) a)[i];
  }

  /** The {@code int[]} holding the values, or null if they are not all {@code Integer}s. */
  final int[] ints() {
    return array instanceof int[] ints ? ints : null;
  }

  /** The {@code double[]} holding the values, or null if they are not in one. */
  final double[] doubles() {
    return array instanceof double[] doubles ? doubles : null;
  }

  @Override
  final int length() {
    return size;
  }

  @Override
  final boolean isCountable() {
    return true;
  }

  @Override
  final void collect(List<Object> out) {
    Object a = array;
    int n = size;
    if (a instanceof int[] ints) {
      for (int i = 0; i < n; i++) {
        out.add(ints[i]);
      }
    } else if (a instanceof double[] doubles) {
      for (int i = 0; i < n; i++) {
        out.add(boxDouble(doubles[i]));
      }
    } else {
      Object[] values = (Object[]) a;
      for (int i = 0; i < n; i++) {
        out.add(values[i]);
      }
    }
  }

  @Override
  final Content copy() {
    return with(copyOfRange(array, 0, size), size);
  }

  @Override
  final Content splice(int offset) {
    ContentValues right = with(copyOfRange(array, offset, size), size - offset);
    if (capacity(array) - offset > SPARE_ROOM) {
      array = copyOfRange(array, 0, offset);
    } else if (array instanceof Object[] values) {
      Arrays.fill(values, offset, size, null); // let go of the values that moved right
    }
    size = offset;
    return right;
  }

  @Override
  final boolean mergeWith(Content other) {
    ContentValues right = (ContentValues) other;
    int n = size + right.size;
    Object a = array;
    Object r = right.array;
    if (a.getClass() != r.getClass()) {
      // One int[] and one double[] join in a double[], unless Integer.MIN_VALUE is among the ints (see fitsDouble).
      if (a instanceof Object[] || r instanceof Object[] || hasMinValue(a, size) || hasMinValue(r, right.size)) {
        a = toObjects(a, size, capacity(a));
        r = toObjects(r, right.size, right.size);
      } else {
        a = toDoubles(a, size, capacity(a));
        r = toDoubles(r, right.size, right.size);
      }
    }
    // Grown by half: items appended one per transaction merge into their left neighbour one by one.
    int capacity = capacity(a);
    if (capacity < n) {
      a = copyOf(a, Math.max(n, capacity + (capacity >> 1)));
    }
    System.arraycopy(r, 0, a, size, right.size);
    array = a;
    size = n;
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeLen(size - offset);
    for (int i = offset; i < size; i++) {
      writeValue(encoder, get(i));
    }
  }

  /** Writes one value (after the length). */
  abstract void writeValue(UpdateEncoder encoder, Object value);

  private static int capacity(Object a) {
    if (a instanceof int[] ints) {
      return ints.length;
    }
    if (a instanceof double[] doubles) {
      return doubles.length;
    }
    return ((Object[]) a).length;
  }

  private static boolean hasMinValue(Object a, int n) {
    if (a instanceof int[] ints) {
      for (int i = 0; i < n; i++) {
        if (ints[i] == Integer.MIN_VALUE) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code a}'s first {@code n} values (numbers that fit, see {@link #fitsDouble}) in a {@code double[]}. */
  private static double[] toDoubles(Object a, int n, int capacity) {
    if (a instanceof double[] doubles) {
      return doubles;
    }
    int[] ints = (int[]) a;
    double[] out = new double[capacity];
    for (int i = 0; i < n; i++) {
      out[i] = ints[i];
    }
    return out;
  }

  private static Object[] toObjects(Object a, int n, int capacity) {
    if (a instanceof Object[] values) {
      return values;
    }
    Object[] out = new Object[capacity];
    if (a instanceof int[] ints) {
      for (int i = 0; i < n; i++) {
        out[i] = ints[i];
      }
    } else {
      double[] doubles = (double[]) a;
      for (int i = 0; i < n; i++) {
        out[i] = boxDouble(doubles[i]);
      }
    }
    return out;
  }

  private static Object copyOf(Object a, int length) {
    if (a instanceof int[] ints) {
      return Arrays.copyOf(ints, length);
    }
    if (a instanceof double[] doubles) {
      return Arrays.copyOf(doubles, length);
    }
    return Arrays.copyOf((Object[]) a, length);
  }

  private static Object copyOfRange(Object a, int from, int to) {
    if (a instanceof int[] ints) {
      return Arrays.copyOfRange(ints, from, to);
    }
    if (a instanceof double[] doubles) {
      return Arrays.copyOfRange(doubles, from, to);
    }
    return Arrays.copyOfRange((Object[]) a, from, to);
  }
}
