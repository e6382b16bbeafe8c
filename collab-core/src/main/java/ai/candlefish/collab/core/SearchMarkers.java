package ai.candlefish.collab.core;

/**
 * Cached (item, index) positions in a list type, so that finding an index walks from the nearest known position
 * instead of from the start (Yjs's array search markers). A marker always points at the start of a visible or
 * deleted item; markers are fixed up on every insert and delete through {@link #updateMarkerChanges}.
 */
final class SearchMarkers {
  static final int MAX = 80;

  private static final class Marker {
    Item p;
    int index;
    long timestamp;
  }

  private final Marker[] markers = new Marker[MAX];
  private int size;
  private long clock;

  void clear() {
    for (int i = 0; i < size; i++) {
      markers[i].p.setMarker(false);
      markers[i] = null;
    }
    size = 0;
  }

  /** Called when {@code merged} is merged into {@code into}: markers on it move to the merged item. */
  void replaceMerged(Item merged, Item into) {
    for (int i = 0; i < size; i++) {
      Marker m = markers[i];
      if (m.p == merged) {
        m.p = into;
        if (!into.isDeleted() && into.isCountable()) {
          m.index -= into.length;
        }
      }
    }
  }

  private Marker mark(Item p, int index) {
    Marker m;
    if (size >= MAX) {
      // Reuse the least recently used marker.
      m = markers[0];
      for (int i = 1; i < size; i++) {
        if (markers[i].timestamp < m.timestamp) {
          m = markers[i];
        }
      }
      m.p.setMarker(false);
    } else {
      m = new Marker();
      markers[size++] = m;
    }
    m.p = p;
    p.setMarker(true);
    m.index = index;
    m.timestamp = clock++;
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
    Marker marker = null;
    int best = Integer.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      int d = Math.abs(index - markers[i].index);
      if (d < best) {
        best = d;
        marker = markers[i];
      }
    }
    Item p = type.start;
    int pindex = 0;
    if (marker != null) {
      p = marker.p;
      pindex = marker.index;
      marker.timestamp = clock++;
    }
    // Walk right, then left if needed.
    while (p.right != null && pindex < index) {
      if (p.isVisible()) {
        if (index < pindex + p.length) {
          break;
        }
        pindex += p.length;
      }
      p = p.right;
    }
    while (p.left != null && pindex > index) {
      p = p.left;
      if (p.isVisible()) {
        pindex -= p.length;
      }
    }
    // Never point at an item that may be merged into its left neighbour.
    while (p.left != null && p.left.client == p.client && p.left.clock + p.left.length == p.clock) {
      p = p.left;
      if (p.isVisible()) {
        pindex -= p.length;
      }
    }
    if (marker != null && Math.abs(marker.index - pindex) < type.length / MAX) {
      marker.p.setMarker(false);
      marker.p = p;
      p.setMarker(true);
      marker.index = pindex;
      marker.timestamp = clock++;
      foundItem = p;
      foundIndex = pindex;
    } else {
      Marker m = mark(p, pindex);
      foundItem = m.p;
      foundIndex = m.index;
    }
    return true;
  }

  Item foundItem;
  int foundIndex;

  /** Fixes up markers after {@code len} units were inserted (positive) or deleted (negative) at {@code index}. */
  void updateMarkerChanges(int index, int len) {
    for (int i = size - 1; i >= 0; i--) {
      Marker m = markers[i];
      if (len > 0) {
        Item p = m.p;
        p.setMarker(false);
        // Move the marker to a visible item so that the position comparison below is right.
        while (p != null && (p.isDeleted() || !p.isCountable())) {
          p = p.left;
          if (p != null && p.isVisible()) {
            m.index -= p.length;
          }
        }
        if (p == null || p.isMarker()) {
          // Gone, or another marker already points there.
          System.arraycopy(markers, i + 1, markers, i, size - i - 1);
          markers[--size] = null;
          continue;
        }
        m.p = p;
        p.setMarker(true);
      }
      if (index < m.index || (len > 0 && index == m.index)) {
        m.index = Math.max(index, m.index + len);
      }
    }
  }
}
