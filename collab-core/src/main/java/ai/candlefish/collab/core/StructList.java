package ai.candlefish.collab.core;

import java.util.Arrays;

/**
 * One client's structs, sorted by clock without gaps; a clock is found by binary search.
 *
 * <p>A list that is searched often gets the structs' start clocks beside them in an {@code int[]} ({@link #clocks}),
 * so that the search reads one small array instead of a struct per probe: in a list of thousands of structs most
 * probes were cache misses (a sixth of the CPU of crdt-benchmarks B2.4, async-profiler). A struct's clock never
 * changes once it is stored (an item is trimmed before it is added), and a struct ends where the next one starts, so
 * the array alone says which struct holds a clock. It costs four bytes per struct, so it is made only after
 * {@link #SEARCHES_BEFORE_CLOCKS} searches that did not hit the last found struct, and a transaction that wrote at
 * least half of the list's clocks drops it at its end ({@link #dropClocks}): a loaded document keeps none. A
 * document edited a few structs per transaction keeps it once made (cleanup's delete-set loops and the receiving
 * side's lookups search it in every transaction: 8-10 % of crdt-benchmarks B1.7's samples without it).
 */
final class StructList {
  /** Searches (not answered by {@link #lastFound}) of a list of at least this many structs before it gets clocks. */
  static final int SEARCHES_BEFORE_CLOCKS = 64;

  AbstractStruct[] structs = new AbstractStruct[4];
  int size;
  /** {@code clocks[i] == structs[i].clock} for every {@code i < size}; {@code null} while not worth keeping. */
  private int[] clocks;
  /** Searches since {@link #clocks} was last dropped. */
  private int searches;

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

  private void grow() {
    // A list starts small (most clients of a document write a few structs), then grows by half plus eight.
    int capacity = size < 8 ? 8 : size + (size >> 1) + 8;
    structs = Arrays.copyOf(structs, capacity);
    if (clocks != null) {
      clocks = Arrays.copyOf(clocks, capacity);
    }
  }

  void add(AbstractStruct s) {
    if (size == structs.length) {
      grow();
    }
    if (clocks != null) {
      clocks[size] = s.clock;
    }
    structs[size++] = s;
  }

  void insert(int index, AbstractStruct s) {
    if (size == structs.length) {
      grow();
    }
    System.arraycopy(structs, index, structs, index + 1, size - index);
    structs[index] = s;
    if (clocks != null) {
      System.arraycopy(clocks, index, clocks, index + 1, size - index);
      clocks[index] = s.clock;
    }
    size++;
  }

  void set(int index, AbstractStruct s) {
    structs[index] = s;
    if (clocks != null) {
      clocks[index] = s.clock;
    }
  }

  /** Removes {@code count} structs starting at {@code from}. */
  void remove(int from, int count) {
    System.arraycopy(structs, from + count, structs, from, size - from - count);
    Arrays.fill(structs, size - count, size, null);
    if (clocks != null) {
      System.arraycopy(clocks, from + count, clocks, from, size - from - count);
    }
    size -= count;
  }

  /** Drops {@link #clocks} (until the list is searched often again). */
  void dropClocks() {
    clocks = null;
    searches = 0;
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
    if (clocks == null && ++searches >= SEARCHES_BEFORE_CLOCKS && size >= SEARCHES_BEFORE_CLOCKS) {
      makeClocks();
    }
    int found = clocks != null ? searchClocks(clock) : search(clock);
    if (found >= 0) {
      lastFound = found;
    }
    return found;
  }

  private void makeClocks() {
    int[] c = new int[structs.length];
    for (int i = 0; i < size; i++) {
      c[i] = structs[i].clock;
    }
    clocks = c;
  }

  /** Whether {@link #clocks} is kept, for tests. */
  boolean hasClocks() {
    return clocks != null;
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

  /** {@link #search} over {@link #clocks}: the last struct starting at or before {@code clock}, if it holds it. */
  private int searchClocks(int clock) {
    int[] c = clocks;
    if (size == 0 || clock < c[0]) {
      return -1;
    }
    int last = size - 1;
    if (c[last] <= clock) {
      return clock < state() ? last : -1;
    }
    // c[lo] <= clock < c[hi]
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (c[mid] <= clock) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
