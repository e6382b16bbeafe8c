package ai.candlefish.collab.core;

import java.util.Arrays;

/** One client's structs, sorted by clock without gaps; a clock is found by binary search. */
final class StructList {
  AbstractStruct[] structs = new AbstractStruct[8];
  int size;

  AbstractStruct get(int i) {
    return structs[i];
  }

  AbstractStruct last() {
    return structs[size - 1];
  }

  int state() {
    AbstractStruct last = structs[size - 1];
    return last.clock + last.length;
  }

  void add(AbstractStruct s) {
    if (size == structs.length) {
      structs = Arrays.copyOf(structs, size + (size >> 1) + 8);
    }
    structs[size++] = s;
  }

  void insert(int index, AbstractStruct s) {
    if (size == structs.length) {
      structs = Arrays.copyOf(structs, size + (size >> 1) + 8);
    }
    System.arraycopy(structs, index, structs, index + 1, size - index);
    structs[index] = s;
    size++;
  }

  void set(int index, AbstractStruct s) {
    structs[index] = s;
  }

  /** Removes {@code count} structs starting at {@code from}. */
  void remove(int from, int count) {
    System.arraycopy(structs, from + count, structs, from, size - from - count);
    Arrays.fill(structs, size - count, size, null);
    size -= count;
  }

  /**
   * Like {@link #findIndex}, for a clock among the last few structs (what a small transaction appended): walks
   * back from the end instead of searching the whole list.
   */
  int findIndexNearEnd(int clock) {
    for (int i = size - 1, stop = Math.max(0, size - 8); i >= stop; i--) {
      AbstractStruct s = structs[i];
      if (s.clock <= clock) {
        return clock < s.clock + s.length ? i : -1;
      }
    }
    return findIndex(clock);
  }

  /**
   * Where the last search ended. Integrating a received item looks up the struct ending at its origin and then the
   * one starting at its right origin, most often the next struct: that one is tried before searching again. Only
   * a hint (checked against the clocks): structs inserted or removed since may have moved it.
   */
  private int lastFound;

  /** The index of the struct that contains {@code clock}, or -1 if no struct does. */
  int findIndex(int clock) {
    int hint = lastFound;
    if (hint < size) {
      AbstractStruct s = structs[hint];
      if (s.clock <= clock) {
        if (clock < s.clock + s.length) {
          return hint;
        }
        if (++hint < size && (s = structs[hint]).clock <= clock && clock < s.clock + s.length) {
          lastFound = hint;
          return hint;
        }
      }
    }
    int found = search(clock);
    if (found >= 0) {
      lastFound = found;
    }
    return found;
  }

  private int search(int clock) {
    int left = 0;
    int right = size - 1;
    AbstractStruct mid = structs[right];
    if (mid.clock == clock) {
      return right;
    }
    // Pivot on the clock: clocks are dense, so the first guess is often right.
    int midIndex = (int) ((long) clock * right / Math.max(1, mid.clock + mid.length - 1));
    if (midIndex < 0 || midIndex > right) {
      midIndex = (left + right) >>> 1;
    }
    while (left <= right) {
      mid = structs[midIndex];
      int midClock = mid.clock;
      if (midClock <= clock) {
        if (clock < midClock + mid.length) {
          return midIndex;
        }
        left = midIndex + 1;
      } else {
        right = midIndex - 1;
      }
      midIndex = (left + right) >>> 1;
    }
    return -1;
  }
}
