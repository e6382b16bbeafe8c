package ai.candlefish.collab.core;

import java.util.Arrays;
import java.util.Map;

/**
 * Deleted clock ranges per client. Deletions are not structs: they travel as this compact set of ranges after
 * the structs of an update.
 */
final class DeleteSet {
  /** Per client: flat pairs (clock, length), sorted and merged after {@link #sortAndMerge()}. */
  // Insertion-ordered like the JavaScript Map in Yjs: some cleanups depend on the order clients were added.
  final ClientMap<Ranges> clients = new ClientMap<>();

  static final class Ranges {
    int[] data = new int[8];
    int size; // number of ints used (2 per range)

    void add(int clock, int len) {
      if (size >= 2) {
        // Fast path for the common case of consecutive deletions: extend the last range.
        int lastClock = data[size - 2];
        int lastLen = data[size - 1];
        if (lastClock + lastLen == clock) {
          data[size - 1] = lastLen + len;
          return;
        }
      }
      if (size + 2 > data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = clock;
      data[size++] = len;
    }

    /** Appends a range as it is, merging nothing. */
    void append(int clock, int len) {
      if (size + 2 > data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = clock;
      data[size++] = len;
    }

    int count() {
      return size >> 1;
    }

    /** The same ranges in the same order (Yjs compares delete sets range by range). */
    boolean sameAs(Ranges other) {
      return size == other.size && Arrays.equals(data, 0, size, other.data, 0, size);
    }

    int clock(int i) {
      return data[i << 1];
    }

    int len(int i) {
      return data[(i << 1) + 1];
    }

    void sortAndMerge() {
      sortAndMerge(true);
    }

    /**
     * Sorts the ranges and merges those that overlap; touching ones stay apart, as a delete set applied range by range
     * keeps them (a range that starts where an item of length 0 stands skips it; merged with the range before, it
     * would not). A walk of the structs under the ranges then visits each about once, where ranges written over each
     * other (a hostile update may hold 100,000s of them) would have it visit the same structs once per range.
     */
    void sortAndMergeOverlaps() {
      sortAndMerge(false);
    }

    private void sortAndMerge(boolean touching) {
      int n = count();
      if (n > 1) {
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
          sorted = clock(i - 1) <= clock(i);
        }
        if (!sorted) {
          long[] packed = new long[n];
          for (int i = 0; i < n; i++) {
            packed[i] = ((long) clock(i) << 32) | (len(i) & 0xFFFFFFFFL);
          }
          Arrays.sort(packed);
          for (int i = 0; i < n; i++) {
            data[i << 1] = (int) (packed[i] >>> 32);
            data[(i << 1) + 1] = (int) packed[i];
          }
        }
        int j = 1;
        for (int i = 1; i < n; i++) {
          int leftClock = data[(j - 1) << 1];
          int leftLen = data[((j - 1) << 1) + 1];
          int rightClock = data[i << 1];
          int rightLen = data[(i << 1) + 1];
          if (leftClock + leftLen > rightClock || touching && leftClock + leftLen == rightClock) {
            data[((j - 1) << 1) + 1] = Math.max(leftLen, rightClock + rightLen - leftClock);
          } else {
            data[j << 1] = rightClock;
            data[(j << 1) + 1] = rightLen;
            j++;
          }
        }
        size = j << 1;
      }
    }

    /**
     * Whether {@code [clock, clock + len)} is within one of the (sorted) ranges; for a range that spans several
     * adjacent ones, only once they are merged.
     */
    boolean containsRange(int clock, int len) {
      int lo = 0;
      int hi = count() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = clock(mid);
        if (c <= clock) {
          if ((long) clock + len <= (long) c + len(mid)) {
            return true;
          }
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return false;
    }

    /** Whether {@code clock} is in one of the (sorted) ranges. */
    boolean contains(int clock) {
      return containsRange(clock, 1);
    }
  }

  // Deletions come in runs from one client: remember the last client's ranges.
  private long lastClient = -1;
  private Ranges lastRanges;

  void add(long client, int clock, int len) {
    if (client != lastClient || lastRanges == null) {
      lastRanges = clients.get(client);
      if (lastRanges == null) {
        lastRanges = new Ranges();
        clients.put(client, lastRanges);
      }
      lastClient = client;
    }
    lastRanges.add(clock, len);
  }

  /**
   * Appends a range to {@code client}'s ranges as it is, without sorting or merging: Yjs keeps the ranges of a
   * decoded delete set exactly as they were written, and a snapshot's bytes and equality depend on that.
   */
  void addRaw(long client, int clock, int len) {
    Ranges r = clients.get(client);
    if (r == null) {
      r = new Ranges();
      clients.put(client, r);
    }
    r.append(clock, len);
  }

  /** Yjs's {@code equalDeleteSets}: the same clients, each with the same ranges in the same order. */
  boolean sameRanges(DeleteSet other) {
    if (clients.size() != other.clients.size()) {
      return false;
    }
    for (Map.Entry<Long, Ranges> e : clients.entrySet()) {
      Ranges mine = e.getValue();
      Ranges theirs = other.clients.get(e.getKey());
      if (theirs == null ? mine.count() != 0 : !mine.sameAs(theirs)) {
        return false;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return clients.isEmpty();
  }

  boolean isDeleted(long client, int clock) {
    Ranges r = clients.get(client);
    return r != null && r.contains(clock);
  }

  void sortAndMerge() {
    for (int p = 0; p < clients.end(); p++) {
      Ranges r = clients.valueAt(p);
      if (r != null) {
        r.sortAndMerge();
      }
    }
  }

  /** {@link Ranges#sortAndMergeOverlaps()} for every client. */
  void sortAndMergeOverlaps() {
    for (int p = 0; p < clients.end(); p++) {
      Ranges r = clients.valueAt(p);
      if (r != null) {
        r.sortAndMergeOverlaps();
      }
    }
  }

  void write(UpdateEncoder encoder) {
    if (clients.isEmpty()) {
      encoder.writeVarUint(0);
      return;
    }
    // Clients in descending order, the order Yjs writes them in (sorted as plain longs: ids are never negative).
    long[] sorted = new long[clients.size()];
    int count = 0;
    for (int p = 0; p < clients.end(); p++) {
      if (clients.valueAt(p) != null) {
        sorted[count++] = clients.keyAt(p);
      }
    }
    if (count > 1) {
      Arrays.sort(sorted);
    }
    // As they are, as Yjs writes them: in v2 a range out of order makes a negative distance, which Yjs writes as one
    // byte (UpdateEncoderV2.writeDsClock). A range of length 0 (a deleted item of length 0, which Yjs writes for
    // insertEmbed(i, "")) cannot be written in v2, where Yjs fails: it deletes nothing, so it is left out, and so is
    // a client that has no other (what Yjs writes for the update without them).
    boolean v2 = encoder instanceof UpdateEncoderV2;
    int[] written = new int[count];
    int writtenClients = 0;
    for (int k = 0; k < count; k++) {
      Ranges r = clients.get(sorted[k]);
      for (int i = 0; i < r.count(); i++) {
        written[k] += v2 && r.len(i) == 0 ? 0 : 1;
      }
      writtenClients += written[k] > 0 || !v2 ? 1 : 0;
    }
    encoder.writeVarUint(writtenClients);
    for (int k = count - 1; k >= 0; k--) {
      if (v2 && written[k] == 0) {
        continue;
      }
      Ranges r = clients.get(sorted[k]);
      encoder.resetDsCurVal();
      encoder.writeVarUint(sorted[k]);
      encoder.writeVarUint(written[k]);
      for (int i = 0; i < r.count(); i++) {
        if (!v2 || r.len(i) > 0) {
          encoder.writeDsClock(r.clock(i));
          encoder.writeDsLen(r.len(i));
        }
      }
    }
  }

  /** The deletions recorded in a store: every deleted struct, adjacent ones merged. */
  static DeleteSet fromStore(StructStore store) {
    DeleteSet ds = new DeleteSet();
    for (int c = 0; c < store.clientCount(); c++) {
      StructList structs = store.listAt(c);
      Ranges ranges = null;
      for (int i = 0; i < structs.size; i++) {
        AbstractStruct s = structs.get(i);
        if (s.isDeleted()) {
          int clock = s.clock;
          int len = s.length;
          while (i + 1 < structs.size && structs.get(i + 1).isDeleted()) {
            len += structs.get(++i).length;
          }
          if (ranges == null) {
            ranges = new Ranges();
          }
          // Not merged with the range before: as Yjs, ranges apart where an item of length 0 that is not deleted
          // stands between deleted ones (other adjacent deleted structs are one range already).
          ranges.append(clock, len);
        }
      }
      if (ranges != null) {
        ds.clients.put(store.clientAt(c), ranges);
      }
    }
    return ds;
  }

  /** Removes and returns {@code client}'s ranges (null if none). */
  Ranges remove(long client) {
    if (client == lastClient) {
      lastRanges = null;
    }
    return clients.remove(client);
  }

  /** Adds all ranges of {@code other}; call {@link #sortAndMerge()} afterwards. */
  void addAll(DeleteSet other) {
    for (Map.Entry<Long, Ranges> e : other.clients.entrySet()) {
      Ranges r = e.getValue();
      for (int i = 0; i < r.count(); i++) {
        add(e.getKey(), r.clock(i), r.len(i));
      }
    }
  }
}
