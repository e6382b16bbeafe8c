package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A shared list of values (Yjs {@code Y.Array}). Elements are JSON-like values, {@code byte[]}, subdocuments or
 * nested shared types. Concurrent inserts at the same index are all kept, in the same order on every replica.
 *
 * <p>{@code new YArray()} creates a preliminary array that can be filled and then inserted into a document.
 */
public final class YArray extends SharedType {
  private List<Object> prelim = new ArrayList<>();

  /** A new preliminary array; insert it into a document (e.g. {@code map.set("list", new YArray())}) to share it. */
  public YArray() {}

  /** A new preliminary array holding {@code items}, as Yjs's {@code Y.Array.from(items)}. */
  public static YArray from(List<? extends @Nullable Object> items) {
    YArray a = new YArray();
    a.push(items);
    return a;
  }

  @Override
  int typeRef() {
    return ARRAY;
  }

  @Override
  SharedType copyEmpty() {
    return new YArray();
  }

  @Override
  void integrate(Doc doc, Item item) {
    super.integrate(doc, item);
    searchMarkers = new SearchMarkers(this);
    List<Object> content = prelim;
    prelim = null;
    // Also when empty: Yjs inserts the preliminary content in a transaction, so a new root array is integrated in a
    // transaction of its own, which the document's listeners hear (as a root XML fragment's). Inside a transaction
    // (a nested array), inserting nothing does nothing.
    if (!content.isEmpty() || doc.transaction == null) {
      doc.transact(txn -> listInsert(txn, 0, content));
    }
  }

  /**
   * Inserts {@code values} at {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length()]}. Yjs takes a negative index,
   *     but where it inserts then depends on how its items were cut: refused. As in Yjs, a preliminary array inserts
   *     as JavaScript's {@code splice} does: past its end it appends, a negative index counts from the end
   * @throws IllegalArgumentException if a value cannot be stored
   */
  public void insert(int index, List<? extends @Nullable Object> values) {
    Objects.requireNonNull(values, "values");
    if (doc == null) {
      prelim.addAll(spliceStart(prelim.size(), index), values);
      return;
    }
    doc.transact(txn -> listInsert(txn, index, values));
  }

  /** Appends {@code values}. */
  public void push(List<? extends @Nullable Object> values) {
    Objects.requireNonNull(values, "values");
    if (doc == null) {
      prelim.addAll(values);
      return;
    }
    doc.transact(txn -> listPush(txn, values));
  }

  /** Inserts {@code values} at the start. */
  public void unshift(List<? extends @Nullable Object> values) {
    insert(0, values);
  }

  /**
   * Deletes {@code length} elements from {@code index}.
   *
   * @throws IndexOutOfBoundsException if the range is not within the array. As in Yjs, the elements it did cover are
   *     deleted first (the transaction completes with them), or if {@code index} or {@code length} is negative. A
   *     preliminary array deletes as JavaScript's {@code splice} does, as in Yjs: to its end without throwing, from
   *     the end for a negative index, nothing for a negative length
   */
  public void delete(int index, int length) {
    if (doc == null) {
      spliceDelete(prelim, index, length);
      return;
    }
    doc.transact(txn -> listDelete(txn, index, length));
  }

  /** Deletes the element at {@code index}. */
  public void delete(int index) {
    delete(index, 1);
  }

  /**
   * The element at {@code index}, or {@link Undefined#INSTANCE} if there is none (an index below 0 or past the end):
   * Yjs's {@code get} returns {@code undefined} there. An array may also hold {@code undefined} itself; tell the two
   * apart with {@link #length()}.
   */
  public @Nullable Object get(int index) {
    if (index < 0 || index >= length()) {
      return Undefined.INSTANCE;
    }
    if (doc == null) {
      return prelim.get(index);
    }
    return listGet(index);
  }

  /** The number of elements. */
  public int length() {
    return doc == null ? prelim.size() : length;
  }

  /** The elements, as an unmodifiable snapshot (nested types are returned as themselves). */
  public List<@Nullable Object> toList() {
    if (doc == null) {
      return Collections.unmodifiableList(new ArrayList<>(prelim));
    }
    List<Object> ints = intValues();
    return ints != null ? ints : Collections.unmodifiableList(listToList());
  }

  /** The elements as an {@link IntValues} if this array is in a document and holds integers only, else null. */
  @Nullable List<Object> intValues() {
    int[] ints = doc == null ? null : listInts();
    return ints == null ? null : new IntValues(ints);
  }

  /**
   * The elements as they were at {@code snapshot} (Yjs {@code typeListToArraySnapshot}); the document must still
   * hold them, so it should not collect garbage (see {@link Snapshot}).
   *
   * @throws IllegalStateException if this array is not part of a document
   */
  public List<@Nullable Object> toList(Snapshot snapshot) {
    return Collections.unmodifiableList(listToList(snapshot));
  }

  /**
   * Elements {@code [start, end)} as Yjs's {@code slice(start, end)}: a negative bound counts from the end, an
   * end past the length stops at the end, an empty range gives an empty list (never throws). Like Yjs, a start
   * that is still negative after adding the length yields {@link Undefined#INSTANCE} for each position before
   * the first element.
   */
  public List<@Nullable Object> slice(int start, int end) {
    if (doc == null) {
      return Collections.unmodifiableList(prelimSlice(prelim, start, end));
    }
    return Collections.unmodifiableList(listSlice(start, end));
  }

  /** Elements from {@code start} to the end ({@code slice(start, length())}, see {@link #slice(int, int)}). */
  public List<@Nullable Object> slice(int start) {
    return slice(start, length());
  }

  /** {@link #slice(int, int)} over a preliminary list, with Yjs's index rules. */
  static List<Object> prelimSlice(List<?> list, int startArg, int endArg) {
    long start = startArg < 0 ? (long) list.size() + startArg : startArg;
    long end = endArg < 0 ? (long) list.size() + endArg : endArg;
    List<Object> out = new ArrayList<>();
    if (start >= list.size()) {
      return out;
    }
    for (long i = start, len = end - start; i < list.size() && len > 0; i++, len--) {
      out.add(i < 0 ? Undefined.INSTANCE : list.get((int) i));
    }
    return out;
  }

  @Override
  public YArray clone() {
    YArray copy = new YArray();
    List<Object> values = new ArrayList<>();
    for (Object v : toList()) {
      values.add(cloneValue(v));
    }
    copy.insert(0, values);
    return copy;
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<@Nullable Object> toJson() {
    return (List<Object>) TypeWalk.toJson(this);
  }

  /** Calls {@code observer} after each transaction that changed this array. */
  public Subscription observe(Consumer<YArrayEvent> observer) {
    Objects.requireNonNull(observer, "observer");
    return addObserver(e -> observer.accept((YArrayEvent) e));
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YArrayEvent(this, txn, keysChanged);
  }

  @Override
  public String toString() {
    return TypeWalk.render(toJson());
  }
}
