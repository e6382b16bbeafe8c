package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A group of changes to one {@link Doc}, applied atomically: observers and update listeners see a transaction's
 * changes together, after it ends. Obtained from {@link Doc#transact}; valid only inside the callback and the
 * event handlers of that transaction. Not thread-safe (like its document).
 */
public final class Transaction {
  final Doc doc;
  final DeleteSet deleteSet = new DeleteSet();
  final StateVector beforeState;
  StateVector afterState;
  /** Types changed in this transaction, with the map keys changed ({@code null}: the list part changed). */
  final Map<SharedType, Set<String>> changed = new LinkedHashMap<>();
  /** Events per type, for deep observers: every changed type's event is added to each of its ancestors. */
  final Map<SharedType, List<YEvent>> changedParentTypes = new LinkedHashMap<>();
  final List<AbstractStruct> mergeStructs = new ArrayList<>();
  private final Object origin;
  boolean local;
  boolean needFormattingCleanup;
  private Map<Object, Object> meta;

  Transaction(Doc doc, Object origin, boolean local) {
    this.doc = doc;
    this.origin = origin;
    this.local = local;
    this.beforeState = doc.store.stateVector();
  }

  /** The document this transaction changes. */
  public Doc doc() {
    return doc;
  }

  /** The origin given to {@link Doc#transact(Consumer, Object)} or {@link Doc#applyUpdate(byte[], Object)}; may be null. */
  public Object origin() {
    return origin;
  }

  /** True for changes made through this document's API, false for updates applied from elsewhere. */
  public boolean isLocal() {
    return local;
  }

  /** Per-transaction storage for integrations (a provider may mark a transaction it already handled). */
  public Map<Object, Object> meta() {
    if (meta == null) {
      meta = new HashMap<>();
    }
    return meta;
  }

  int beforeState(long client) {
    return beforeState.get(client);
  }

  /** Records that {@code type} changed (at map key {@code parentSub}, or its list when null). */
  void addChangedType(SharedType type, String parentSub) {
    Item item = type.item;
    if (item == null || (item.clock < beforeState.get(item.client) && !item.isDeleted())) {
      changed.computeIfAbsent(type, t -> new HashSet<>()).add(parentSub);
    }
  }

  /** Whether the struct was created in this transaction. */
  boolean adds(AbstractStruct s) {
    return s.clock >= beforeState.get(s.client);
  }

  /** Whether the struct was deleted in this transaction. */
  boolean deletes(AbstractStruct s) {
    return deleteSet.isDeleted(s.client, s.clock);
  }

  /** True if this transaction added or deleted anything. */
  boolean hasChanges() {
    return !deleteSet.isEmpty() || !afterState.equals(beforeState);
  }
}
