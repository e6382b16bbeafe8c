package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.Map;
import java.util.Objects;

/**
 * A point in a document's history (Yjs {@code Snapshot}): the state vector (how much of each client's
 * insertions had arrived) and the delete set (what had been deleted) at that moment. It is a few bytes per client
 * and per deleted range, not a copy of the content: the content at a snapshot is read from a document that still
 * holds it, which is a document with garbage collection off ({@code Doc.newBuilder().gc(false)}), since a
 * collected document has dropped what was deleted.
 *
 * <pre>{@code
 * Doc doc = Doc.newBuilder().gc(false).build();
 * doc.getText("t").insert(0, "world!");
 * Snapshot before = Snapshot.of(doc);
 * doc.getText("t").insert(0, "hello ");
 * before.toDoc(doc).getText("t").toString();                    // "world!"
 * doc.getText("t").toDelta(Snapshot.of(doc), before, null);    // "hello " marked {ychange: {type: added}}
 * byte[] stored = before.encode();                              // Yjs's encodeSnapshot, byte for byte
 * }</pre>
 *
 * <p>What can be read at a snapshot: {@link #toDoc} (Yjs {@code createDocFromSnapshot}), {@link
 * YText#toDelta(Snapshot, Snapshot, YText.YChangeFunction)}, {@link YArray#toList(Snapshot)}, {@link
 * YXmlFragment#toList(Snapshot)}, {@link YMap#get(String, Snapshot)}, {@link YMap#toMap(Snapshot)}, {@link
 * YXmlElement#getAttributes(Snapshot)}, {@link YText#getAttributes(Snapshot)} and {@link SharedType#isVisible}.
 *
 * <p>Immutable and thread-safe. {@link #equals} is Yjs's {@code equalSnapshots}.
 */
public final class Snapshot {
  private static final Snapshot EMPTY = new Snapshot(new DeleteSet(), StateVector.empty());

  /** Ranges as Yjs holds them: for a decoded snapshot exactly as written (its bytes and equality depend on it). */
  final DeleteSet ds;
  final StateVector sv;

  private Snapshot(DeleteSet ds, StateVector sv) {
    this.ds = ds;
    this.sv = sv;
  }

  /**
   * The current state of {@code doc} (Yjs {@code snapshot(doc)}). Structs that wait for missing updates are not
   * part of it.
   */
  public static Snapshot of(Doc doc) {
    Objects.requireNonNull(doc, "doc");
    return new Snapshot(DeleteSet.fromStore(doc.store), doc.store.stateVector());
  }

  /** The snapshot of an empty document (Yjs {@code emptySnapshot}). */
  public static Snapshot empty() {
    return EMPTY;
  }

  /**
   * This snapshot's deletions with another state vector (Yjs {@code new Snapshot(ds, sv)}). y-prosemirror lists
   * the children of a node with {@code prev.withStateVector(current.stateVector())}: everything that existed at
   * {@code current}, including what was deleted between {@code prev} and {@code current}.
   */
  public Snapshot withStateVector(StateVector stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    return new Snapshot(ds, stateVector);
  }

  /** What had been inserted at this snapshot: client id → clock. */
  public StateVector stateVector() {
    return sv;
  }

  // ------------------------------------------------------------------------------------------------- encoding

  /** The snapshot in Yjs's format v1, byte-identical to Yjs's {@code encodeSnapshot}. */
  public byte[] encode() {
    UpdateEncoder encoder = new UpdateEncoderV1();
    ds.write(encoder);
    sv.write(encoder.rest);
    return encoder.toByteArray();
  }

  /**
   * The snapshot in Yjs's format v2, byte-identical to Yjs's {@code encodeSnapshotV2}: the deleted ranges as
   * update format v2 writes them (each clock as the distance from the end of the client's previous range, each
   * length minus one), then the state vector.
   *
   * @throws IllegalStateException if a deleted range has length 0 (only a decoded v1 snapshot can hold one; v2
   *     cannot write it, and Yjs throws too)
   */
  public byte[] encodeV2() {
    // DeleteSet.write leaves such a range out of an update, where it deletes nothing; here it is part of the answer
    // (equals, containsUpdate), so leaving it out would write another snapshot
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      DeleteSet.Ranges r = e.getValue();
      for (int i = 0; i < r.count(); i++) {
        if (r.len(i) == 0) {
          throw new IllegalStateException("deleted range " + e.getKey() + ":" + r.clock(i) + " has length 0, which "
              + "format v2 cannot hold (Yjs fails too): encode it in format v1 (encode())");
        }
      }
    }
    UpdateEncoderV2 encoder = new UpdateEncoderV2();
    ds.write(encoder);
    sv.write(encoder.rest);
    return encoder.takeRest();
  }

  /**
   * Decodes a snapshot in format v2 (Yjs {@code decodeSnapshotV2}), with the same rules as {@link #decode}.
   *
   * @throws DecodingException if the bytes are not a v2 snapshot
   */
  public static Snapshot decodeV2(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    Lib0Decoder in = new Lib0Decoder(encoded);
    DeleteSet ds = readDeleteSet(in, true);
    return new Snapshot(ds, StateVector.read(in));
  }

  /**
   * Decodes a snapshot in format v1 (Yjs {@code decodeSnapshot}). Like Yjs, it keeps the deleted ranges exactly
   * as written and ignores bytes after the state vector.
   *
   * @throws DecodingException if the bytes are not a snapshot (also for clocks beyond 2^31 - 1, which no
   *     document of this library can hold)
   */
  public static Snapshot decode(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    Lib0Decoder in = new Lib0Decoder(encoded);
    DeleteSet ds = readDeleteSet(in);
    return new Snapshot(ds, StateVector.read(in));
  }

  /**
   * Reads a delete set in format v1 as Yjs's {@code readDeleteSet} does: ranges exactly as written (neither
   * sorted nor merged), a client listed twice gets both lists, a client with no ranges is left out.
   *
   * @throws DecodingException if the bytes are not a delete set
   */
  static DeleteSet readDeleteSet(Lib0Decoder in) {
    return readDeleteSet(in, false);
  }

  /** {@link #readDeleteSet(Lib0Decoder)} in format v1, or in v2 (clocks as distances, lengths minus one). */
  static DeleteSet readDeleteSet(Lib0Decoder in, boolean v2) {
    DeleteSet ds = new DeleteSet();
    int numClients = in.readVarUintAsInt();
    checkCount(in, numClients, "delete set clients");
    for (int i = 0; i < numClients; i++) {
      long client = in.readVarUint();
      int numDeletes = in.readVarUintAsInt();
      checkCount(in, numDeletes, "deleted ranges");
      long end = 0; // v2: where the client's previous range ended
      for (int j = 0; j < numDeletes; j++) {
        int at = in.offset();
        long clock = v2 ? end + in.readVarUint() : in.readVarUintAsInt();
        long len = v2 ? in.readVarUint() + 1 : in.readVarUintAsInt();
        if (clock + len > Integer.MAX_VALUE) {
          throw new DecodingException("deleted range " + client + ":" + clock + "+" + len + " overflows", at);
        }
        end = clock + len;
        ds.addRaw(client, (int) clock, (int) len);
      }
    }
    return ds;
  }

  /** Counts that cannot fit in what is left are refused before anything is allocated for them. */
  private static void checkCount(Lib0Decoder in, int count, String what) {
    if (count > in.remaining() / 2) {
      throw new DecodingException("snapshot claims " + count + " " + what + " but only " + in.remaining()
          + " bytes remain", in.offset());
    }
  }

  // ----------------------------------------------------------------------------------------------- questions

  /**
   * Whether everything {@code update} (format v1) inserts and deletes is part of this snapshot (Yjs
   * {@code snapshotContainsUpdate}).
   *
   * @throws DecodingException if the update is malformed
   */
  public boolean containsUpdate(byte[] update) {
    Objects.requireNonNull(update, "update");
    UpdateMerger.Stream stream = UpdateReader.decodeStream(update, UpdateFormat.V1);
    for (AbstractStruct s : stream.structs()) {
      if (sv.get(s.client) < (long) s.clock + s.length) {
        return false;
      }
    }
    DeleteSet merged = new DeleteSet();
    merged.addAll(ds);
    merged.addAll(stream.deletes());
    merged.sortAndMerge();
    return ds.sameRanges(merged);
  }

  /** Whether {@code item} existed and was not deleted at this snapshot (Yjs {@code isVisible}). */
  boolean isVisible(Item item) {
    return sv.has(item.client) && sv.get(item.client) > item.clock && !ds.isDeleted(item.client, item.clock);
  }

  /** Yjs {@code isVisible(item, snapshot)} with an optional snapshot: null means the current state. */
  static boolean isVisible(Item item, Snapshot snapshot) {
    return snapshot == null ? !item.isDeleted() : snapshot.isVisible(item);
  }

  /**
   * Splits the items of {@code txn}'s document where this snapshot starts or ends them (Yjs
   * {@code splitSnapshotAffectedStructs}), so that {@link #isVisible(Item)} of an item's first unit holds for
   * all of it. The transaction's cleanup merges them again.
   */
  void splitAffectedStructs(Transaction txn) {
    StructStore store = txn.doc.store;
    sv.forEach((client, clock) -> {
      if (clock < store.getState(client)) {
        store.getItemCleanStart(txn, client, clock);
      }
    });
    // Yjs's iterateDeletedStructs: ranges in their order, up to the first that starts past the client's state.
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      StructList structs = store.list(e.getKey());
      if (structs == null) {
        continue;
      }
      int state = structs.state();
      DeleteSet.Ranges ranges = e.getValue();
      for (int i = 0; i < ranges.count() && ranges.clock(i) < state; i++) {
        store.iterateStructs(txn, structs, ranges.clock(i), ranges.len(i), s -> {});
      }
    }
  }

  // --------------------------------------------------------------------------------------------- restoring

  /**
   * A new document ({@code Doc.create()}) holding {@code origin}'s content as it was at this snapshot (Yjs
   * {@code createDocFromSnapshot}). See {@link #toDoc(Doc, Doc)}.
   */
  public Doc toDoc(Doc origin) {
    return toDoc(origin, Doc.create());
  }

  /**
   * Applies {@code origin}'s content as it was at this snapshot to {@code target} (Yjs
   * {@code createDocFromSnapshot(origin, snapshot, target)}), with the origin {@code "snapshot"}, and returns
   * {@code target}. The result has the history up to the snapshot (not a copy of the text): applying later
   * updates of {@code origin} to it brings it forward again.
   *
   * <p>A decoded snapshot whose deleted ranges Yjs never writes (of length 0, or starting before the end of the
   * client's previous range) marks those ranges deleted as they are. Yjs passes them through format v2, where it fails
   * on the first and gives the others wrong clocks.
   *
   * @throws IllegalStateException if {@code origin} collects garbage: deleted content it needs may be gone
   * @throws IllegalArgumentException if this snapshot has insertions that {@code origin} does not hold (a snapshot
   *     of another document, or of a later state)
   */
  public Doc toDoc(Doc origin, Doc target) {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(target, "target");
    if (origin.isGc()) {
      throw new IllegalStateException("garbage collection must be off in the document a snapshot is restored from "
          + "(Doc.newBuilder().gc(false)): a collected document no longer holds what was deleted");
    }
    StructStore store = origin.store;
    int[] clients = {0};
    sv.forEach((client, clock) -> {
      if (clock > store.getState(client)) {
        throw new IllegalArgumentException("the snapshot holds clock " + clock + " of client " + client
            + " but the document has only " + store.getState(client) + ": it is not a snapshot of this document");
      }
      if (clock > 0) {
        clients[0]++;
      }
    });
    UpdateEncoder encoder = new UpdateEncoderV1();
    origin.transact(txn -> {
      encoder.writeVarUint(clients[0]);
      sv.forEach((client, clock) -> {
        if (clock == 0) {
          return;
        }
        if (clock < store.getState(client)) {
          store.getItemCleanStart(txn, client, clock);
        }
        StructList structs = store.list(client);
        int last = structs.findIndex(clock - 1);
        encoder.writeVarUint(last + 1);
        encoder.writeClient(client);
        encoder.writeVarUint(0);
        for (int i = 0; i <= last; i++) {
          structs.get(i).write(encoder, 0);
        }
      });
      ds.write(encoder);
    });
    target.applyUpdate(encoder.toByteArray(), "snapshot");
    return target;
  }

  /**
   * Changes {@code doc} so that its content is again what it was at this snapshot, as one new transaction that
   * every replica receives like any other edit (the history is not rewritten): what was inserted since is deleted,
   * and what was deleted since is inserted again as new items, the way Yjs's {@code UndoManager} re-creates what it
   * undoes. Concurrent edits that arrive later merge with the restore as with any edit.
   *
   * @return whether anything changed
   * @throws IllegalStateException if {@code doc} collects garbage: deleted content it would re-create may be gone
   *     (restore into a copy with {@code gc(false)} that holds both states, and apply its update)
   * @throws IllegalArgumentException if this snapshot has insertions that {@code doc} does not hold
   */
  public boolean restore(Doc doc) {
    Objects.requireNonNull(doc, "doc");
    if (doc.isGc()) {
      throw new IllegalStateException("garbage collection must be off in a document restored to a snapshot "
          + "(Doc.newBuilder().gc(false)): a collected document no longer holds what was deleted");
    }
    StructStore store = doc.store;
    sv.forEach((client, clock) -> {
      if (clock > store.getState(client)) {
        throw new IllegalArgumentException("the snapshot holds clock " + clock + " of client " + client
            + " but the document has only " + store.getState(client) + ": it is not a snapshot of this document");
      }
    });
    DeleteSet insertedSince = new DeleteSet();
    for (int c = 0; c < store.clientCount(); c++) {
      long client = store.clientAt(c);
      int from = sv.get(client);
      int state = store.listAt(c).state();
      if (state > from) {
        insertedSince.add(client, from, state - from);
      }
    }
    DeleteSet deletedThen = new DeleteSet();
    deletedThen.addAll(ds);
    deletedThen.sortAndMerge();
    DeleteSet deletedSince = new DeleteSet();
    for (Map.Entry<Long, DeleteSet.Ranges> e : DeleteSet.fromStore(store).clients.entrySet()) {
      long client = e.getKey();
      int limit = sv.get(client);
      DeleteSet.Ranges r = e.getValue();
      for (int i = 0; i < r.count() && r.clock(i) < limit; i++) {
        addDifference(deletedSince, client, r.clock(i), Math.min(limit, r.clock(i) + r.len(i)),
            deletedThen.clients.get(client));
      }
    }
    UndoManager undo = UndoManager.newBuilder(doc).ignoreRemoteMapChanges(true).build();
    try {
      undo.undoStack.add(new UndoManager.StackItem(deletedSince, insertedSince));
      return undo.undo() != null;
    } finally {
      undo.close();
    }
  }

  /** Adds {@code [from, to)} minus the (sorted, merged) {@code minus} ranges to {@code out}. */
  private static void addDifference(DeleteSet out, long client, int from, int to, DeleteSet.Ranges minus) {
    int at = from;
    if (minus != null) {
      for (int i = 0; i < minus.count() && at < to; i++) {
        int start = minus.clock(i);
        int end = start + minus.len(i);
        if (end <= at) {
          continue;
        }
        if (start >= to) {
          break;
        }
        if (start > at) {
          out.add(client, at, start - at);
        }
        at = Math.max(at, end);
      }
    }
    if (at < to) {
      out.add(client, at, to - at);
    }
  }

  // ----------------------------------------------------------------------------------------------- equality

  /** Yjs's {@code equalSnapshots}: the same state vector and the same deleted ranges, in the same order. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot other && sv.equals(other.sv) && ds.sameRanges(other.ds);
  }

  @Override
  public int hashCode() {
    int h = sv.hashCode();
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      DeleteSet.Ranges r = e.getValue();
      for (int i = 0; i < r.count(); i++) {
        h += Long.hashCode(e.getKey()) ^ (r.clock(i) * 31 + r.len(i));
      }
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Snapshot{sv=").append(sv.toMap()).append(", ds={");
    String sep = "";
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      sb.append(sep).append(e.getKey()).append("=[");
      DeleteSet.Ranges r = e.getValue();
      for (int i = 0; i < r.count(); i++) {
        sb.append(i == 0 ? "" : ", ").append(r.clock(i)).append('+').append(r.len(i));
      }
      sb.append(']');
      sep = ", ";
    }
    return sb.append("}}").toString();
  }
}
