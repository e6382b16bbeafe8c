package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A shared map from string keys to values (Yjs {@code Y.Map}). When replicas set the same key concurrently, the
 * same value wins everywhere.
 *
 * <p>{@code new YMap()} creates a preliminary map that can be filled and then inserted into a document.
 */
public sealed class YMap extends SharedType permits YXmlHook {
  private Map<String, Object> prelim = new LinkedHashMap<>();

  /** A new preliminary map; insert it into a document to share it. */
  public YMap() {}

  /**
   * A new preliminary map holding {@code entries} (in their iteration order), as Yjs's {@code new Y.Map(entries)};
   * insert it into a document to share it.
   */
  public YMap(Map<String, ? extends @Nullable Object> entries) {
    Objects.requireNonNull(entries, "entries");
    entries.forEach((k, v) -> prelim.put(Objects.requireNonNull(k, "a key of entries"), v));
  }

  @Override
  int typeRef() {
    return MAP;
  }

  @Override
  SharedType copyEmpty() {
    return new YMap();
  }

  @Override
  void integrate(Doc doc, Item item) {
    super.integrate(doc, item);
    Map<String, Object> content = prelim;
    prelim = null;
    if (!content.isEmpty()) {
      doc.transact(txn -> content.forEach((k, v) -> mapSet(txn, k, v)));
    }
  }

  /**
   * Sets {@code key} to {@code value} and returns {@code value}.
   *
   * @throws IllegalArgumentException if the value cannot be stored
   */
  public <V extends @Nullable Object> V set(String key, V value) {
    Objects.requireNonNull(key, "key");
    if (doc == null) {
      prelim.put(key, value);
      return value;
    }
    doc.transact(txn -> mapSet(txn, key, value));
    return value;
  }

  /** The value at {@code key}, or null if absent. */
  public @Nullable Object get(String key) {
    Objects.requireNonNull(key, "key");
    if (doc == null) {
      return prelim.get(key);
    }
    return mapGet(key);
  }

  /**
   * The value {@code key} had at {@code snapshot}, or null if it had none (Yjs {@code typeMapGetSnapshot});
   * {@link Undefined#INSTANCE} if the document has collected it since (see {@link Snapshot}).
   *
   * @throws IllegalStateException if this map is not part of a document
   */
  public @Nullable Object get(String key, Snapshot snapshot) {
    return mapGet(key, snapshot);
  }

  /** Removes {@code key} (nothing happens if absent). */
  public void delete(String key) {
    Objects.requireNonNull(key, "key");
    if (doc == null) {
      prelim.remove(key);
      return;
    }
    doc.transact(txn -> mapDelete(txn, key));
  }

  /** Whether {@code key} has a value. */
  public boolean has(String key) {
    Objects.requireNonNull(key, "key");
    return doc == null ? prelim.containsKey(key) : mapHas(key);
  }

  /** The number of keys. */
  public int size() {
    return doc == null ? prelim.size() : mapEntriesInMapOrder().size();
  }

  /**
   * The keys with a value, in Yjs's {@code keys()} order: the order in which each key first reached this
   * replica (a JavaScript {@code Map}'s insertion order; unlike {@link #toJson()}, integer-like keys are not
   * moved first).
   */
  public List<String> keys() {
    return List.copyOf(toMap().keySet());
  }

  /** The values, in the order of {@link #keys()} (Yjs {@code values()}). */
  public List<@Nullable Object> values() {
    return Collections.unmodifiableList(new ArrayList<>(toMap().values()));
  }

  /** Removes every key. */
  public void clear() {
    if (doc == null) {
      prelim.clear();
      return;
    }
    doc.transact(txn -> {
      for (String key : new ArrayList<>(map.keySet())) {
        mapDelete(txn, key);
      }
    });
  }

  /**
   * The entries, as an unmodifiable snapshot in the order of {@link #keys()} (Yjs {@code entries()}; nested
   * types are returned as themselves).
   */
  public Map<String, @Nullable Object> toMap() {
    if (doc == null) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(prelim));
    }
    return Collections.unmodifiableMap(mapEntriesInMapOrder());
  }

  /**
   * The entries as they were at {@code snapshot} (Yjs {@code typeMapGetAllSnapshot}), keys in a JavaScript
   * object's order; unmodifiable.
   *
   * @throws IllegalStateException if this map is not part of a document
   */
  public Map<String, @Nullable Object> toMap(Snapshot snapshot) {
    return mapEntries(snapshot);
  }

  @Override
  public YMap clone() {
    YMap copy = new YMap();
    toMap().forEach((k, v) -> copy.set(k, cloneValue(v)));
    return copy;
  }

  /** The entries as JSON-like values, keys in a JavaScript object's order (Yjs {@code toJSON()}). */
  @Override
  @SuppressWarnings("unchecked")
  public Map<String, @Nullable Object> toJson() {
    return (Map<String, Object>) TypeWalk.toJson(this);
  }

  /** Calls {@code observer} after each transaction that changed this map. */
  public Subscription observe(Consumer<YMapEvent> observer) {
    Objects.requireNonNull(observer, "observer");
    return addObserver(e -> observer.accept((YMapEvent) e));
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YMapEvent(this, txn, keysChanged);
  }

  @Override
  public String toString() {
    return TypeWalk.render(toJson());
  }
}
