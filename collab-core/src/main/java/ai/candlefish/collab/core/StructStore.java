package ai.candlefish.collab.core;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Every struct of a document, per client, plus what arrived before its dependencies ({@link #pending}).
 */
final class StructStore {
  /** Structs waiting for missing structs of other clients, and deletions of structs not yet received. */
  final Pending pending = new Pending();

  // The clients in the order their first struct arrived (as a JavaScript Map iterates Yjs's store), for iteration:
  // clientAt(i), listAt(i) for i below clientCount().
  private long[] clientsInOrder = new long[4];
  private StructList[] listsInOrder = new StructList[4];
  private int clientCount;

  // Lookups by client id, the hottest map of the engine: open addressing on the id, no boxing. The last lookup is
  // cached: the local client's list is looked up on every keystroke.
  private long[] ids = new long[8];
  private StructList[] lists = new StructList[8];
  private long cachedClient = -1;
  private StructList cachedList;

  StructList list(long client) {
    if (client == cachedClient && cachedList != null) {
      return cachedList;
    }
    int mask = lists.length - 1;
    for (int i = slot(client, mask); lists[i] != null; i = (i + 1) & mask) {
      if (ids[i] == client) {
        cachedClient = client;
        cachedList = lists[i];
        return cachedList;
      }
    }
    return null;
  }

  /** How many clients have structs here. */
  int clientCount() {
    return clientCount;
  }

  /** The {@code i}th client to have structs here (in the order their first struct arrived). */
  long clientAt(int i) {
    return clientsInOrder[i];
  }

  /** The structs of {@link #clientAt clientAt(i)}. */
  StructList listAt(int i) {
    return listsInOrder[i];
  }

  private void putList(long client, StructList l) {
    if (clientCount == clientsInOrder.length) {
      clientsInOrder = Arrays.copyOf(clientsInOrder, clientCount * 2);
      listsInOrder = Arrays.copyOf(listsInOrder, clientCount * 2);
    }
    clientsInOrder[clientCount] = client;
    listsInOrder[clientCount++] = l;
    if (clientCount * 2 > lists.length) {
      long[] oldIds = ids;
      StructList[] oldLists = lists;
      ids = new long[oldLists.length * 2];
      lists = new StructList[oldLists.length * 2];
      for (int j = 0; j < oldLists.length; j++) {
        if (oldLists[j] != null) {
          insert(oldIds[j], oldLists[j]);
        }
      }
    }
    insert(client, l);
  }

  private void insert(long client, StructList l) {
    int mask = lists.length - 1;
    int i = slot(client, mask);
    while (lists[i] != null) {
      i = (i + 1) & mask;
    }
    ids[i] = client;
    lists[i] = l;
  }

  private static int slot(long client, int mask) {
    long h = client * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  int getState(long client) {
    StructList l = list(client);
    return l == null ? 0 : l.state();
  }

  StateVector stateVector() {
    StateVector sv = new StateVector();
    for (int i = 0; i < clientCount; i++) {
      sv.set(clientsInOrder[i], listsInOrder[i].state());
    }
    return sv;
  }

  void addStruct(Transaction txn, AbstractStruct s) {
    txn.beforeAddStruct(s.client, s.length);
    StructList l = list(s.client);
    if (l == null) {
      l = new StructList();
      putList(s.client, l);
    } else if (l.state() != s.clock) {
      throw new IllegalStateException("struct " + s.client + ":" + s.clock + " does not follow clock " + l.state());
    }
    l.add(s);
  }

  /** Whether the last struct of {@code client} is one of length 0 at {@code clock}. */
  boolean endsWithEmptyAt(long client, int clock) {
    StructList l = list(client);
    return l != null && l.last().length == 0 && l.last().clock == clock;
  }

  /** The struct containing the given clock; the caller has checked that the clock is below the state. */
  AbstractStruct find(long client, int clock) {
    StructList l = list(client);
    return l.get(l.findIndex(clock));
  }

  /** Finds the struct that starts at {@code clock}, splitting an item if needed; returns its index. */
  int findIndexCleanStart(Transaction txn, StructList l, int clock) {
    int index = l.findIndex(clock);
    AbstractStruct s = l.get(index);
    if (s.clock < clock && s instanceof Item item) {
      l.insert(index + 1, item.split(txn, clock - s.clock));
      return index + 1;
    }
    return index;
  }

  /** The struct starting at {@code id} (split off if needed). May be a {@link GC}. */
  AbstractStruct getItemCleanStart(Transaction txn, ID id) {
    return getItemCleanStart(txn, id.client, id.clock);
  }

  AbstractStruct getItemCleanStart(Transaction txn, long client, int clock) {
    StructList l = list(client);
    return l.get(findIndexCleanStart(txn, l, clock));
  }

  /** The struct ending at {@code id} (split off if needed). May be a {@link GC}. */
  AbstractStruct getItemCleanEnd(Transaction txn, ID id) {
    StructList l = list(id.client);
    int index = l.findIndex(id.clock);
    AbstractStruct s = l.get(index);
    if (id.clock != s.clock + s.length - 1 && s instanceof Item item) {
      l.insert(index + 1, item.split(txn, id.clock - s.clock + 1));
    }
    return s;
  }

  void replaceStruct(AbstractStruct old, AbstractStruct replacement) {
    StructList l = list(old.client);
    l.set(l.findIndex(old.clock), replacement);
  }

  /** Calls {@code f} for every struct in {@code [clockStart, clockStart + len)}, splitting at both ends. */
  void iterateStructs(Transaction txn, StructList l, int clockStart, int len, Consumer<AbstractStruct> f) {
    if (len == 0) {
      return;
    }
    int clockEnd = clockStart + len;
    int index = findIndexCleanStart(txn, l, clockStart);
    AbstractStruct s;
    do {
      s = l.get(index++);
      if (clockEnd < s.clock + s.length) {
        findIndexCleanStart(txn, l, clockEnd);
      }
      f.accept(s);
    } while (index < l.size && l.get(index).clock < clockEnd);
  }

  /** Throws if any client's structs are unsorted or have gaps: an invariant of every document. */
  void checkIntegrity() {
    for (int c = 0; c < clientCount; c++) {
      StructList l = listsInOrder[c];
      long client = clientsInOrder[c];
      int expected = 0;
      for (int i = 0; i < l.size; i++) {
        AbstractStruct s = l.get(i);
        if (s.client != client || s.clock != expected || s.length < 0) {
          throw new IllegalStateException("struct store of client " + client + " broken at index " + i);
        }
        expected = s.clock + s.length;
      }
    }
  }
}
