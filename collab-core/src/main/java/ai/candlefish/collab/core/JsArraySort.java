package ai.candlefish.collab.core;

import java.util.Comparator;
import java.util.List;

/**
 * JavaScript's {@code Array.prototype.sort} exactly as V8 (Node 20) runs it: TimSort after CPython's
 * {@code listobject.c}, as in V8's {@code third_party/v8/builtins/array-sort.tq}.
 *
 * <p>Why not {@link List#sort}: Yjs's {@code mergeUpdates} sorts its struct readers with a comparator that is not
 * consistent (a GC and an Item at the same id each compare as smaller than the other), so the order it produces
 * depends on every detail of the algorithm. Java's TimSort differs from V8's (a minimum run of 16 to 32 against
 * V8's 32 to 64, so arrays of 32 to 63 elements are merged in Java and insertion-sorted in V8). Following V8 step
 * by step, with the same comparisons in the same order and argument order, gives the same result for any
 * comparator ({@code JsArraySortTest} checks that against Node with random inconsistent comparators).
 *
 * <p>This is Node 20's V8 (11.x). Later V8s insertion-sort arrays shorter than 10 without looking for a run
 * first ({@code kMinTimSortLen}), so Yjs itself can merge differently there under another Node.
 *
 * <p>Not thread-safe per call (its state lives in the call); stateless across calls.
 */
final class JsArraySort<T> {
  /** V8's {@code kMinGallopWins}. */
  private static final int MIN_GALLOP = 7;

  private final Object[] work;
  private final Comparator<? super T> comparator;
  private int minGallop = MIN_GALLOP;
  private final int[] runBase = new int[85];
  private final int[] runLength = new int[85];
  private int pendingRuns;
  private Object[] temp = new Object[0];

  private JsArraySort(Object[] work, Comparator<? super T> comparator) {
    this.work = work;
    this.comparator = comparator;
  }

  /** Sorts {@code list} in place as V8's {@code list.sort(comparator)} would (the list holds no undefined). */
  static <T> void sort(List<T> list, Comparator<? super T> comparator) {
    int n = list.size();
    if (n < 2) {
      return;
    }
    Object[] work = list.toArray();
    JsArraySort<T> s = new JsArraySort<>(work, comparator);
    s.timSort(n);
    for (int i = 0; i < n; i++) {
      @SuppressWarnings("unchecked")
      T t = (T) work[i];
      list.set(i, t);
    }
  }

  @SuppressWarnings("unchecked")
  private int compare(Object a, Object b) {
    return comparator.compare((T) a, (T) b);
  }

  private void timSort(int length) {
    int remaining = length;
    int low = 0;
    int minRun = minRunLength(remaining);
    while (remaining != 0) {
      int run = countAndMakeRun(low, low + remaining);
      if (run < minRun) {
        int forced = Math.min(minRun, remaining);
        binaryInsertionSort(low, low + run, low + forced);
        run = forced;
      }
      runBase[pendingRuns] = low;
      runLength[pendingRuns] = run;
      pendingRuns++;
      mergeCollapse();
      low += run;
      remaining -= run;
    }
    mergeForceCollapse();
  }

  static int minRunLength(int length) {
    int n = length;
    int r = 0;
    while (n >= 64) {
      r |= n & 1;
      n >>= 1;
    }
    return n + r;
  }

  private void binaryInsertionSort(int low, int startArg, int high) {
    for (int start = low == startArg ? startArg + 1 : startArg; start < high; start++) {
      int left = low;
      int right = start;
      Object pivot = work[right];
      while (left < right) {
        int mid = left + ((right - left) >> 1);
        if (compare(pivot, work[mid]) < 0) {
          right = mid;
        } else {
          left = mid + 1;
        }
      }
      System.arraycopy(work, left, work, left + 1, start - left);
      work[left] = pivot;
    }
  }

  private int countAndMakeRun(int lowArg, int high) {
    int low = lowArg + 1;
    if (low == high) {
      return 1;
    }
    int run = 2;
    Object previous = work[low];
    boolean descending = compare(previous, work[low - 1]) < 0;
    for (int i = low + 1; i < high; i++) {
      Object current = work[i];
      int order = compare(current, previous);
      if (descending ? order >= 0 : order < 0) {
        break;
      }
      previous = current;
      run++;
    }
    if (descending) {
      for (int lo = lowArg, hi = lowArg + run - 1; lo < hi; lo++, hi--) {
        Object t = work[lo];
        work[lo] = work[hi];
        work[hi] = t;
      }
    }
    return run;
  }

  /** Whether run n - 2 is longer than runs n - 1 and n together. */
  private boolean invariantHolds(int n) {
    return n < 2 || runLength[n - 2] > runLength[n - 1] + runLength[n];
  }

  private void mergeCollapse() {
    while (pendingRuns > 1) {
      int n = pendingRuns - 2;
      if (!invariantHolds(n + 1) || !invariantHolds(n)) {
        if (runLength[n - 1] < runLength[n + 1]) {
          n--;
        }
        mergeAt(n);
      } else if (runLength[n] <= runLength[n + 1]) {
        mergeAt(n);
      } else {
        break;
      }
    }
  }

  private void mergeForceCollapse() {
    while (pendingRuns > 1) {
      int n = pendingRuns - 2;
      if (n > 0 && runLength[n - 1] < runLength[n + 1]) {
        n--;
      }
      mergeAt(n);
    }
  }

  private void mergeAt(int i) {
    int baseA = runBase[i];
    int lengthA = runLength[i];
    int baseB = runBase[i + 1];
    int lengthB = runLength[i + 1];
    runLength[i] = lengthA + lengthB;
    if (i == pendingRuns - 3) {
      runBase[i + 1] = runBase[i + 2];
      runLength[i + 1] = runLength[i + 2];
    }
    pendingRuns--;
    int k = gallopRight(work, work[baseB], baseA, lengthA, 0);
    baseA += k;
    lengthA -= k;
    if (lengthA == 0) {
      return;
    }
    lengthB = gallopLeft(work, work[baseA + lengthA - 1], baseB, lengthB, lengthB - 1);
    if (lengthB == 0) {
      return;
    }
    if (lengthA <= lengthB) {
      mergeLow(baseA, lengthA, baseB, lengthB);
    } else {
      mergeHigh(baseA, lengthA, baseB, lengthB);
    }
  }

  private int gallopLeft(Object[] array, Object key, int base, int length, int hint) {
    int lastOfs = 0;
    int offset = 1;
    if (compare(array[base + hint], key) < 0) {
      int maxOfs = length - hint;
      while (offset < maxOfs) {
        if (compare(array[base + hint + offset], key) >= 0) {
          break;
        }
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) {
          offset = maxOfs;
        }
      }
      if (offset > maxOfs) {
        offset = maxOfs;
      }
      lastOfs += hint;
      offset += hint;
    } else {
      int maxOfs = hint + 1;
      while (offset < maxOfs) {
        if (compare(array[base + hint - offset], key) < 0) {
          break;
        }
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) {
          offset = maxOfs;
        }
      }
      if (offset > maxOfs) {
        offset = maxOfs;
      }
      int tmp = lastOfs;
      lastOfs = hint - offset;
      offset = hint - tmp;
    }
    lastOfs++;
    while (lastOfs < offset) {
      int m = lastOfs + ((offset - lastOfs) >> 1);
      if (compare(array[base + m], key) < 0) {
        lastOfs = m + 1;
      } else {
        offset = m;
      }
    }
    return offset;
  }

  private int gallopRight(Object[] array, Object key, int base, int length, int hint) {
    int lastOfs = 0;
    int offset = 1;
    if (compare(key, array[base + hint]) < 0) {
      int maxOfs = hint + 1;
      while (offset < maxOfs) {
        if (compare(key, array[base + hint - offset]) >= 0) {
          break;
        }
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) {
          offset = maxOfs;
        }
      }
      if (offset > maxOfs) {
        offset = maxOfs;
      }
      int tmp = lastOfs;
      lastOfs = hint - offset;
      offset = hint - tmp;
    } else {
      int maxOfs = length - hint;
      while (offset < maxOfs) {
        if (compare(key, array[base + hint + offset]) < 0) {
          break;
        }
        lastOfs = offset;
        offset = (offset << 1) + 1;
        if (offset <= 0) {
          offset = maxOfs;
        }
      }
      if (offset > maxOfs) {
        offset = maxOfs;
      }
      lastOfs += hint;
      offset += hint;
    }
    lastOfs++;
    while (lastOfs < offset) {
      int m = lastOfs + ((offset - lastOfs) >> 1);
      if (compare(key, array[base + m]) < 0) {
        offset = m;
      } else {
        lastOfs = m + 1;
      }
    }
    return offset;
  }

  private Object[] temp(int size) {
    int min = Math.max(32, size);
    if (temp.length < min) {
      temp = new Object[min];
    }
    return temp;
  }

  private void mergeLow(int baseA, int lengthAArg, int baseB, int lengthBArg) {
    int lengthA = lengthAArg;
    int lengthB = lengthBArg;
    Object[] tmp = temp(lengthA);
    System.arraycopy(work, baseA, tmp, 0, lengthA);
    int dest = baseA;
    int cursorTemp = 0;
    int cursorB = baseB;
    work[dest++] = work[cursorB++];
    // 0: merge done (copy what is left of A), 1: copy B then A's last element.
    int end;
    outer:
    {
      if (--lengthB == 0) {
        end = 0;
        break outer;
      }
      if (lengthA == 1) {
        end = 1;
        break outer;
      }
      int gallop = minGallop;
      while (true) {
        int winsA = 0;
        int winsB = 0;
        while (true) {
          if (compare(work[cursorB], tmp[cursorTemp]) < 0) {
            work[dest++] = work[cursorB++];
            winsB++;
            lengthB--;
            winsA = 0;
            if (lengthB == 0) {
              end = 0;
              break outer;
            }
            if (winsB >= gallop) {
              break;
            }
          } else {
            work[dest++] = tmp[cursorTemp++];
            winsA++;
            lengthA--;
            winsB = 0;
            if (lengthA == 1) {
              end = 1;
              break outer;
            }
            if (winsA >= gallop) {
              break;
            }
          }
        }
        gallop++;
        boolean first = true;
        while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP || first) {
          first = false;
          gallop = Math.max(1, gallop - 1);
          minGallop = gallop;
          winsA = gallopRight(tmp, work[cursorB], cursorTemp, lengthA, 0);
          if (winsA > 0) {
            System.arraycopy(tmp, cursorTemp, work, dest, winsA);
            dest += winsA;
            cursorTemp += winsA;
            lengthA -= winsA;
            if (lengthA == 1) {
              end = 1;
              break outer;
            }
            if (lengthA == 0) {
              end = 0;
              break outer;
            }
          }
          work[dest++] = work[cursorB++];
          if (--lengthB == 0) {
            end = 0;
            break outer;
          }
          winsB = gallopLeft(work, tmp[cursorTemp], cursorB, lengthB, 0);
          if (winsB > 0) {
            System.arraycopy(work, cursorB, work, dest, winsB);
            dest += winsB;
            cursorB += winsB;
            lengthB -= winsB;
            if (lengthB == 0) {
              end = 0;
              break outer;
            }
          }
          work[dest++] = tmp[cursorTemp++];
          if (--lengthA == 1) {
            end = 1;
            break outer;
          }
        }
        gallop++;
        minGallop = gallop;
      }
    }
    if (end == 0) {
      if (lengthA > 0) {
        System.arraycopy(tmp, cursorTemp, work, dest, lengthA);
      }
    } else {
      System.arraycopy(work, cursorB, work, dest, lengthB);
      work[dest + lengthB] = tmp[cursorTemp];
    }
  }

  private void mergeHigh(int baseA, int lengthAArg, int baseB, int lengthBArg) {
    int lengthA = lengthAArg;
    int lengthB = lengthBArg;
    Object[] tmp = temp(lengthB);
    System.arraycopy(work, baseB, tmp, 0, lengthB);
    int dest = baseB + lengthB - 1;
    int cursorTemp = lengthB - 1;
    int cursorA = baseA + lengthA - 1;
    work[dest--] = work[cursorA--];
    // 0: merge done (copy what is left of B), 1: copy A then B's first element.
    int end;
    outer:
    {
      if (--lengthA == 0) {
        end = 0;
        break outer;
      }
      if (lengthB == 1) {
        end = 1;
        break outer;
      }
      int gallop = minGallop;
      while (true) {
        int winsA = 0;
        int winsB = 0;
        while (true) {
          if (compare(tmp[cursorTemp], work[cursorA]) < 0) {
            work[dest--] = work[cursorA--];
            winsA++;
            lengthA--;
            winsB = 0;
            if (lengthA == 0) {
              end = 0;
              break outer;
            }
            if (winsA >= gallop) {
              break;
            }
          } else {
            work[dest--] = tmp[cursorTemp--];
            winsB++;
            lengthB--;
            winsA = 0;
            if (lengthB == 1) {
              end = 1;
              break outer;
            }
            if (winsB >= gallop) {
              break;
            }
          }
        }
        gallop++;
        boolean first = true;
        while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP || first) {
          first = false;
          gallop = Math.max(1, gallop - 1);
          minGallop = gallop;
          int k = gallopRight(work, tmp[cursorTemp], baseA, lengthA, lengthA - 1);
          winsA = lengthA - k;
          if (winsA > 0) {
            dest -= winsA;
            cursorA -= winsA;
            System.arraycopy(work, cursorA + 1, work, dest + 1, winsA);
            lengthA -= winsA;
            if (lengthA == 0) {
              end = 0;
              break outer;
            }
          }
          work[dest--] = tmp[cursorTemp--];
          if (--lengthB == 1) {
            end = 1;
            break outer;
          }
          k = gallopLeft(tmp, work[cursorA], 0, lengthB, lengthB - 1);
          winsB = lengthB - k;
          if (winsB > 0) {
            dest -= winsB;
            cursorTemp -= winsB;
            System.arraycopy(tmp, cursorTemp + 1, work, dest + 1, winsB);
            lengthB -= winsB;
            if (lengthB == 1) {
              end = 1;
              break outer;
            }
            if (lengthB == 0) {
              end = 0;
              break outer;
            }
          }
          work[dest--] = work[cursorA--];
          if (--lengthA == 0) {
            end = 0;
            break outer;
          }
        }
        gallop++;
        minGallop = gallop;
      }
    }
    if (end == 0) {
      if (lengthB > 0) {
        System.arraycopy(tmp, 0, work, dest - (lengthB - 1), lengthB);
      }
    } else {
      dest -= lengthA;
      cursorA -= lengthA;
      System.arraycopy(work, cursorA + 1, work, dest + 1, lengthA);
      work[dest] = tmp[cursorTemp];
    }
  }
}
