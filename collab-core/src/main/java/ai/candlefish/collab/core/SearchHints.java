package ai.candlefish.collab.core;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Known (visible item, index) positions of a list type, sorted by index, that shorten the walk of
 * {@link SearchMarkers#find}. Unlike search markers they are not Yjs's: they never decide where a walk ends, only
 * where it starts.
 *
 * <p>Why a walk may start at a hint instead of at its marker and end at the same item: the walk right from
 * {@code (p, pindex)} to {@code index} stops at the first item at or after {@code p} that either starts at or past
 * {@code index} or is visible and contains it. A visible item {@code h} starting strictly between {@code pindex} and
 * {@code index} lies after {@code p}, and no item from {@code p} up to {@code h} meets that condition, so the walk
 * from {@code h} stops at the same item. Likewise the walk left stops at the visible item containing {@code index},
 * which a walk left from any visible item starting strictly between {@code index} and {@code pindex} reaches too.
 * A hint on the other side of {@code index} ({@link #nearest}) walks the other way, and the caller turns where that
 * walk ends into where the marker's would ({@code SearchMarkers.walkAcross}).
 *
 * <p>Each hint's index is kept exact through the same insert/delete notifications as the markers
 * ({@link #update}); a hint whose item was deleted by a notified deletion is dropped, one whose item was merged into
 * its left neighbour is dropped when next met. A change the notifications did not announce (the type's length or
 * deletion count moved differently: an update applied inside a local transaction, say) drops every hint until the
 * markers are cleared, because the markers themselves may be off until then and the walk from them must not be
 * shortened. Not thread-safe: used under the document's transaction, as the markers are.
 *
 * <p>Every edit moves the indexes of the hints after it. Shifting each of up to {@link #MAX} indexes was a quarter of
 * the CPU of a long trace replayed in one transaction (rustcode, JFR), so the hints are kept in blocks of
 * {@link #BLOCK} with an offset per block ({@link #shifts}): an edit shifts the hints of its own block and the
 * offsets of the blocks after it. Adding or removing hints moves hints between blocks, so it first folds the offsets
 * into the indexes ({@link #settle}); that is as dear as the array copy it comes with.
 */
final class SearchHints {
  /** A walk longer than this many items leaves a hint where it ended (tests lower it to use hints everywhere). */
  static int worthKeeping = 24;
  private static final int MAX = 512;
  private static final int BLOCK_BITS = 5;
  private static final int BLOCK = 1 << BLOCK_BITS;
  private static final Item[] NO_ITEMS = {};
  private static final int[] NO_INDEXES = {};

  private final SharedType type;
  /** Allocated at the first hint: most types are never walked far enough to keep one. */
  private Item[] items = NO_ITEMS;
  private int[] indexes = NO_INDEXES;
  /**
   * Hint {@code i} starts at {@code indexes[i] + shifts[i >>> BLOCK_BITS]}; all zero after {@link #settle}.
   * Allocated with the first hint.
   */
  private int[] shifts = NO_INDEXES;
  private int size;
  /** Set when a change was not announced: no hints until {@link #clear}. */
  private boolean off;
  /** The type's length and deletion count as the announced changes account for them. */
  private int expectedLength;
  private int expectedDeletions;

  Item foundItem;
  int foundIndex;
  /** For {@link #check}: how often it ran (it checks every hint only now and then: that takes a walk of the list). */
  private int checks;

  SearchHints(SharedType type) {
    this.type = type;
  }

  void clear() {
    Arrays.fill(items, 0, size, null);
    Arrays.fill(shifts, 0);
    size = 0;
    off = false;
  }

  /** Where hint {@code i} starts. */
  private int index(int i) {
    return indexes[i] + shifts[i >>> BLOCK_BITS];
  }

  /** Folds the blocks' offsets into the indexes, before hints move between blocks. */
  private void settle() {
    int blocks = (size + BLOCK - 1) >>> BLOCK_BITS;
    for (int b = 0; b < blocks; b++) {
      int shift = shifts[b];
      if (shift != 0) {
        for (int i = b << BLOCK_BITS, end = Math.min(size, i + BLOCK); i < end; i++) {
          indexes[i] += shift;
        }
        shifts[b] = 0;
      }
    }
  }

  /**
   * Whether a hint starts strictly between {@code pindex} (where the walk would start) and {@code index}; if so
   * {@link #foundItem} and {@link #foundIndex} are the one nearest to {@code index}.
   */
  boolean closer(int index, int pindex) {
    if (size == 0 || !current()) {
      return false;
    }
    while (true) {
      int i;
      if (pindex < index) {
        i = firstAtOrAfter(index) - 1; // the last hint before index
        if (i < 0 || index(i) <= pindex) {
          return false;
        }
      } else {
        i = firstAtOrAfter(index + 1); // the first hint after index
        if (i >= size || index(i) >= pindex) {
          return false;
        }
      }
      Item h = items[i];
      if (h.isVisible() && (h.left == null ? type.start == h : h.left.right == h)) {
        foundItem = h;
        foundIndex = index(i);
        return true;
      }
      // Merged into its left neighbour since: no longer in the list.
      remove(i, 1);
    }
  }

  /**
   * Whether a hint starts nearer to {@code index} than {@code pindex} (where the walk would start) does, on either
   * side of it: the last hint before {@code index} or the first after it. If so {@link #foundItem} and
   * {@link #foundIndex} are the nearer of the two. A hint on the far side of {@code index} from {@code pindex} walks
   * the other way, so the caller must turn where that walk ends into where the walk from {@code pindex} would
   * ({@link SearchMarkers#find}).
   */
  boolean nearest(int index, int pindex) {
    if (size == 0 || !current()) {
      return false;
    }
    int i = firstAtOrAfter(index);
    Item below = live(i - 1);
    i = below == null ? firstAtOrAfter(index) : i; // dropping a stale hint below moved the ones after it
    int belowIndex = below == null ? Integer.MIN_VALUE : index(i - 1);
    // The first hint after index, not at it: the walk left from a hint at index would not move.
    int j = i < size && index(i) == index ? i + 1 : i;
    Item above = live(j);
    int aboveIndex = above == null ? Integer.MAX_VALUE : index(j);
    long best = Math.abs((long) index - pindex);
    long belowDistance = (long) index - belowIndex;
    long aboveDistance = (long) aboveIndex - index;
    if (belowDistance < best && belowDistance <= aboveDistance) {
      foundItem = below;
      foundIndex = belowIndex;
      return true;
    }
    if (aboveDistance < best) {
      foundItem = above;
      foundIndex = aboveIndex;
      return true;
    }
    return false;
  }

  /**
   * Hint {@code i}'s item if it is still visible and linked, else {@code null} ({@code i} out of range too); drops
   * it if merged into its left neighbour or deleted since.
   */
  private Item live(int i) {
    if (i < 0 || i >= size) {
      return null;
    }
    Item h = items[i];
    if (h.isVisible() && (h.left == null ? type.start == h : h.left.right == h)) {
      return h;
    }
    remove(i, 1);
    return null;
  }

  /**
   * Whether the type changed only as announced since the hints were taken, and has no items of length 0; drops the
   * hints if not. An item of length 0 ({@link SharedType#emptyItems}) starts at the same index as the item after it,
   * and an insert at that index may land on either side of it, which the announcements do not say: the hints'
   * indexes could not be kept, so such a type walks from its markers only, as Yjs does.
   */
  private boolean current() {
    if (type.length == expectedLength && type.deletions == expectedDeletions && !type.emptyItems) {
      return true;
    }
    Arrays.fill(items, 0, size, null);
    Arrays.fill(shifts, 0);
    size = 0;
    off = true;
    return false;
  }

  /** Keeps {@code (item, index)} if the item is visible; {@code index} is where it starts. */
  void add(Item item, int index) {
    if (off || type.emptyItems || !item.isVisible()) {
      return;
    }
    if (size == 0) {
      expectedLength = type.length;
      expectedDeletions = type.deletions;
    } else if (!current()) {
      return;
    }
    int i = firstAtOrAfter(index);
    if (i < size && index(i) == index) {
      items[i] = item; // the same visible item: only one starts at an index
      return;
    }
    settle();
    if (size == MAX) {
      thin();
      i = firstAtOrAfter(index);
    } else if (size == items.length) {
      if (shifts.length == 0) {
        shifts = new int[MAX / BLOCK];
      }
      items = Arrays.copyOf(items, Math.max(16, size * 2));
      indexes = Arrays.copyOf(indexes, Math.max(16, size * 2));
    }
    System.arraycopy(items, i, items, i + 1, size - i);
    System.arraycopy(indexes, i, indexes, i + 1, size - i);
    items[i] = item;
    indexes[i] = index;
    size++;
  }

  /** Keeps every other hint, so that new ones find room and the kept ones stay spread over the list. */
  private void thin() {
    int kept = 0;
    for (int i = 0; i < size; i += 2) {
      items[kept] = items[i];
      indexes[kept++] = indexes[i];
    }
    Arrays.fill(items, kept, size, null);
    size = kept;
  }

  /** {@code len} units were inserted (positive) or deleted (negative) at {@code index}. */
  void update(int index, int len) {
    if (size == 0) {
      return;
    }
    expectedLength += len;
    expectedDeletions = type.deletions;
    int i = firstAtOrAfter(index);
    if (len < 0) {
      // SearchHints in the deleted range point at deleted items.
      int end = firstAtOrAfter(index - len);
      remove(i, end - i);
    }
    if (i >= size) {
      return;
    }
    int block = i >>> BLOCK_BITS;
    for (int end = Math.min(size, (block + 1) << BLOCK_BITS); i < end; i++) {
      indexes[i] += len;
    }
    for (int b = block + 1, blocks = (size + BLOCK - 1) >>> BLOCK_BITS; b < blocks; b++) {
      shifts[b] += len;
    }
  }

  private void remove(int from, int count) {
    if (count == 0) {
      return;
    }
    settle();
    System.arraycopy(items, from + count, items, from, size - from - count);
    System.arraycopy(indexes, from + count, indexes, from, size - from - count);
    Arrays.fill(items, size - count, size, null);
    size -= count;
  }

  /** The first hint whose index is at least {@code index} ({@code size} if none). */
  private int firstAtOrAfter(int index) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (index(mid) < index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * For {@link SearchMarkers#crossCheck}: fails unless the hints' indexes (with their blocks' offsets) rise strictly;
   * now and then, fails unless every hint's index is where its item starts.
   */
  void checkIndexes() {
    for (int i = 1; i < size; i++) {
      if (index(i) <= index(i - 1)) {
        throw new IllegalStateException("search hints " + (i - 1) + " and " + i + " say " + index(i - 1) + " and "
            + index(i));
      }
    }
    if (size == 0 || type.length != expectedLength || type.deletions != expectedDeletions || checks++ % 16 != 0) {
      return; // a walk of the whole list: only every 16th time (stale hints are dropped when next looked at)
    }
    Map<Item, Integer> starts = new IdentityHashMap<>();
    int at = 0;
    for (Item n = type.start; n != null; n = n.right) {
      starts.put(n, at);
      if (n.isVisible()) {
        at += n.length;
      }
    }
    for (int i = 0; i < size; i++) {
      Item h = items[i];
      Integer start = starts.get(h);
      if (start != null && h.isVisible() && start != index(i)) {
        throw new IllegalStateException("search hint at " + h + " says " + index(i) + ", the item starts at "
            + start);
      }
    }
  }
}
