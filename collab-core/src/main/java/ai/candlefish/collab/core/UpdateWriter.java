package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Encodes documents and transactions as Yjs v1 updates, in the exact byte order Yjs uses. */
final class UpdateWriter {
  private UpdateWriter() {}

  static byte[] encodeStateAsUpdate(Doc doc, StateVector target) {
    UpdateEncoder encoder = new UpdateEncoder();
    StructStore store = doc.store;
    Pending pending = store.pending;
    if (pending.isEmpty()) {
      writeClientsStructs(encoder, store, target);
      DeleteSet.fromStore(store).write(encoder);
    } else {
      // Pending structs and deletions are part of what this document knows: a relay must not lose them.
      writeWithPending(encoder, store, target);
    }
    return encoder.toByteArray();
  }

  /** The update a transaction produced: what it appended, and what it deleted. */
  static byte[] encodeTransaction(Transaction txn) {
    UpdateEncoder encoder = new UpdateEncoder();
    txn.deleteSet.sortAndMerge();
    writeClientsStructs(encoder, txn.doc.store, txn.beforeState);
    txn.deleteSet.write(encoder);
    return encoder.toByteArray();
  }

  /** Writes every struct a peer with state vector {@code sv} lacks, clients in descending order. */
  static void writeClientsStructs(UpdateEncoder encoder, StructStore store, StateVector sv) {
    List<long[]> entries = new ArrayList<>();
    for (Map.Entry<Long, StructList> e : store.clients.entrySet()) {
      long client = e.getKey();
      int known = sv.get(client);
      if (e.getValue().state() > known) {
        entries.add(new long[] {client, known});
      }
    }
    entries.sort((a, b) -> Long.compare(b[0], a[0]));
    encoder.writeVarUint(entries.size());
    for (long[] entry : entries) {
      writeStructs(encoder, store.clients.get(entry[0]), entry[0], (int) entry[1]);
    }
  }

  private static void writeStructs(UpdateEncoder encoder, StructList structs, long client, int clock) {
    clock = Math.max(clock, structs.get(0).clock);
    int start = structs.findIndex(clock);
    encoder.writeVarUint(structs.size - start);
    encoder.writeClient(client);
    encoder.writeVarUint(clock);
    AbstractStruct first = structs.get(start);
    first.write(encoder, clock - first.clock);
    for (int i = start + 1; i < structs.size; i++) {
      structs.get(i).write(encoder, 0);
    }
  }

  private static void writeWithPending(UpdateEncoder encoder, StructStore store, StateVector sv) {
    Pending pending = store.pending;
    java.util.TreeMap<Long, List<AbstractStruct>> perClient = new java.util.TreeMap<>((a, b) -> Long.compare(b, a));
    java.util.Map<Long, Integer> startClock = new java.util.HashMap<>();
    for (Map.Entry<Long, StructList> e : store.clients.entrySet()) {
      long client = e.getKey();
      StructList structs = e.getValue();
      int known = sv.get(client);
      if (structs.state() > known) {
        List<AbstractStruct> out = new ArrayList<>();
        for (int i = structs.findIndex(known); i < structs.size; i++) {
          out.add(structs.get(i));
        }
        perClient.put(client, out);
        startClock.put(client, known);
      }
    }
    for (Map.Entry<Long, List<AbstractStruct>> e : pending.structs.entrySet()) {
      long client = e.getKey();
      int next = Math.max(store.getState(client), sv.get(client));
      List<AbstractStruct> out = perClient.get(client);
      for (AbstractStruct s : e.getValue()) {
        if (s.clock + s.length <= next) {
          continue; // already written
        }
        if (out == null) {
          out = new ArrayList<>();
          perClient.put(client, out);
          startClock.put(client, Math.max(s.clock, sv.get(client)));
          next = startClock.get(client);
        }
        if (s.clock > next) {
          out.add(new Skip(client, next, s.clock - next));
        }
        out.add(s);
        next = s.clock + s.length;
      }
    }
    encoder.writeVarUint(perClient.size());
    for (Map.Entry<Long, List<AbstractStruct>> e : perClient.entrySet()) {
      List<AbstractStruct> out = e.getValue();
      int clock = Math.max(startClock.get(e.getKey()), out.get(0).clock);
      encoder.writeVarUint(out.size());
      encoder.writeClient(e.getKey());
      encoder.writeVarUint(clock);
      AbstractStruct first = out.get(0);
      first.write(encoder, clock - first.clock);
      int end = first.clock + first.length;
      for (int i = 1; i < out.size(); i++) {
        AbstractStruct s = out.get(i);
        // Overlapping pending copies start where the previous struct ended.
        int offset = Math.max(0, end - s.clock);
        s.write(encoder, offset);
        end = s.clock + s.length;
      }
    }
    DeleteSet ds = DeleteSet.fromStore(store);
    ds.addAll(pending.deletes);
    ds.sortAndMerge();
    ds.write(encoder);
  }
}
