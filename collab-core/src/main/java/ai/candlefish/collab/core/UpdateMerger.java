package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The algebra of encoded updates, v1 or v2, without a document (Yjs {@code mergeUpdates}, {@code diffUpdate},
 * {@code convertUpdateFormat} and their V2 variants): structs are
 * decoded one by one and written again, clients in descending order, overlaps sliced, gaps filled with
 * {@link Skip}s. The output is byte-identical to Yjs's for the same inputs.
 */
final class UpdateMerger {
  private UpdateMerger() {}

  /** A decoded update: its structs in wire order and its delete set. */
  record Stream(List<AbstractStruct> structs, DeleteSet deletes) {}

  /** Reads structs one at a time, optionally skipping {@link Skip}s (Yjs {@code LazyStructReader}). */
  private static final class Reader {
    final List<AbstractStruct> structs;
    final boolean filterSkips;
    int next;
    AbstractStruct curr;
    /** Among readers whose structs tie, the one with the higher stamp comes first (see {@link Heads}). */
    long stamp;
    /** The struct {@link Heads} counts this reader at. */
    AbstractStruct counted;

    Reader(List<AbstractStruct> structs, boolean filterSkips) {
      this.structs = structs;
      this.filterSkips = filterSkips;
      advance();
    }

    AbstractStruct advance() {
      do {
        curr = next < structs.size() ? structs.get(next++) : null;
      } while (filterSkips && curr instanceof Skip);
      return curr;
    }
  }

  /**
   * The readers in the order Yjs's {@code mergeUpdates} sorts them into before each struct it writes, without
   * sorting them all each time (which made a merge of n one-struct updates cost n^2 log n).
   *
   * <p>Yjs sorts with V8's stable TimSort, and between two sorts only the reader in front has moved. Where the
   * comparator is consistent, a stable sort's result is fixed: by key, ties in the order of the array before the sort,
   * where the reader that moved stands first. So a priority queue by key, ties to the reader that moved last (the
   * highest {@link Reader#stamp}), yields the same front in O(log n).
   *
   * <p>The comparator is not consistent for a GC and an Item at the same id: each is smaller than the other, so their
   * order depends on every step of V8's algorithm over the whole array. While two readers stand at such a pair, the
   * readers are laid out as the array Yjs holds and sorted exactly as V8 does ({@link JsArraySort}); once no such pair
   * is left, the array's positions become the stamps again. (Such a pair waiting while many other structs are
   * written costs what every merge cost before: a full sort per struct.)
   */
  private static final class Heads {
    private final PriorityQueue<Reader> queue = new PriorityQueue<>(Heads::order);
    /** Per id that some reader stands at: how many readers stand at a GC there, and how many at an Item. */
    private final Map<ID, int[]> atId = new HashMap<>();
    /** How many ids of {@link #atId} have both a GC and an Item: while any, the readers are sorted as an array. */
    private int inconsistentIds;
    /** The readers as Yjs's array holds them while {@link #inconsistentIds} is positive; null while queued. */
    private List<Reader> array;
    /** The reader {@link #next} returned last (out of the queue while queued). */
    private Reader front;
    private long lastStamp;

    Heads(List<Reader> readers) {
      array = new ArrayList<>(readers);
      for (Reader r : array) {
        count(r);
      }
    }

    /** The reader Yjs's sort puts in front, once the front reader has moved (null when all are exhausted). */
    Reader next() {
      if (front != null) {
        count(front);
      }
      if (array == null && inconsistentIds > 0) {
        // The array before Yjs's sort: the reader that moved, then the others as the last sort left them.
        List<Reader> rest = new ArrayList<>(queue);
        rest.sort(Heads::order);
        array = new ArrayList<>(rest.size() + 1);
        if (front != null) {
          array.add(front);
        }
        array.addAll(rest);
        queue.clear();
      }
      if (array != null) {
        array.removeIf(r -> r.curr == null);
        if (inconsistentIds > 0) {
          JsArraySort.sort(array, Heads::yjsOrder);
          front = array.isEmpty() ? null : array.get(0);
          return front;
        }
        for (int i = 0; i < array.size(); i++) {
          array.get(i).stamp = lastStamp + array.size() - i;
        }
        lastStamp += array.size();
        queue.addAll(array);
        array = null;
      } else if (front != null && front.curr != null) {
        front.stamp = ++lastStamp;
        queue.add(front);
      }
      front = queue.poll();
      return front;
    }

    /** Moves {@code r}'s count in {@link #atId} from the struct it was counted at to the one it stands at now. */
    private void count(Reader r) {
      if (r.counted != null) {
        ID id = new ID(r.counted.client, r.counted.clock);
        int[] n = atId.get(id);
        boolean wasInconsistent = n[0] > 0 && n[1] > 0;
        n[r.counted instanceof Item ? 1 : 0]--;
        if (n[0] == 0 && n[1] == 0) {
          atId.remove(id);
        } else if (wasInconsistent && (n[0] == 0 || n[1] == 0)) {
          inconsistentIds--;
        }
      }
      r.counted = r.curr;
      if (r.curr != null) {
        int[] n = atId.computeIfAbsent(new ID(r.curr.client, r.curr.clock), k -> new int[2]);
        boolean wasInconsistent = n[0] > 0 && n[1] > 0;
        n[r.curr instanceof Item ? 1 : 0]++;
        if (!wasInconsistent && n[0] > 0 && n[1] > 0) {
          inconsistentIds++;
        }
      }
    }

    /** Yjs's order where it is consistent: higher clients first, then lower clocks; ties to the latest stamp. */
    private static int order(Reader a, Reader b) {
      int c = keyOrder(a.curr, b.curr);
      return c != 0 ? c : Long.compare(b.stamp, a.stamp);
    }

    private static int keyOrder(AbstractStruct a, AbstractStruct b) {
      if (a.client != b.client) {
        return Long.compare(b.client, a.client);
      }
      if (a.clock != b.clock) {
        return Integer.compare(a.clock, b.clock);
      }
      // Unlike Yjs, an item of length 0 before the struct that shares its clock: the other way round it is taken
      // for part of what was written, and dropped, though what follows may name it as its origin.
      return Boolean.compare(a.length != 0, b.length != 0);
    }

    /** Yjs's comparator as it is, with a GC and an Item at the same id each smaller than the other. */
    private static int yjsOrder(Reader a, Reader b) {
      if (a.curr.client == b.curr.client && a.curr.clock == b.curr.clock && a.curr.getClass() != b.curr.getClass()) {
        return a.curr instanceof Skip ? 1 : -1;
      }
      return keyOrder(a.curr, b.curr);
    }
  }

  /**
   * Writes structs grouped per client run (Yjs {@code LazyStructWriter}): each run's count, client and first clock
   * come first, so the rest of each run is collected apart and appended once the run ends. Columns (v2) are shared.
   */
  private static final class Writer {
    final UpdateEncoder out;
    final List<byte[]> parts = new ArrayList<>();
    final List<Integer> counts = new ArrayList<>();
    long currClient;
    int written;

    Writer(UpdateEncoder out) {
      this.out = out;
    }

    void write(AbstractStruct s, int offset) {
      if (written > 0 && currClient != s.client) {
        flush();
      }
      if (written == 0) {
        currClient = s.client;
        out.writeClient(s.client);
        out.writeVarUint(s.clock + offset);
      }
      s.write(out, offset);
      written++;
    }

    void flush() {
      if (written > 0) {
        parts.add(out.takeRest());
        counts.add(written);
        written = 0;
      }
    }

    void finish() {
      flush();
      out.writeVarUint(parts.size());
      for (int i = 0; i < parts.size(); i++) {
        out.writeVarUint(counts.get(i));
        out.rest.writeUint8Array(parts.get(i));
      }
    }
  }

  static AbstractStruct slice(AbstractStruct left, int diff) {
    if (left instanceof GC) {
      return new GC(left.client, left.clock + diff, left.length - diff);
    }
    if (left instanceof Skip) {
      return new Skip(left.client, left.clock + diff, left.length - diff);
    }
    Item item = (Item) left;
    return new Item(item.client, item.clock + diff, null, new ID(item.client, item.clock + diff - 1), null,
        item.rightOrigin, item.parent, item.parentSub, item.content.splice(diff));
  }

  static byte[] merge(List<Stream> updates, UpdateFormat format) {
    List<Reader> readers = new ArrayList<>();
    for (Stream s : updates) {
      readers.add(new Reader(s.structs(), true));
    }
    Heads heads = new Heads(readers);
    UpdateEncoder out = format.newEncoder();
    Writer writer = new Writer(out);
    AbstractStruct currWrite = null;
    int currOffset = 0;
    for (Reader currDecoder = heads.next(); currDecoder != null; currDecoder = heads.next()) {
      long firstClient = currDecoder.curr.client;
      if (currWrite != null) {
        AbstractStruct curr = currDecoder.curr;
        boolean iterated = false;
        // Skip what was already written (higher clients are written first).
        while (curr != null && curr.clock + curr.length <= currWrite.clock + currWrite.length
            && curr.client >= currWrite.client) {
          curr = currDecoder.advance();
          iterated = true;
        }
        if (curr == null || curr.client != firstClient
            || (iterated && curr.clock > currWrite.clock + currWrite.length)) {
          continue;
        }
        if (firstClient != currWrite.client) {
          writer.write(currWrite, currOffset);
          currWrite = curr;
          currOffset = 0;
          currDecoder.advance();
        } else if (currWrite.clock + currWrite.length < curr.clock) {
          if (currWrite instanceof Skip) {
            currWrite.length = curr.clock + curr.length - currWrite.clock;
          } else {
            writer.write(currWrite, currOffset);
            int diff = curr.clock - currWrite.clock - currWrite.length;
            currWrite = new Skip(firstClient, currWrite.clock + currWrite.length, diff);
            currOffset = 0;
          }
        } else {
          int diff = currWrite.clock + currWrite.length - curr.clock;
          if (diff > 0) {
            if (currWrite instanceof Skip) {
              // Prefer slicing the Skip: the other struct carries information.
              currWrite.length -= diff;
            } else {
              curr = slice(curr, diff);
            }
          }
          if (!mergeable(currWrite, curr)) {
            writer.write(currWrite, currOffset);
            currWrite = curr;
            currOffset = 0;
            currDecoder.advance();
          }
        }
      } else {
        currWrite = currDecoder.curr;
        currOffset = 0;
        currDecoder.advance();
      }
      for (AbstractStruct next = currDecoder.curr;
          next != null && next.client == firstClient && next.clock == currWrite.clock + currWrite.length
              && !(next instanceof Skip);
          next = currDecoder.advance()) {
        writer.write(currWrite, currOffset);
        currWrite = next;
        currOffset = 0;
      }
    }
    if (currWrite != null) {
      writer.write(currWrite, currOffset);
    }
    writer.finish();
    DeleteSet ds = new DeleteSet();
    for (Stream s : updates) {
      ds.addAll(s.deletes());
    }
    ds.sortAndMerge();
    ds.write(out);
    return out.toByteArray();
  }

  /**
   * Merges {@code right} into {@code left} where Yjs's update merge does: only GCs and Skips merge (decoded items
   * have no neighbours, so Yjs's item merge never succeeds here).
   */
  private static boolean mergeable(AbstractStruct left, AbstractStruct right) {
    if (left instanceof Item) {
      return false;
    }
    return left.mergeWith(right);
  }

  /** The part of an update that a peer with state vector {@code sv} lacks. */
  /** Rewrites every struct of {@code update} through {@code f}, keeping the delete set (Yjs {@code convertUpdateFormat}). */
  static byte[] transform(Stream update, UpdateFormat format, java.util.function.UnaryOperator<AbstractStruct> f) {
    UpdateEncoder out = format.newEncoder();
    Writer writer = new Writer(out);
    for (AbstractStruct s : update.structs()) {
      writer.write(f.apply(s), 0);
    }
    writer.finish();
    update.deletes().write(out);
    return out.toByteArray();
  }

  /** Yjs's {@code parseUpdateMeta}: per client, the first clock and the clock after the last struct. */
  /**
   * The clock ranges of an update's structs as they go by in wire order (Yjs {@code parseUpdateMeta}): per client,
   * from its first struct's clock to its last struct's end.
   */
  static final class Meta implements UpdateReader.StructSink {
    private final java.util.Map<Long, Integer> from = new java.util.LinkedHashMap<>();
    private final java.util.Map<Long, Integer> to = new java.util.LinkedHashMap<>();
    private boolean any;
    private long currClient;
    private int currClock;

    @Override
    public void accept(AbstractStruct curr) {
      if (!any || currClient != curr.client) {
        if (any) {
          to.put(currClient, currClock);
        }
        from.put(curr.client, curr.clock);
        currClient = curr.client;
        any = true;
      }
      currClock = curr.clock + curr.length;
    }

    Updates.UpdateMeta meta() {
      java.util.Map<Long, Integer> ends = new java.util.LinkedHashMap<>(to);
      if (any) {
        ends.put(currClient, currClock);
      }
      return new Updates.UpdateMeta(java.util.Collections.unmodifiableMap(from),
          java.util.Collections.unmodifiableMap(ends));
    }
  }

  static byte[] diff(Stream update, StateVector sv, UpdateFormat format) {
    UpdateEncoder out = format.newEncoder();
    Writer writer = new Writer(out);
    Reader reader = new Reader(update.structs(), false);
    while (reader.curr != null) {
      AbstractStruct curr = reader.curr;
      long currClient = curr.client;
      int svClock = sv.get(currClient);
      if (curr instanceof Skip) {
        reader.advance();
        continue;
      }
      // A client the peer does not know is sent whole, also its first items of length 0, as a document's state is
      // (see UpdateWriter.writeStructs); Yjs leaves them out.
      if (curr.clock + curr.length > svClock || !sv.has(currClient)) {
        writer.write(curr, Math.max(svClock - curr.clock, 0));
        reader.advance();
        while (reader.curr != null && reader.curr.client == currClient) {
          writer.write(reader.curr, 0);
          reader.advance();
        }
      } else {
        while (reader.curr != null && reader.curr.client == currClient
            && reader.curr.clock + reader.curr.length <= svClock) {
          reader.advance();
        }
      }
    }
    writer.finish();
    update.deletes().write(out);
    return out.toByteArray();
  }

  /**
   * An update written again in {@code format}, struct by struct, Skips kept (Yjs {@code convertUpdateFormat}).
   */
  static byte[] convert(Stream update, UpdateFormat format) {
    UpdateEncoder out = format.newEncoder();
    Writer writer = new Writer(out);
    for (AbstractStruct s : update.structs()) {
      writer.write(s, 0);
    }
    writer.finish();
    update.deletes().write(out);
    return out.toByteArray();
  }

  /** The state vector of what an update contains from clock 0 on (Yjs {@code encodeStateVectorFromUpdate}). */
  static StateVector stateVector(Stream update) {
    StateVector sv = new StateVector();
    List<AbstractStruct> structs = update.structs();
    if (structs.isEmpty()) {
      return sv;
    }
    AbstractStruct curr = structs.get(0);
    long currClient = curr.client;
    boolean stopCounting = curr.clock != 0;
    int currClock = stopCounting ? 0 : curr.clock + curr.length;
    for (int i = 0; i < structs.size(); i++) {
      curr = structs.get(i);
      if (currClient != curr.client) {
        if (currClock != 0) {
          sv.set(currClient, currClock);
        }
        currClient = curr.client;
        currClock = 0;
        stopCounting = curr.clock != 0;
      }
      if (curr instanceof Skip) {
        stopCounting = true;
      }
      if (!stopCounting) {
        currClock = curr.clock + curr.length;
      }
    }
    if (currClock != 0) {
      sv.set(currClient, currClock);
    }
    return sv;
  }
}
