package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Received structs that depend on structs not received yet, and received deletions of structs not received yet.
 *
 * <p>Yjs keeps waiting structs as one encoded update ({@code store.pendingStructs}): each update's rest is merged into
 * it ({@code mergeUpdatesV2}), and when a clock it misses arrives, the whole update is decoded and integrated again;
 * what still waits is encoded anew. Here the same structs are kept decoded, per client, in runs of consecutive
 * clocks (ordered by clock), so that an update that fills nothing costs only its own structs, and a retry touches
 * the clients that wait and the structs that integrate, not everything that waits. Everything Yjs shows of them
 * stays the same: which structs wait is exactly what Yjs's pending update holds (its Skips aside, which no reader
 * of it keeps), retries happen when Yjs's do ({@link #missing} is Yjs's), a retry integrates in Yjs's order (the
 * same walk, {@link UpdateReader#integrateStructs}), and {@link #encode} writes the update Yjs would hold.
 *
 * <p>A rest is added to the runs directly when none of its structs overlaps or touches a waiting struct of its
 * client: Yjs's merge then gives the union, sorted. Otherwise (a duplicate, a struct split differently, two
 * collected ranges that meet, which Yjs's merge joins) the waiting structs are encoded and merged with the rest as
 * Yjs merges them, which costs what Yjs pays at every update.
 */
final class Pending {
  /** The format waiting structs round-trip through, v2, as in Yjs (so that their values are those Yjs keeps). */
  static final UpdateFormat FORMAT = UpdateFormat.V2;

  /** Waiting structs per client. */
  private final TreeMap<Long, Runs> structs = new TreeMap<>();
  private int structCount;
  /** An estimate of the encoded size of the waiting structs. */
  private long structBytes;
  /** The lowest missing clock per client that blocks the waiting structs (Yjs's {@code pendingStructs.missing}). */
  final Map<Long, Integer> missing = new HashMap<>();
  /** Waiting deletions; each client's ranges sorted and merged, so the first is the lowest. */
  final DeleteSet deletes = new DeleteSet();

  /** One client's waiting structs: runs of consecutive clocks, keyed by the first clock of each. */
  static final class Runs {
    final TreeMap<Integer, Run> byClock = new TreeMap<>();
    int count;

    void add(Run run) {
      byClock.put(run.firstClock(), run);
      count += run.end - run.start;
    }
  }

  /** Structs of one client with consecutive clocks: {@code structs[start..end)}. */
  static final class Run {
    final AbstractStruct[] structs;
    int start;
    final int end;

    Run(AbstractStruct[] structs, int start, int end) {
      this.structs = structs;
      this.start = start;
      this.end = end;
    }

    int firstClock() {
      return structs[start].clock;
    }

    int endClock() {
      AbstractStruct last = structs[end - 1];
      return last.clock + last.length;
    }
  }

  boolean isEmpty() {
    return structs.isEmpty() && deletes.isEmpty();
  }

  boolean hasStructs() {
    return !structs.isEmpty();
  }

  /** How many structs wait. */
  int structCount() {
    return structCount;
  }

  // ------------------------------------------------------------------------------------------------------ weight

  /*
   * What waits is weighed by the memory it holds, not only by its encoded size: v2 writes a run of structs alike
   * (same kind, same origin or the previous clock, same length) in a few bytes whatever their number, and a v1 delete
   * set names a client in a few bytes, while each decoded struct and each client's ranges are objects of their own.
   * A weight counted in encoded bytes let 1,000,000 waiting structs of a 4 MB v1 update (108 MB of heap) weigh 328
   * bytes. Measured with compressed oops (benchmarks/RESULTS.md, "Hostile probes"): a waiting deleted item 108 bytes,
   * a client's waiting deletions with one range 125 bytes.
   */

  /** The heap of a decoded waiting struct beyond its content: the struct, its origin id, its content object. */
  static final int STRUCT_WEIGHT = 108;
  /** The heap of a client's entry in the waiting deletions, beyond its ranges. */
  static final int DELETE_CLIENT_WEIGHT = 116;
  /** The heap of one waiting deleted range (two ints). */
  static final int DELETE_RANGE_WEIGHT = 8;

  /** An estimate of the memory what waits holds, in bytes: what {@link UpdateLimits#maxPendingBytes()} bounds. */
  long weight() {
    long weight = structBytes + (long) STRUCT_WEIGHT * structCount;
    for (DeleteSet.Ranges ranges : deletes.clients.values()) {
      weight += DELETE_CLIENT_WEIGHT + (long) DELETE_RANGE_WEIGHT * ranges.count();
    }
    return weight;
  }

  /**
   * What keeping {@code rest} (structs that could not be integrated, per client) would add to {@link #weight()}, at
   * most: the structs that do not wait already (a duplicate adds nothing), at their encoded size and
   * {@link #STRUCT_WEIGHT} each.
   */
  long weightOf(Map<Long, List<AbstractStruct>> rest) {
    Map<Long, List<AbstractStruct>> added = new HashMap<>();
    int count = 0;
    for (Map.Entry<Long, List<AbstractStruct>> e : rest.entrySet()) {
      Runs waiting = structs.get(e.getKey());
      List<AbstractStruct> fresh = new ArrayList<>();
      for (AbstractStruct s : e.getValue()) {
        Map.Entry<Integer, Run> run = waiting == null ? null : waiting.byClock.floorEntry(s.clock);
        if (!(s instanceof Skip) && (run == null || run.getValue().endClock() < s.clock + s.length)) {
          fresh.add(s);
        }
      }
      if (!fresh.isEmpty()) {
        added.put(e.getKey(), fresh);
        count += fresh.size();
      }
    }
    return added.isEmpty() ? 0 : encodeRest(added).length + (long) STRUCT_WEIGHT * count;
  }

  /** What adding {@code ds} to the waiting deletions {@code waiting} would add to {@link #weight()}, at most. */
  static long weightOf(DeleteSet ds, DeleteSet waiting) {
    long weight = 0;
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      weight += (waiting.clients.get(e.getKey()) == null ? DELETE_CLIENT_WEIGHT : 0)
          + (long) DELETE_RANGE_WEIGHT * e.getValue().count();
    }
    return weight;
  }

  // ----------------------------------------------------------------------------------------------- waiting structs

  /**
   * Adds the rest of an update (structs that could not be integrated, per client in clock order) and the clocks it
   * misses. As in Yjs, the rest goes through v2 first.
   */
  void addStructs(Map<Long, List<AbstractStruct>> rest, Map<Long, Integer> restMissing) {
    for (Map.Entry<Long, Integer> e : restMissing.entrySet()) {
      missing.merge(e.getKey(), e.getValue(), Math::min);
    }
    byte[] encoded = encodeRest(rest);
    // Every client is judged against the waiting structs as they were (Yjs merges the old pending update with the
    // whole rest), then changed.
    List<AbstractStruct[]> blocks = new ArrayList<>();
    List<List<Run>> clientRuns = new ArrayList<>();
    TreeSet<Long> restClients = new TreeSet<>();
    for (AbstractStruct[] clientStructs : UpdateReader.decode(encoded, FORMAT).blocks()) {
      List<Run> runs = new ArrayList<>();
      splitIntoRuns(clientStructs, runs);
      if (!runs.isEmpty()) {
        blocks.add(clientStructs);
        clientRuns.add(runs);
        restClients.add(clientStructs[0].client);
      }
    }
    List<Merge> merges = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      long client = blocks.get(i)[0].client;
      Merge merge = merge(client, clientRuns.get(i), restClients.higher(client));
      if (merge == Merge.ONLY_WHOLE) {
        mergeWholeAsYjs(encoded);
        return;
      }
      merges.add(merge);
    }
    long bytes = encoded.length;
    for (int i = 0; i < blocks.size(); i++) {
      long client = blocks.get(i)[0].client;
      List<Run> runs = clientRuns.get(i);
      if (merges.get(i) == Merge.NONE) {
        Runs waiting = structs.computeIfAbsent(client, c -> new Runs());
        for (Run run : runs) {
          waiting.add(run);
          structCount += run.end - run.start;
        }
      } else {
        bytes += mergeAsYjs(client, runs, merges.get(i) == Merge.REST_FIRST);
      }
    }
    structBytes += bytes;
  }

  /** How one client's rest joins its waiting structs. */
  private enum Merge {
    /** Added as they are: nothing waiting overlaps or touches them. */
    NONE,
    /** Merged with the waiting structs they overlap, as Yjs's merge meets them: waiting first, or rest first. */
    WAITING_FIRST,
    REST_FIRST,
    /** Only a merge of everything that waits with the whole rest tells what Yjs's merge makes of them. */
    ONLY_WHOLE
  }

  /**
   * How the rest of {@code client} ({@code runs}) joins its waiting structs. Where the rest and the waiting structs
   * start at the same clock, Yjs's merge (a stable sort of the two updates' readers at every step) writes the one
   * whose reader comes first; that is the waiting update's if it had structs of the client before (it came first then
   * and stayed), else the reader that reached this client last (it was ahead, on a higher client, at the last sort
   * that told them apart), else (neither had higher clients) the waiting update's, which is the first of the two.
   * When both readers' previous client is the same, who left it last depends on how that client's structs merged.
   *
   * @param restPrevious the rest's client before this one (the lowest higher one), or null
   */
  private Merge merge(long client, List<Run> runs, Long restPrevious) {
    boolean clean = true;
    for (Run run : runs) {
      clean &= insertsCleanly(run);
    }
    if (clean) {
      return Merge.NONE;
    }
    int from = runs.get(0).firstClock();
    Runs waiting = structs.get(client);
    Run first = waiting.byClock.get(firstRegionKey(waiting, from));
    if (first == null || first.structs[firstReaching(first, from)].clock != from
        || waiting.byClock.firstKey() < from) {
      return Merge.WAITING_FIRST; // no tie, or the waiting update's reader is ahead within this client
    }
    Long waitingPrevious = structs.higherKey(client);
    if (waitingPrevious == null) {
      return restPrevious == null ? Merge.WAITING_FIRST : Merge.REST_FIRST;
    }
    if (restPrevious == null) {
      return Merge.WAITING_FIRST;
    }
    if (waitingPrevious.equals(restPrevious)) {
      return Merge.ONLY_WHOLE;
    }
    // Clients come highest first: the reader whose previous client is lower reached this one last.
    return waitingPrevious < restPrevious ? Merge.WAITING_FIRST : Merge.REST_FIRST;
  }

  /** Merges the whole rest with everything that waits, as Yjs's merge of the two updates does, and keeps the result. */
  private void mergeWholeAsYjs(byte[] encodedRest) {
    byte[] merged = UpdateMerger.merge(List.of(UpdateReader.decodeStream(encode(), FORMAT),
        UpdateReader.decodeStream(encodedRest, FORMAT)), FORMAT);
    structs.clear();
    structCount = 0;
    for (AbstractStruct[] clientStructs : UpdateReader.decode(merged, FORMAT).blocks()) {
      List<Run> runs = new ArrayList<>();
      structCount += splitIntoRuns(clientStructs, runs);
      if (!runs.isEmpty()) {
        Runs waiting = structs.computeIfAbsent(clientStructs[0].client, c -> new Runs());
        runs.forEach(waiting::add);
      }
    }
    structBytes = merged.length;
  }

  /**
   * Whether Yjs's merge of the waiting update with an update holding only {@code run} gives their union: when no
   * waiting struct of the client overlaps the run, and none touches it where both sides are collected (Yjs's merge
   * joins touching GCs of different updates).
   */
  private boolean insertsCleanly(Run run) {
    AbstractStruct first = run.structs[run.start];
    AbstractStruct last = run.structs[run.end - 1];
    Runs client = structs.get(first.client);
    if (client == null) {
      return true;
    }
    int from = run.firstClock();
    int to = run.endClock();
    Map.Entry<Integer, Run> before = client.byClock.floorEntry(from);
    if (before != null) {
      Run b = before.getValue();
      int bEnd = b.endClock();
      // A run that starts at the same clock, though it ends there (items of length 0): both are kept, merged.
      if (bEnd > from || before.getKey() == from || (bEnd == from && joins(b.structs[b.end - 1], first))) {
        return false;
      }
    }
    Map.Entry<Integer, Run> after = client.byClock.higherEntry(from);
    if (after != null) {
      Run a = after.getValue();
      int aStart = a.firstClock();
      if (aStart < to || (aStart == to && joins(last, a.structs[a.start]))) {
        return false;
      }
    }
    return true;
  }

  private static boolean joins(AbstractStruct left, AbstractStruct right) {
    return !(left instanceof Item) && !(right instanceof Item);
  }

  /**
   * The rare case (a duplicate, a struct split differently, collected ranges that meet): merges one client's
   * {@code restRuns} with its waiting structs exactly as Yjs's merge of the whole waiting update would, and keeps the
   * result. Yjs's merge treats each client's structs apart and, within a client, what it writes for a stretch of
   * clocks depends only on the structs that overlap or touch it (whichever side starts first is written run by run,
   * the other side's structs it covers are dropped, one it covers in part is sliced); so only the waiting structs
   * that overlap or touch the stretch {@code [from, to]} the rest covers are merged, and a duplicate costs what it
   * overlaps, not everything that waits.
   */
  private long mergeAsYjs(long client, List<Run> restRuns, boolean restFirst) {
    Runs waiting = structs.get(client);
    int from = restRuns.get(0).firstClock();
    int to = restRuns.get(restRuns.size() - 1).endClock();
    List<Run> overlapping = new ArrayList<>();
    for (Run run : waiting.byClock.subMap(firstRegionKey(waiting, from), true, to, true).values()) {
      if (run.endClock() >= from) {
        overlapping.add(run);
      }
    }
    List<Run> region = new ArrayList<>();
    for (Run run : overlapping) {
      waiting.byClock.remove(run.firstClock());
      waiting.count -= run.end - run.start;
      int i = firstReaching(run, from);
      int j = firstStartingAfter(run, to);
      if (i > run.start) {
        waiting.add(new Run(run.structs, run.start, i));
      }
      if (j < run.end) {
        waiting.add(new Run(run.structs, j, run.end));
      }
      region.add(new Run(run.structs, i, j));
      structCount -= j - i;
    }
    byte[] regionUpdate = encodeClient(client, region);
    byte[] restUpdate = encodeClient(client, restRuns);
    UpdateMerger.Stream regionStream = UpdateReader.decodeStream(regionUpdate, FORMAT);
    UpdateMerger.Stream restStream = UpdateReader.decodeStream(restUpdate, FORMAT);
    byte[] merged = UpdateMerger.merge(restFirst ? List.of(restStream, regionStream) : List.of(regionStream, restStream),
        FORMAT);
    for (Run run : region) {
      Arrays.fill(run.structs, run.start, run.end, null); // replaced by the merge's copies
    }
    List<Run> runs = new ArrayList<>();
    for (AbstractStruct[] clientStructs : UpdateReader.decode(merged, FORMAT).blocks()) {
      structCount += splitIntoRuns(clientStructs, runs);
    }
    runs.forEach(waiting::add);
    // The estimate grows by what the merge added to the region, not by the whole rest (a duplicate adds nothing).
    return merged.length - regionUpdate.length - restUpdate.length;
  }

  /**
   * The first clock of the first run that could reach {@code from} (end at it or later): one that starts before it
   * (it may end at {@code from}, touching it, while the next run starts there), else {@code from}.
   */
  private static int firstRegionKey(Runs waiting, int from) {
    Integer before = waiting.byClock.floorKey(from - 1);
    return before != null && waiting.byClock.get(before).endClock() >= from ? before : from;
  }

  /** The index of the run's first struct that reaches {@code clock} (ends at it or later). */
  private static int firstReaching(Run run, int clock) {
    int lo = run.start;
    int hi = run.end - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      AbstractStruct s = run.structs[mid];
      if (s.clock + s.length >= clock) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The index of the run's first struct that starts after {@code clock}, or the run's end. */
  private static int firstStartingAfter(Run run, int clock) {
    int lo = run.start;
    int hi = run.end;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (run.structs[mid].clock > clock) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Adds the runs of consecutive clocks of one client's structs (Skips dropped) to {@code out}; returns their count. */
  private static int splitIntoRuns(AbstractStruct[] clientStructs, List<Run> out) {
    int count = 0;
    int start = -1;
    for (int i = 0; i <= clientStructs.length; i++) {
      AbstractStruct s = i < clientStructs.length ? clientStructs[i] : null;
      boolean breaks = s == null || s instanceof Skip
          || (start >= 0 && clientStructs[i - 1].clock + clientStructs[i - 1].length != s.clock);
      if (breaks && start >= 0) {
        out.add(new Run(clientStructs, start, i));
        count += i - start;
        start = -1;
      }
      if (s != null && !(s instanceof Skip) && start < 0) {
        start = i;
      }
    }
    return count;
  }

  /** Encodes structs that could not be integrated as Yjs does: clients in descending order, empty delete set. */
  private static byte[] encodeRest(Map<Long, List<AbstractStruct>> rest) {
    UpdateEncoder encoder = FORMAT.newEncoder();
    List<Long> clients = new ArrayList<>(rest.keySet());
    clients.sort(Comparator.reverseOrder());
    encoder.writeVarUint(clients.size());
    for (Long client : clients) {
      List<AbstractStruct> clientStructs = rest.get(client);
      encoder.writeVarUint(clientStructs.size());
      encoder.writeClient(client);
      encoder.writeVarUint(clientStructs.get(0).clock);
      for (AbstractStruct s : clientStructs) {
        s.write(encoder, 0);
      }
    }
    encoder.writeVarUint(0);
    return encoder.toByteArray();
  }

  /**
   * The waiting structs as the update Yjs holds for them (clients in descending order, Skips in the gaps, empty
   * delete set), or null when none wait.
   */
  byte[] encode() {
    if (structs.isEmpty()) {
      return null;
    }
    UpdateEncoder encoder = FORMAT.newEncoder();
    encoder.writeVarUint(structs.size());
    for (Map.Entry<Long, Runs> e : structs.descendingMap().entrySet()) {
      writeClient(encoder, e.getKey(), e.getValue().byClock.values());
    }
    encoder.writeVarUint(0);
    return encoder.toByteArray();
  }

  /** An update of one client's {@code runs} (in clock order), Skips in the gaps, empty delete set. */
  private static byte[] encodeClient(long client, Iterable<Run> runs) {
    UpdateEncoder encoder = FORMAT.newEncoder();
    encoder.writeVarUint(1);
    writeClient(encoder, client, runs);
    encoder.writeVarUint(0);
    return encoder.toByteArray();
  }

  private static void writeClient(UpdateEncoder encoder, long client, Iterable<Run> runs) {
    int count = 0;
    int first = -1;
    int clock = -1;
    for (Run run : runs) {
      count += run.end - run.start + (clock >= 0 && clock != run.firstClock() ? 1 : 0);
      first = first < 0 ? run.firstClock() : first;
      clock = run.endClock();
    }
    encoder.writeVarUint(count);
    encoder.writeClient(client);
    encoder.writeVarUint(first);
    clock = -1;
    for (Run run : runs) {
      if (clock >= 0 && clock != run.firstClock()) {
        new Skip(client, clock, run.firstClock() - clock).write(encoder, 0);
      }
      for (int i = run.start; i < run.end; i++) {
        run.structs[i].write(encoder, 0);
      }
      clock = run.endClock();
    }
  }

  /** Whether something that blocks the waiting structs has arrived (Yjs's test of {@code pendingStructs.missing}). */
  boolean canRetry(StructStore store) {
    for (Map.Entry<Long, Integer> e : missing.entrySet()) {
      if (e.getValue() < store.getState(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Integrates what can be integrated of the waiting structs, in the order Yjs's retry does (the walk of {@link
   * UpdateReader#integrateStructs} over every waiting client); what still waits stays, and its missing clocks are
   * those of this walk, as in Yjs. Clients whose first struct is still blocked cost one look each.
   */
  void retry(Transaction txn, StructStore store) {
    long[] ids = new long[structs.size()];
    RunRefs[] refs = new RunRefs[structs.size()];
    int n = 0;
    for (Map.Entry<Long, Runs> e : structs.entrySet()) { // sorted by client
      ids[n] = e.getKey();
      refs[n++] = new RunRefs(e.getValue());
    }
    Map<Long, Integer> stillMissing = UpdateReader.integrateStructs(txn, store, ids, refs);
    missing.clear();
    if (stillMissing != null) {
      missing.putAll(stillMissing);
    }
    int before = structCount;
    for (int i = 0; i < n; i++) {
      structCount -= refs[i].keepRest(structs, ids[i]);
    }
    structBytes = before == 0 ? 0 : structBytes * structCount / before;
  }

  /** A client's waiting structs as the walk reads them: in clock order, from the first run on. */
  private static final class RunRefs extends UpdateReader.ClientRefs {
    private final Runs runs;
    private final Iterator<Run> iterator;
    private Run run;
    private int index;
    private boolean cleared;
    /** Where the rest starts, if the client has one: {@code restRun.structs[restIndex]} and what follows. */
    private Run restRun;
    private int restIndex;
    /** The rest, when it is this one struct only. */
    private AbstractStruct restOnly;

    RunRefs(Runs runs) {
      this.runs = runs;
      this.iterator = runs.byClock.values().iterator();
      this.run = iterator.next();
      this.index = run.start;
    }

    @Override
    boolean hasNext() {
      if (cleared) {
        return false;
      }
      while (index == run.end) {
        if (!iterator.hasNext()) {
          return false;
        }
        run = iterator.next();
        index = run.start;
      }
      return true;
    }

    @Override
    AbstractStruct next() {
      hasNext();
      return run.structs[index++];
    }

    @Override
    void restFromLastTaken() {
      restRun = run;
      restIndex = index - 1;
      cleared = true;
    }

    @Override
    void restIs(AbstractStruct s) {
      restOnly = s;
      cleared = true;
    }

    /** Leaves only the rest of the client waiting; returns how many of its structs left (integrated or dropped). */
    int keepRest(TreeMap<Long, Runs> all, long client) {
      int before = runs.count;
      if (restOnly != null) {
        Runs only = new Runs();
        only.add(new Run(new AbstractStruct[] {restOnly}, 0, 1));
        all.put(client, only);
        return before - 1;
      }
      if (restRun == null) {
        all.remove(client);
        return before;
      }
      // Only the runs walked through are touched, not those that still wait behind them.
      int left = 0;
      Iterator<Run> it = runs.byClock.values().iterator();
      for (Run r = it.next(); r != restRun; r = it.next()) {
        left += r.end - r.start;
        Arrays.fill(r.structs, r.start, r.end, null);
        it.remove();
      }
      // Keyed anew: it may start later now, and the walk may have moved its first struct's clock (an integration
      // with an offset does), so that its key is not that struct's clock any more.
      it.remove();
      left += restIndex - restRun.start;
      Arrays.fill(restRun.structs, restRun.start, restIndex, null);
      restRun.start = restIndex;
      runs.byClock.put(restRun.firstClock(), restRun);
      runs.count -= left;
      return left;
    }
  }

  // --------------------------------------------------------------------------------------------- waiting deletions

  /**
   * Takes out the waiting deletions that may apply now: those of clients whose structs have reached the first of
   * them. The others would all wait again (Yjs tries every one at every update, with the same outcome), so a message
   * costs time in proportion to the clients that wait, not to their ranges. In descending client order, the order
   * Yjs reads its encoded pending delete set in. Null when none may apply.
   */
  DeleteSet takeReachableDeletes(StructStore store) {
    List<Long> reached = null;
    for (Map.Entry<Long, DeleteSet.Ranges> e : deletes.clients.entrySet()) {
      if (store.getState(e.getKey()) > e.getValue().clock(0)) {
        if (reached == null) {
          reached = new ArrayList<>();
        }
        reached.add(e.getKey());
      }
    }
    if (reached == null) {
      return null;
    }
    reached.sort(Comparator.reverseOrder());
    DeleteSet out = new DeleteSet();
    for (long client : reached) {
      out.clients.put(client, deletes.remove(client));
    }
    return out;
  }

  /**
   * Adds deletions that wait for their structs. Ranges after a client's last waiting range (the usual case) are
   * appended; only others make the client's ranges sorted again.
   */
  void addDeletes(DeleteSet waiting) {
    for (Map.Entry<Long, DeleteSet.Ranges> e : waiting.clients.entrySet()) {
      DeleteSet.Ranges added = e.getValue();
      added.sortAndMerge();
      DeleteSet.Ranges existing = deletes.clients.get(e.getKey());
      if (existing == null) {
        deletes.clients.put(e.getKey(), added);
        continue;
      }
      int last = existing.count() - 1;
      boolean after = added.clock(0) >= existing.clock(last) + existing.len(last);
      for (int i = 0; i < added.count(); i++) {
        existing.add(added.clock(i), added.len(i));
      }
      if (!after) {
        existing.sortAndMerge();
      }
    }
  }
}
