package ai.candlefish.collab.core;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unmodifiable list of {@code Integer}s kept as an {@code int[]}: what {@link YArray#toList()} and
 * {@link YArray#toJson()} hand out for an array whose every element is an integer (see {@link ContentValues}, which
 * stores such runs as {@code int[]}). Yjs hands out the numbers of its arrays as they are stored (V8 keeps a small
 * integer in the array slot); boxing 6,000 numbers into a list on every read cost more than the rest of reading
 * them. Elements are boxed on {@link #get}; {@link #equals} compares with another list element by element without
 * boxing, and with another {@code IntValues} as two arrays. A list like any other {@code List} of those
 * {@code Integer}s otherwise: {@code equals} and {@code hashCode} follow {@link List}'s contract, mutators throw
 * {@link UnsupportedOperationException}. Immutable, so thread-safe.
 */
final class IntValues extends AbstractList<Object> implements RandomAccess {
  private final int[] values;

  /** Takes {@code values} as it is (the caller's own copy). */
  IntValues(int[] values) {
    this.values = values;
  }

  @Override
  public Object get(int index) {
    return values[index];
  }

  @Override
  public int size() {
    return values.length;
  }

  @Override
  public int indexOf(Object o) {
    if (o instanceof Integer i) {
      int v = i;
      for (int k = 0; k < values.length; k++) {
        if (values[k] == v) {
          return k;
        }
      }
    }
    return -1;
  }

  @Override
  public int lastIndexOf(Object o) {
    if (o instanceof Integer i) {
      int v = i;
      for (int k = values.length - 1; k >= 0; k--) {
        if (values[k] == v) {
          return k;
        }
      }
    }
    return -1;
  }

  @Override
  public boolean contains(Object o) {
    return indexOf(o) >= 0;
  }

  @Override
  public Object[] toArray() {
    Object[] out = new Object[values.length];
    for (int k = 0; k < values.length; k++) {
      out[k] = values[k];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (o instanceof IntValues other) {
      return Arrays.equals(values, other.values);
    }
    if (!(o instanceof List<?> other) || other.size() != values.length) {
      return false;
    }
    if (other instanceof RandomAccess) {
      for (int k = 0; k < values.length; k++) {
        if (!(other.get(k) instanceof Integer i) || i != values[k]) {
          return false;
        }
      }
      return true;
    }
    int k = 0;
    for (Object e : other) {
      if (k == values.length || !(e instanceof Integer i) || i != values[k++]) {
        return false;
      }
    }
    return k == values.length;
  }

  @Override
  public int hashCode() {
    // List's contract: 31 * h + e.hashCode(), and an Integer's hash code is its value.
    int h = 1;
    for (int v : values) {
      h = 31 * h + v;
    }
    return h;
  }
}
