package ai.candlefish.collab.core;

import java.util.Arrays;

/**
 * The items a conflict scan ({@link Item#integrate}) has passed, by their position in the scan: a run of the
 * list's {@code right} links from the scan's first item. Yjs keeps two sets of them (items before the origin,
 * conflicting items); both are prefixes and suffixes of that run, so positions answer both. Indexed lazily: a
 * scan that only meets items with this item's own origin (every map entry, most concurrent typing) never builds
 * the table. Open addressing on the item's id, no boxing. Used by one integration at a time (no threads).
 */
final class VisitedItems {
  private Item[] keys = new Item[16];
  private int[] positions = new int[16];
  private int size;
  /** The next item of the run to be indexed, and its position. */
  private Item next;
  private int nextPosition;

  VisitedItems(Item first) {
    next = first;
  }

  /**
   * The position of {@code s} in the run if it is among its first {@code upTo + 1} items, else -1. The run is
   * indexed up to position {@code upTo} first (the caller has passed that far).
   */
  int positionOf(AbstractStruct s, int upTo) {
    while (nextPosition <= upTo) {
      put(next, nextPosition++);
      next = next.right;
    }
    if (!(s instanceof Item item)) {
      return -1;
    }
    int mask = keys.length - 1;
    for (int i = hash(item) & mask; keys[i] != null; i = (i + 1) & mask) {
      if (keys[i] == item) {
        return positions[i];
      }
    }
    return -1;
  }

  private void put(Item item, int position) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = hash(item) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = item;
    positions[i] = position;
    size++;
  }

  private void grow() {
    Item[] oldKeys = keys;
    int[] oldPositions = positions;
    keys = new Item[oldKeys.length * 2];
    positions = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != null) {
        int i = hash(oldKeys[j]) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        positions[i] = oldPositions[j];
      }
    }
    Arrays.fill(oldKeys, null);
  }

  // Items in one list never share an id.
  private static int hash(Item item) {
    long h = (item.client * 0x9E3779B97F4A7C15L) ^ item.clock;
    h *= 0xC2B2AE3D27D4EB4FL;
    return (int) (h ^ (h >>> 32));
  }
}
