package ai.candlefish.collab.core;

import java.util.Arrays;

/**
 * Cached (item, index) positions in a list type, so that finding an index walks from the nearest known position
 * instead of from the start (Yjs's array search markers). A marker always points at the start of a visible or
 * deleted item; markers are fixed up on every insert and delete through {@link #updateMarkerChanges}.
 *
 * <p>The markers are kept exactly as Yjs keeps them: where they point decides which format marks a plain text
 * insert inherits. They are stored as parallel arrays rather than marker objects, because every edit scans all
 * of them (up to {@link #MAX}): scanning an int array is cheaper than following a reference per marker.
 *
 * <p>Yjs also looks at every marker's item on every insert, to move markers off deleted items and to (re)set
 * their flags. Once that has been done and nothing has changed since (no flagged item of the type deleted, no marker
 * moved to an item that is hidden or that lacks the flag, no flag cleared under another marker: {@link #clean}),
 * it would change nothing, so it is skipped.
 *
 * <p>Markers are few, so in a long list the walk from the nearest one can pass hundreds of items. {@link SearchHints}
 * keeps more positions that only shorten that walk: starting from one of them gives the same item as the walk
 * from the marker, so what Yjs would do is unchanged. The nearest hint may lie on the other side of the index than
 * the marker; the walk from it then ends where the marker's would, or a few invisible items from there
 * ({@link #walkAcross}). A type that ever held an item of length 0 ({@link SharedType#emptyItems}) uses neither
 * hints nor the shortcuts below: several items can then start at one index.
 *
 * <p>An insert moves a marker off a deleted item to the last visible item before it, which Yjs finds by walking
 * left. With the whole of a long trace in one transaction nothing is merged or collected, and that walk passed
 * ~700 deleted items each time (rustcode: 1.1 M steps per replay, a third of its CPU in JFR). While every change
 * since the markers were cleared was announced ({@link #exact}: the type's length and deletion count moved only as
 * {@link #beforeDelete} and {@link #updateMarkerChanges} were told), every marker's index is where its item starts,
 * so the last visible item before a deleted marker item at {@code index} is the visible item that ends at
 * {@code index}: it is also reached by walking right from the nearest known position below {@code index} (a
 * search hint, another marker, the start), and the two walks go on together until one arrives.
 *
 * <p>Yjs places a marker at the start of the clock run that its walk reached, walking left over the run. In one
 * transaction a run is one-character items, so typing at its end walked all of it on every keystroke; the run
 * last crossed is remembered ({@link #runStart}) and a walk that meets it stops there.
 */
final class SearchMarkers {
  static final int MAX = 80;
  private static final Item[] NO_ITEMS = {};
  private static final int[] NO_INDEXES = {};
  private static final long[] NO_TIMESTAMPS = {};

  /**
   * The markers' arrays grow to {@link #MAX} as markers are placed: most types of a small document never get more
   * than a few, and full-size arrays were 1.3 KiB per list type.
   */
  private Item[] items = NO_ITEMS;
  private int[] indexes = NO_INDEXES;
  /** When each marker was last used: the least recently used one is reused when all are taken. */
  private long[] timestamps = NO_TIMESTAMPS;
  private int size;
  private long clock;
  private final SharedType type;
  /**
   * Whether every marker's item is visible and flagged, as {@link #updateMarkerChanges} leaves them, and no
   * flagged item of the type was deleted since ({@link #markedDeletionsWhenClean}). While that holds, deleting
   * other items cannot hide a marker's item: every marker's item is flagged. (Counting every deletion instead made
   * an insert after any delete look at all the markers' items: ~8 % of crdt-benchmarks B2.4.)
   */
  private boolean clean;
  private int markedDeletionsWhenClean;
  private final SearchHints hints;
  /**
   * Whether every change since the markers were last cleared was announced, so that every marker's index is exact;
   * {@link #expectedLength} and {@link #expectedDeletions} are the type's length and deletion count as the
   * announcements account for them.
   */
  private boolean exact = true;
  private int expectedLength;
  private int expectedDeletions;

  SearchMarkers(SharedType type) {
    this.type = type;
    this.hints = new SearchHints(type);
    expectedLength = type.length;
    expectedDeletions = type.deletions;
  }

  void clear() {
    hints.clear();
    for (int i = 0; i < size; i++) {
      items[i].setMarker(false);
      items[i] = null;
    }
    size = 0;
    clean = false;
    allFlagged = true;
    exact = true;
    runStart = null;
    expectedLength = type.length;
    expectedDeletions = type.deletions;
  }

  /** Called before a delete of the list part, which {@link #updateMarkerChanges} announces afterwards. */
  void beforeDelete() {
    checkAnnounced();
  }

  /** Turns {@link #exact} off for good (until cleared) if the type changed in a way that was not announced. */
  private void checkAnnounced() {
    if (type.length != expectedLength || type.deletions != expectedDeletions) {
      exact = false;
    }
  }

  /** Whether a marker other than {@code slot} points at {@code item}. */
  private boolean markedElsewhere(Item item, int slot) {
    for (int i = 0; i < size; i++) {
      if (items[i] == item && i != slot) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every marker's item has its marker flag: then an item without the flag has no marker. Yjs clears the
   * flag of an item that a marker leaves even if another marker points there too, and a merge moves a marker onto
   * an item without the flag; both turn this off until {@link #updateMarkerChanges} next looks at every marker's item
   * (which flags them) or the markers are cleared.
   */
  private boolean allFlagged = true;

  /** Called when {@code merged} is merged into {@code into}: markers on it move to the merged item. */
  void replaceMerged(Item merged, Item into) {
    if (allFlagged && !merged.isMarker()) {
      // Every merge at a transaction's end came here, and scanning the markers for an item that none points at was
      // 4-6 % of a long trace replayed in one transaction.
      if (crossCheck) {
        for (int i = 0; i < size; i++) {
          if (items[i] == merged) {
            throw new IllegalStateException("search marker " + i + " at " + merged + " skipped in a merge: the item"
                + " has no marker flag");
          }
        }
      }
      return;
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == merged) {
        items[i] = into;
        if (!into.isMarker()) {
          allFlagged = false;
        }
        if (!into.isVisible() || !into.isMarker()) {
          clean = false;
        }
        if (!into.isDeleted() && into.isCountable()) {
          indexes[i] -= into.length;
        }
      }
    }
  }

  /** Places a marker at {@code p}, reusing the least recently used one when all are taken; returns its slot. */
  private int mark(Item p, int index) {
    int m;
    if (size >= MAX) {
      m = 0;
      for (int i = 1; i < size; i++) {
        if (timestamps[i] < timestamps[m]) {
          m = i;
        }
      }
      items[m].setMarker(false);
      if (markedElsewhere(items[m], m)) {
        clean = false;
        allFlagged = false;
      }
    } else {
      if (size == items.length) {
        int capacity = Math.min(MAX, Math.max(4, size * 2));
        items = Arrays.copyOf(items, capacity);
        indexes = Arrays.copyOf(indexes, capacity);
        timestamps = Arrays.copyOf(timestamps, capacity);
      }
      m = size++;
    }
    items[m] = p;
    p.setMarker(true);
    if (!p.isVisible()) {
      clean = false;
    }
    indexes[m] = index;
    timestamps[m] = clock++;
    return m;
  }

  /**
   * The item at or before {@code index} that starts a run, with its index; {@code null} at index 0 or for an
   * empty type. Callers use {@link #foundItem} and {@link #foundIndex}.
   */
  boolean find(SharedType type, int index) {
    if (type.start == null || index == 0) {
      return false;
    }
    int marker = -1;
    int best = Integer.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      int d = Math.abs(index - indexes[i]);
      if (d <= best) { // Yjs takes the last of equally near markers
        best = d;
        marker = i;
      }
    }
    Item p = type.start;
    int pindex = 0;
    if (marker >= 0) {
      p = items[marker];
      pindex = indexes[marker];
      timestamps[marker] = clock++;
    }
    Item start = p;
    int startIndex = pindex;
    // Hints only while the markers' indexes are exact: a walk from a marker that a change was not announced to (a
    // delete past the end of a Y.Array moves none, as in Yjs) ends at another index than it says, and so would a
    // hint's index taken from it.
    checkAnnounced();
    boolean hinted = exact && pindex != index && hints.nearest(index, pindex);
    int steps;
    if (hinted && (hints.foundIndex < index) != (startIndex < index)) {
      steps = walkAcross(hints.foundItem, hints.foundIndex, index);
    } else {
      steps = walk(hinted ? hints.foundItem : p, hinted ? hints.foundIndex : pindex, index);
    }
    p = walkedItem;
    pindex = walkedIndex;
    if (crossCheck && hinted) {
      walk(start, startIndex, index);
      if (walkedItem != p || walkedIndex != pindex) {
        throw new IllegalStateException("the walk from a search hint ended at " + p + " (" + pindex
            + "), the walk from the marker at " + walkedItem + " (" + walkedIndex + ")");
      }
    }
    if (crossCheck) {
      hints.checkIndexes();
    }
    if (exact && steps > SearchHints.worthKeeping) {
      hints.add(p, pindex);
    }
    reachedItem = p;
    reachedIndex = pindex;
    // Never point at an item that may be merged into its left neighbour.
    Item reached = p;
    boolean cached = false;
    while (p.left != null && p.left.client == p.client && p.left.clock + p.left.length == p.clock) {
      if (inCachedRun(p)) {
        cached = true;
        break;
      }
      p = p.left;
      if (p.isVisible()) {
        pindex -= p.length;
      }
    }
    if (cached) {
      if (crossCheck) {
        runStartOf(p, pindex);
      }
      p = runStart;
      pindex = runStartIndex;
    }
    cacheRun(p, reached);
    // Yjs divides in floating point (length / MAX): a distance of 1 reuses the marker in a list of 81 to 160.
    if (marker >= 0 && (long) Math.abs(indexes[marker] - pindex) * MAX < type.length) {
      Item old = items[marker];
      old.setMarker(false);
      items[marker] = p;
      p.setMarker(true);
      if (old != p) {
        boolean elsewhere = markedElsewhere(old, marker);
        if (elsewhere) {
          allFlagged = false;
        }
        if (!p.isVisible() || elsewhere) {
          clean = false;
        }
      }
      indexes[marker] = pindex;
      timestamps[marker] = clock++;
    } else {
      mark(p, pindex);
    }
    foundItem = p;
    foundIndex = pindex;
    return true;
  }

  Item foundItem;
  int foundIndex;
  /**
   * Where {@link #find}'s walk ended, before the walk left to the start of the clock run: a text without format
   * marks (the only texts with markers) may start its position search there instead of at {@link #foundItem},
   * since the walk right from the run start passes the same items with the same count.
   */
  Item reachedItem;
  int reachedIndex;

  /**
   * The clock run that {@link #find}'s last walk to a run start crossed: the items of {@code runStart}'s client
   * with clocks from {@code runStart.clock} up to {@link #runClockEnd}, linked one after the other. While no item
   * was since inserted between two items with consecutive clocks of one client ({@link SharedType#runBreaks}), any
   * item with a clock in that range still walks left to {@code runStart}, whose index a marker knows while the
   * indexes are exact: the walk can stop as soon as it meets the run. Typing at the end of a run, or deleting back
   * into it, inside one transaction (where one-character items are not merged) walked the whole run on every
   * keystroke.
   */
  private Item runStart;
  private int runClockEnd;
  private int runBreaks;
  private int runStartIndex;

  private Item walkedItem;
  private int walkedIndex;

  /** Whether {@code p} is in the cached run, which still leads left to its start (index in {@link #runStartIndex}). */
  private boolean inCachedRun(Item p) {
    Item start = runStart;
    if (start == null || p.client != start.client || p.clock < start.clock || p.clock >= runClockEnd
        || type.runBreaks != runBreaks || type.emptyItems) {
      return false;
    }
    checkAnnounced(); // a change not announced (an update applied in this transaction) may have moved indexes
    if (!exact) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (items[i] == start) {
        runStartIndex = indexes[i];
        return true;
      }
    }
    return false;
  }

  /** Remembers that the walk left from {@code from} ended at the run start {@code start}. */
  private void cacheRun(Item start, Item from) {
    int end = from.clock + from.length;
    if (start == runStart && type.runBreaks == runBreaks) {
      runClockEnd = Math.max(runClockEnd, end);
    } else {
      runStart = start;
      runClockEnd = end;
      runBreaks = type.runBreaks;
    }
  }

  /** For {@link #crossCheck}: fails unless Yjs's walk left from {@code (p, pindex)} ends at the cached run start. */
  private void runStartOf(Item p, int pindex) {
    while (p.left != null && p.left.client == p.client && p.left.clock + p.left.length == p.clock) {
      p = p.left;
      if (p.isVisible()) {
        pindex -= p.length;
      }
    }
    if (p != runStart || pindex != runStartIndex) {
      throw new IllegalStateException("the walk to the start of the clock run ended at " + p + " (" + pindex
          + "), the cached run starts at " + runStart + " (" + runStartIndex + ")");
    }
    cachedRuns++;
  }

  /**
   * Yjs's walk from {@code (p, pindex)} to {@code index}: right, then left if needed. Leaves where it ended in
   * {@link #walkedItem} and {@link #walkedIndex}; returns how many items it passed.
   */
  private int walk(Item p, int pindex, int index) {
    int steps = 0;
    while (p.right != null && pindex < index) {
      if (p.isVisible()) {
        if (index < pindex + p.length) {
          break;
        }
        pindex += p.length;
      }
      p = p.right;
      steps++;
    }
    while (p.left != null && pindex > index) {
      p = p.left;
      if (p.isVisible()) {
        pindex -= p.length;
      }
      steps++;
    }
    walkedItem = p;
    walkedIndex = pindex;
    return steps;
  }

  /**
   * Yjs's walk to {@code index} from the side of it opposite to the visible hint {@code (h, hindex)}: the marker (or
   * the start) is on one side of the index and the nearer hint on the other. Walking from the hint ends where a
   * walk from that side would; where the two walks differ, it then steps to where the marker's walk ends. Both end
   * in the same place except at an item boundary with invisible items (tombstones, items of length 0) in between:
   * <ul>
   *   <li>Walking right (the marker is below {@code index}), Yjs stops at the item right after the last item of
   *       non-zero visible length that ends at {@code index}; the walk left from the hint stops at the visible item
   *       that contains {@code index}, which starts there, further right past those invisible items.
   *   <li>Walking left (the marker is above), Yjs stops at the visible item that contains {@code index}; the walk
   *       right from the hint may stop before it, on an invisible item at {@code index}.
   * </ul>
   * Leaves the end in {@link #walkedItem} and {@link #walkedIndex} (unchanged by the steps: they pass nothing
   * visible); returns how many items it passed.
   */
  private int walkAcross(Item h, int hindex, int index) {
    int steps = walk(h, hindex, index);
    Item p = walkedItem;
    if (walkedIndex == index) {
      if (hindex > index) {
        while (p.left != null && !(p.left.isVisible() && p.left.length > 0)) {
          p = p.left;
          steps++;
        }
      } else {
        while (p.right != null && !(p.isVisible() && p.length > 0)) {
          p = p.right;
          steps++;
        }
      }
    }
    if (crossCheck) {
      crossedHints++;
    }
    walkedItem = p;
    return steps;
  }

  /**
   * Tests set this to walk from the marker as well whenever a hint shortened the walk, and to fail if the two
   * walks end at different items; to fail if the markers' items are skipped on an insert while one of them is
   * hidden or unflagged; to look up every right origin that a received item took from its neighbour; and to fail
   * if a string written as known ASCII is not ({@link ContentString#write}).
   */
  static boolean crossCheck;
  /**
   * Under {@link #crossCheck}: how often a deleted marker item's visible neighbour and a visible item after tombstones
   * were looked up from a hint, so that tests can tell that they checked those lookups.
   */
  static int hintedMoves;
  static int hintedSkips;
  /**
   * Under {@link #crossCheck}: how often a walk started at a hint on the other side of the index
   * ({@link #walkAcross}).
   */
  static int crossedHints;
  /** Under {@link #crossCheck}: how often a walk to a run start stopped at the cached run. */
  static int cachedRuns;
  /**
   * Under {@link #crossCheck}: how often a received item's right origin was taken from its left origin's neighbour
   * ({@link Item#getMissing}), which then checks it against the struct list's answer.
   */
  static int neighbourRightOrigins;

  /** Fixes up markers after {@code len} units were inserted (positive) or deleted (negative) at {@code index}. */
  void updateMarkerChanges(int index, int len) {
    if (len >= 0) {
      checkAnnounced(); // an insert is announced before its item is in the list
      expectedLength += len;
    } else {
      expectedLength += len;
      expectedDeletions = type.deletions;
      checkAnnounced();
    }
    boolean checkItems = len > 0 && !(clean && markedDeletionsWhenClean == type.markedDeletions);
    if (crossCheck && len > 0 && !checkItems) {
      for (int i = 0; i < size; i++) {
        if (!items[i].isVisible() || !items[i].isMarker()) {
          throw new IllegalStateException("search marker " + i + " at " + items[i] + " skipped while its item is "
              + (items[i].isVisible() ? "unflagged" : "hidden"));
        }
      }
    }
    if (!checkItems) {
      shiftIndexes(index, len);
      hints.update(index, len);
      return;
    }
    for (int i = size - 1; i >= 0; i--) {
      if (checkItems) {
        Item p = items[i];
        if (p.isVisible()) {
          // What Yjs's clear-then-set of the flag amounts to for an item that stays marked.
          p.setMarker(true);
        } else {
          p.setMarker(false);
          // Move the marker to a visible item so that the position comparison below is right.
          Item deleted = p;
          int deletedIndex = indexes[i];
          if (exact && !type.emptyItems) {
            p = lastVisibleBefore(i, index, len);
            if (crossCheck) {
              hintedMoves++;
            }
          } else {
            p = lastVisibleBefore(p, i);
          }
          if (crossCheck) {
            int fastIndex = indexes[i];
            indexes[i] = deletedIndex;
            Item slow = lastVisibleBefore(deleted, i);
            if (slow != p || indexes[i] != fastIndex) {
              throw new IllegalStateException("the last visible item before marker " + i + " at " + deleted
                  + " is " + slow + " (" + indexes[i] + "), the two-way walk found " + p + " (" + fastIndex + ")");
            }
          }
          if (p == null || p.isMarker()) {
            // Gone, or another marker already points there.
            remove(i);
            continue;
          }
          items[i] = p;
          p.setMarker(true);
        }
      }
      if (index < indexes[i] || (len > 0 && index == indexes[i])) {
        indexes[i] = Math.max(index, indexes[i] + len);
      }
    }
    if (checkItems) {
      clean = true;
      allFlagged = true;
      markedDeletionsWhenClean = type.markedDeletions;
    }
    // After the markers' items were looked at: the hints then describe the list as it is, without the new item.
    hints.update(index, len);
  }

  /**
   * The index fix-up of {@link #updateMarkerChanges} when no marker's item needs looking at (the markers are clean, or
   * this is a delete): one branch-free pass over the indexes instead of the per-marker checks. Every insert of a long
   * text does it for all {@link #MAX} markers (8 % of crdt-benchmarks B2.2's samples in its general loop).
   */
  private void shiftIndexes(int index, int len) {
    int[] idx = indexes;
    if (len > 0) {
      for (int i = 0; i < size; i++) {
        int m = idx[i];
        idx[i] = m >= index ? m + len : m;
      }
    } else if (len < 0) {
      for (int i = 0; i < size; i++) {
        int m = idx[i];
        idx[i] = m > index ? Math.max(index, m + len) : m;
      }
    }
  }

  /**
   * The visible item that starts at {@code index}, looked up from the nearest search hint at or after it, or
   * {@code null} if there is no such hint or the walk from it ends elsewhere. Deleting at the start of a run of
   * tombstones (nothing is collected or merged while one transaction lasts) walks them all to reach it. Only while
   * every change was announced ({@link #exact}): then the index that the caller found from the markers is exact too.
   */
  Item visibleStartingAt(int index) {
    if (!exact || !hints.closer(index - 1, Integer.MAX_VALUE)) {
      return null;
    }
    walk(hints.foundItem, hints.foundIndex, index);
    if (!walkedItem.isVisible() || walkedIndex != index) {
      return null;
    }
    if (crossCheck) {
      hintedSkips++;
    }
    return walkedItem;
  }

  /** Yjs's walk left from the deleted or uncountable {@code p} to a visible item, moving marker {@code i}'s index. */
  private Item lastVisibleBefore(Item p, int i) {
    while (p != null && (p.isDeleted() || !p.isCountable())) {
      p = p.left;
      if (p != null && p.isVisible()) {
        indexes[i] -= p.length;
      }
    }
    return p;
  }

  /**
   * Yjs's walk left from marker {@code i}'s deleted item to the last visible item before it, for when every
   * marker's index is exact ({@link #exact}), during {@link #updateMarkerChanges} of an insert of {@code len} at
   * {@code insertIndex}. That item is then also the visible item that ends at the marker's index, and a walk right
   * from any item whose index is known and lower reaches it. Both walks go on at once, a step each in turn, and
   * the first to arrive answers, so the cost is twice the shorter walk's: Yjs's walk alone passed ~4,800 tombstones
   * a time in a long trace replayed in one transaction (a deleted run start left of a large deleted block). The
   * walk right starts from the nearest known position below the index: a search hint, another marker (those this
   * insert already shifted are shifted back), or the type's start. Leaves the marker's new index in
   * {@code indexes[i]}; returns {@code null} if nothing visible precedes the item (Yjs then drops the marker). Not
   * for a type that has items of length 0 ({@link SharedType#emptyItems}): one may end at the index after the item
   * that the walk right meets first.
   */
  private Item lastVisibleBefore(int i, int insertIndex, int len) {
    int target = indexes[i];
    if (target <= 0) {
      return null; // nothing visible before it: Yjs's walk runs off the start
    }
    Item from = type.start;
    int fromIndex = 0;
    if (hints.closer(target, -1)) {
      from = hints.foundItem;
      fromIndex = hints.foundIndex;
    }
    for (int j = 0; j < size; j++) {
      int m = indexes[j];
      if (j > i && m >= insertIndex) {
        m -= len; // already shifted by this insert (markers are fixed up from the last slot down)
      }
      if (m < target && m > fromIndex) {
        from = items[j];
        fromIndex = m;
      }
    }
    Item left = items[i];
    Item right = from;
    int rightIndex = fromIndex;
    while (true) {
      left = left.left;
      if (left == null) {
        return null;
      }
      if (left.isVisible()) {
        indexes[i] = target - left.length;
        return left;
      }
      if (right != null) {
        if (right.isVisible()) {
          int end = rightIndex + right.length;
          if (end >= target) {
            if (end == target) {
              indexes[i] = rightIndex;
              return right;
            }
            right = null; // cannot happen while the indexes are exact: Yjs's walk alone decides
            continue;
          }
          rightIndex = end;
        }
        right = right.right;
      }
    }
  }

  private void remove(int i) {
    int tail = size - i - 1;
    System.arraycopy(items, i + 1, items, i, tail);
    System.arraycopy(indexes, i + 1, indexes, i, tail);
    System.arraycopy(timestamps, i + 1, timestamps, i, tail);
    items[--size] = null;
  }
}
