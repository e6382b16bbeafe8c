package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Encodes documents and transactions as Yjs updates (v1 or v2), in the exact byte order Yjs uses. */
final class UpdateWriter {
  private UpdateWriter() {}

  static byte[] encodeStateAsUpdate(Doc doc, StateVector target, UpdateFormat format) {
    UpdateEncoder encoder = format.newEncoder();
    StructStore store = doc.store;
    writeClientsStructs(encoder, store, target);
    DeleteSet.fromStore(store).write(encoder);
    byte[] state = encoder.toByteArray();
    Pending pending = store.pending;
    if (pending.isEmpty()) {
      return state;
    }
    // What is pending is part of what this document knows: a relay must not lose it. Merged as Yjs does.
    List<UpdateMerger.Stream> parts = new ArrayList<>();
    parts.add(UpdateReader.decodeStream(state, format));
    if (!pending.deletes.isEmpty()) {
      parts.add(new UpdateMerger.Stream(List.of(), pending.deletes));
    }
    byte[] waiting = pending.encode();
    if (waiting != null) {
      byte[] diff = UpdateMerger.diff(UpdateReader.decodeStream(waiting, Pending.FORMAT), target, Pending.FORMAT);
      parts.add(UpdateReader.decodeStream(diff, Pending.FORMAT));
    }
    return parts.size() == 1 ? state : UpdateMerger.merge(parts, format);
  }

  /** The v1 update a transaction produced: what it appended, and what it deleted. */
  static byte[] encodeTransaction(Transaction txn) {
    Doc doc = txn.doc;
    // One encoder per document, reused: a transaction's update is usually a few bytes.
    UpdateEncoderV1 encoder = doc.transactionEncoder;
    if (encoder == null) {
      encoder = new UpdateEncoderV1();
    }
    doc.transactionEncoder = null; // not shared with a nested call, should there ever be one
    byte[] update = encodeTransaction(txn, encoder);
    if (update.length <= KEPT_ENCODER_BYTES) {
      encoder.reset();
      doc.transactionEncoder = encoder;
    }
    return update;
  }

  /** The update a transaction produced, written by {@code encoder} (Yjs {@code writeUpdateMessageFromTransaction}). */
  static byte[] encodeTransaction(Transaction txn, UpdateEncoder encoder) {
    writeTransactionStructs(encoder, txn.doc.store, txn);
    writeDeletions(encoder, txn);
    return encoder.toByteArray();
  }

  /** Writes the delete set of transaction {@code txn} (an empty one if it deleted nothing). */
  static void writeDeletions(UpdateEncoder encoder, Transaction txn) {
    DeleteSet ds = txn.deleteSetOrNull();
    if (ds == null) {
      encoder.writeVarUint(0);
    } else {
      ds.sortAndMerge();
      ds.write(encoder);
    }
  }

  /** Encoders that grew beyond this (a large transaction) are dropped rather than kept with the document. */
  private static final int KEPT_ENCODER_BYTES = 16 * 1024;

  /**
   * Writes every struct a peer lacks, clients in descending order. The peer knows the clocks below those of the
   * state vector {@code sv}.
   */
  static void writeClientsStructs(UpdateEncoder encoder, StructStore store, StateVector sv) {
    // Sorted as plain longs (client ids are never negative), then written from the end: no boxing.
    long[] clients = new long[store.clientCount()];
    int n = 0;
    for (int c = 0; c < store.clientCount(); c++) {
      long client = store.clientAt(c);
      // As Yjs: also a client the peer does not know, though it holds only items of length 0 (state 0).
      if (store.listAt(c).state() > sv.get(client) || !sv.has(client)) {
        clients[n++] = client;
      }
    }
    if (n > 1) {
      Arrays.sort(clients, 0, n);
    }
    encoder.writeVarUint(n);
    for (int i = n - 1; i >= 0; i--) {
      long client = clients[i];
      StructList structs = store.list(client);
      if (!sv.has(client)) {
        writeStructs(encoder, structs, client, structs.get(0).clock, 0);
      } else {
        int clock = Math.max(sv.get(client), structs.get(0).clock);
        writeStructs(encoder, structs, client, clock, structs.findIndexNearEnd(clock));
      }
    }
  }

  /**
   * Writes the structs transaction {@code txn} added, clients in descending order (Yjs
   * {@code writeStructsFromTransaction}). Only the clients it (or a transaction its observers started) added to are
   * looked at: every other client's state is what it was before, and a document may have seen thousands of them
   * (one per session), which this runs through once per keystroke otherwise.
   */
  static void writeTransactionStructs(UpdateEncoder encoder, StructStore store, Transaction txn) {
    long[] clients = txn.addedClientsDescending();
    int n = 0;
    for (long client : clients) {
      StructList structs = store.list(client);
      // As Yjs: also a client new to the document that holds only items of length 0 (state 0).
      if (structs != null && (structs.state() > txn.beforeState(client) || txn.isNewWithoutClock(client))) {
        clients[n++] = client;
      }
    }
    encoder.writeVarUint(n);
    for (int i = 0; i < n; i++) {
      long client = clients[i];
      StructList structs = store.list(client);
      if (txn.startedWithItemOfLength0(client)) {
        writeStructs(encoder, structs, client, structs.get(0).clock, 0);
      } else {
        int clock = Math.max(txn.beforeState(client), structs.get(0).clock);
        writeStructs(encoder, structs, client, clock, structs.findIndexNearEnd(clock));
      }
    }
  }

  /**
   * Writes the structs of {@code client} from index {@code start}, the first from {@code clock}. A peer that does not
   * know the client gets all of them, from index 0, and so does the update of the transaction that created the
   * client's first struct: Yjs starts at the struct that contains the clock, and so leaves out a first item of length
   * 0 (an embed of "") that shares clock 0 with the struct after it, although what was typed before it names it as
   * its right origin. Without it that text has no known place or parent: Yjs fails to apply such an update (its own
   * full state, or the one transaction that typed both), and a Java doc collected the text. With it both apply the
   * update and keep the text; other transactions and syncs with a peer that knows the client are written as Yjs
   * writes them.
   */
  static void writeStructs(UpdateEncoder encoder, StructList structs, long client, int clock, int start) {
    encoder.writeVarUint(structs.size - start);
    encoder.writeClient(client);
    encoder.writeVarUint(clock);
    AbstractStruct first = structs.get(start);
    first.write(encoder, clock - first.clock);
    for (int i = start + 1; i < structs.size; i++) {
      structs.get(i).write(encoder, 0);
    }
  }
}
