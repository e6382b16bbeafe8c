package ai.candlefish.collab.core;

import java.util.Arrays;

/**
 * One client's structs, sorted by clock without gaps; a clock is found by binary search. Items of length 0 (Yjs
 * writes them) start where the next struct starts.
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
 *
 * <p>Removed structs leave a gap in the arrays ({@link #gapStart}, {@link #gapLength}) instead of the structs after
 * them moving at once: cleanup merges structs from right to left, one removal per merge, and closing each one by
 * copying the rest of the list made a transaction that deleted in many places quadratic in the list's length (a
 * long trace replayed in one transaction: 11-13 % of the CPU in that copy). The gap moves with the removals, so a
 * sweep costs what it passes once, and the structs after it move when something is added or the list is searched by
 * its clocks for the first time. Indexes are logical: {@link #get} steps over the gap.
 */
final class StructList {
  /** Searches (not answered by {@link #lastFound}) of a list of at least this many structs before it gets clocks. */
  static final int SEARCHES_BEFORE_CLOCKS = 64;

  private AbstractStruct[] structs = new AbstractStruct[4];
  int size;
  /** {@code clocks[at(i)] == get(i).clock} for every {@code i < size}; {@code null} while not worth keeping. */
  private int[] clocks;
  /** Searches since {@link #clocks} was last dropped. */
  private int searches;

  /**
   * Structs {@code [gapStart, gapStart + gapLength)} of the arrays are no part of the list (and {@code null} in
   * {@link #structs}); struct {@code i} is at {@code i} below the gap and at {@code i + gapLength} from it on.
   */
  private int gapStart;
  private int gapLength;

  /** Where struct {@code i} is in the arrays. */
  private int at(int i) {
    return i < gapStart ? i : i + gapLength;
  }

  AbstractStruct get(int i) {
    return structs[i < gapStart ? i : i + gapLength];
  }

  AbstractStruct last() {
    return get(size - 1);
  }

  int state() {
    AbstractStruct last = get(size - 1);
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
    if (gapLength != 0) {
      closeGap();
    }
    if (size == structs.length) {
      grow();
    }
    if (clocks != null) {
      clocks[size] = s.clock;
    }
    structs[size++] = s;
  }

  void insert(int index, AbstractStruct s) {
    if (gapLength != 0) {
      // Into the gap, moved to the index first.
      moveGapTo(index);
      structs[index] = s;
      if (clocks != null) {
        clocks[index] = s.clock;
      }
      gapStart++;
      gapLength--;
      size++;
      return;
    }
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
    int at = at(index);
    structs[at] = s;
    if (clocks != null) {
      clocks[at] = s.clock;
    }
  }

  /** Removes {@code count} structs starting at {@code from}: they join the gap, moved there first. */
  void remove(int from, int count) {
    moveGapTo(from);
    int at = from + gapLength;
    Arrays.fill(structs, at, at + count, null);
    gapLength += count;
    size -= count;
  }

  /**
   * Moves the gap to before struct {@code index}, moving the structs between its place and there across it; the
   * places they leave are cleared, so that the gap holds no struct.
   */
  private void moveGapTo(int index) {
    int gap = gapLength;
    if (gap == 0 || index == gapStart) {
      gapStart = index;
      return;
    }
    int from = gapStart;
    if (index < from) {
      int n = from - index;
      System.arraycopy(structs, index, structs, index + gap, n);
      Arrays.fill(structs, index, index + Math.min(n, gap), null);
      if (clocks != null) {
        System.arraycopy(clocks, index, clocks, index + gap, n);
      }
    } else {
      int n = index - from;
      System.arraycopy(structs, from + gap, structs, from, n);
      Arrays.fill(structs, Math.max(index, from + gap), index + gap, null);
      if (clocks != null) {
        System.arraycopy(clocks, from + gap, clocks, from, n);
      }
    }
    gapStart = index;
  }

  /** Moves the structs after the gap back onto it: the arrays then hold the list from their start. */
  private void closeGap() {
    moveGapTo(size);
    gapLength = 0;
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
      AbstractStruct s = get(i);
      if (s.clock <= clock) {
        return clock < s.clock + s.length || (i == size - 1 && s.clock == clock) ? i : -1;
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

  /**
   * The index of the struct that contains {@code clock}, or -1 if no struct does. As Yjs's {@code findIndexSS}, the
   * last struct if it starts at {@code clock}: an item of length 0 (Yjs writes one for {@code insertEmbed(i, "")})
   * contains no clock and shares its id with the struct after it, which is the one found, unless it is the last.
   */
  int findIndex(int clock) {
    int hint = lastFound;
    if (hint < size) {
      AbstractStruct s = get(hint);
      if (s.clock <= clock) {
        if (clock < s.clock + s.length) {
          return hint;
        }
        if (++hint < size && (s = get(hint)).clock <= clock && clock < s.clock + s.length) {
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
    closeGap();
    int[] c = new int[structs.length];
    for (int i = 0; i < size; i++) {
      c[i] = structs[i].clock;
    }
    clocks = c;
  }

  /** How many structs the array holds, for tests: the list's, none in the gap or past the end. */
  int heldStructs() {
    int held = 0;
    for (AbstractStruct s : structs) {
      held += s == null ? 0 : 1;
    }
    return held;
  }

  /** Whether {@link #clocks} is kept, for tests. */
  boolean hasClocks() {
    return clocks != null;
  }

  private int search(int clock) {
    int left = 0;
    int right = size - 1;
    AbstractStruct mid = get(right);
    if (mid.clock == clock) {
      return right;
    }
    // Pivot on the clock: clocks are dense, so the first guess is often right.
    int midIndex = (int) ((long) clock * right / Math.max(1, mid.clock + mid.length - 1));
    if (midIndex < 0 || midIndex > right) {
      midIndex = (left + right) >>> 1;
    }
    while (left <= right) {
      mid = get(midIndex);
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
    if (size == 0 || clock < c[at(0)]) {
      return -1;
    }
    int last = size - 1;
    if (c[at(last)] <= clock) {
      return clock < state() || c[at(last)] == clock ? last : -1;
    }
    if (gapLength == 0) {
      // Halving without a branch while the clocks lie contiguous: which half holds a received item's origin is a coin
      // toss, so a branch per step is mispredicted about half the time (crdt round 19). The answer is in
      // [base, base + n).
      int base = 0;
      for (int n = last; n > 1; ) {
        int half = n >>> 1;
        base = c[base + half] <= clock ? base + half : base;
        n -= half;
      }
      return base;
    }
    // c[lo] <= clock < c[hi]
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (c[at(mid)] <= clock) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
