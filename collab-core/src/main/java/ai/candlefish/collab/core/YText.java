package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Shared rich text (Yjs {@code Y.Text}): characters, embeds and formatting attributes. Indices count UTF-16
 * units, like Java's {@code String} and JavaScript's strings.
 *
 * <p>Formatting is stored as marks between characters ({@code bold: true} from here, {@code bold: null} to end
 * it), exactly as Yjs stores it, so editors bound to Yjs (Quill, Lexical, ProseMirror through XML text) see the
 * same formatting. {@code new YText("…")} creates a preliminary text to insert into a document.
 */
public sealed class YText extends SharedType permits YXmlText {
  /** Edits made while preliminary, replayed when the text is inserted into a document. */
  private List<Consumer<YText>> pending = new ArrayList<>();
  /**
   * The last {@link #toString()} and the document's {@link Doc#quietStamp()} it was computed at (-1: none). Weak, so
   * that a text read once and dropped keeps no copy of itself alive (a loaded document's retained heap is its
   * items, as Yjs's); while the caller holds the string, reading an unchanged text again costs no walk.
   */
  private @Nullable WeakReference<String> lastString;
  private long lastStringStamp = -1;

  /** A new, empty, preliminary text. */
  public YText() {}

  /** A new preliminary text holding {@code initial}. */
  public YText(String initial) {
    Objects.requireNonNull(initial, "initial");
    if (!initial.isEmpty()) {
      pending.add(t -> t.insert(0, initial));
    }
  }

  @Override
  int typeRef() {
    return TEXT;
  }

  @Override
  SharedType copyEmpty() {
    return new YText();
  }

  @Override
  void integrate(Doc doc, Item item) {
    super.integrate(doc, item);
    searchMarkers = new SearchMarkers(this);
    List<Consumer<YText>> ops = pending;
    pending = null;
    if (!ops.isEmpty()) {
      doc.transact(txn -> ops.forEach(op -> op.accept(this)));
    }
  }

  /**
   * Keeps {@code op} to replay when this preliminary text is inserted into a document; always true. Callers test
   * {@code doc == null} first, so that an edit of an integrated text does not allocate the lambda.
   */
  private boolean defer(Consumer<YText> op) {
    pending.add(op);
    return true;
  }

  /** The length in UTF-16 units. */
  public int length() {
    if (doc == null) {
      throw new IllegalStateException("YText is not part of a document yet: insert it into a document first");
    }
    return length;
  }

  /**
   * The plain text, without embeds and formatting. Reading a text that no transaction changed since its last
   * {@code toString()} returns the same string (while it is still referenced), without walking the items again.
   */
  @Override
  public String toString() {
    long stamp = doc == null ? -1 : doc.quietStamp();
    if (stamp >= 0 && stamp == lastStringStamp && lastString != null) {
      String last = lastString.get();
      if (last != null) {
        return last;
      }
    }
    String text = walkString();
    if (stamp >= 0) {
      lastString = new WeakReference<>(text);
      lastStringStamp = stamp;
    }
    return text;
  }

  /**
   * A text of at most this many visible pieces, each still the {@link String} it was inserted or decoded as, is
   * joined with one copy ({@link #walkString}).
   */
  static final int JOIN_PIECES = 8;

  /**
   * The plain text, read from the items (what {@link #toString()} returns when it has no current copy). A text of a
   * few unedited pieces (a pasted or loaded string, two peers' concurrent pastes) is joined with one copy, or is its
   * single piece, instead of a builder's two (append, then {@code toString}).
   */
  String walkString() {
    String[] pieces = new String[JOIN_PIECES];
    int count = 0;
    for (Item n = start; n != null; n = n.right) {
      if (!n.isDeleted() && n.content instanceof ContentString s) {
        if (count == JOIN_PIECES || !(s.chars() instanceof String piece)) {
          return buildString();
        }
        pieces[count++] = piece;
      }
    }
    return count == 0 ? "" : count == 1 ? pieces[0] : String.join("", Arrays.copyOf(pieces, count));
  }

  private String buildString() {
    StringBuilder sb = new StringBuilder(Math.max(16, length));
    for (Item n = start; n != null; n = n.right) {
      if (!n.isDeleted() && n.content instanceof ContentString s) {
        s.appendTo(sb);
      }
    }
    return sb.toString();
  }

  @Override
  public String toJson() {
    return toString();
  }

  // ------------------------------------------------------------------------------------------------- editing

  /**
   * Inserts {@code text} at {@code index}, taking the formatting of the text before it.
   *
   * <p>As in Yjs, an index past the end appends and a negative index inserts at the start.
   */
  public void insert(int index, String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty() || (doc == null && defer(t -> t.insert(index, text)))) {
      return;
    }
    // Inside a transaction, join it directly (what Doc.transact would do) without allocating a lambda.
    if (doc.transaction != null) {
      insertPlain(doc.transaction, index, text);
    } else {
      doc.transact(txn -> insertPlain(txn, index, text));
    }
  }

  private void insertPlain(Transaction txn, int index, String text) {
    Pos pos = findPlainPosition(txn, index);
    // Plain text (no format marks anywhere) has no attributes to copy.
    if (!containsFormats) {
      insertText(txn, pos, text, Map.of());
      return;
    }
    // Yjs copies the attributes with attributes[key] = value into an object: "__proto__" becomes its prototype (if
    // an object), whose keys the object then inherits (see JsObject), not an entry.
    Map<String, Object> attributes = new LinkedHashMap<>(pos.currentAttributes);
    Object proto = attributes.remove(JsObjects.PROTO);
    insertText(txn, pos, text, attributes, isJsObject(proto) ? proto : JsObject.OBJECT_PROTOTYPE);
  }

  /**
   * Inserts {@code text} at {@code index} with exactly the given formatting ({@code null} values: not set).
   *
   * <p>As in Yjs, an index past the end appends and a negative index inserts at the start.
   */
  public void insert(int index, String text, @Nullable Map<String, @Nullable Object> attributes) {
    Objects.requireNonNull(text, "text");
    if (attributes == null) {
      insert(index, text);
      return;
    }
    Map<String, Object> attrs = normalizeAttributes(attributes);
    if (text.isEmpty() || (doc == null && defer(t -> t.insert(index, text, attrs)))) {
      return;
    }
    doc.transact(txn -> insertText(txn, findPosition(txn, index, false), text,
        new LinkedHashMap<>(attrs)));
  }

  /**
   * Inserts an embed (a JSON-like object, or a shared type) at {@code index}; it occupies one position.
   *
   * <p>As in Yjs, an index past the end appends and a negative index inserts at the start, and a string is inserted as
   * text. An empty string is written as Yjs writes it, an item of length 0 that no text shows (with format marks
   * around it when attributes are given or in effect); like Yjs, no update event follows unless it is the first item
   * of this document's client id.
   *
   * @throws IllegalArgumentException if {@code embed} is {@link Undefined#INSTANCE} or {@link Delta#NULL_EMBED}
   *     (Yjs fails on undefined and null with a TypeError), or no JSON-like value
   */
  public void insertEmbed(int index, Object embed, @Nullable Map<String, @Nullable Object> attributes) {
    Objects.requireNonNull(embed, "embed");
    if (embed == Undefined.INSTANCE || embed == Delta.NULL_EMBED) {
      // Yjs: insertEmbed(i, undefined) and insertEmbed(i, null) fail with a TypeError (embed.constructor)
      throw new IllegalArgumentException("an embed cannot be undefined or null (Yjs fails there too); embed a value");
    }
    Object value = embed instanceof SharedType ? embed : Values.checkJson(embed);
    Map<String, Object> attrs = attributes == null ? new LinkedHashMap<>() : normalizeAttributes(attributes);
    if (doc == null && defer(t -> t.insertEmbed(index, value, attrs))) {
      return;
    }
    doc.transact(txn -> insertText(txn, findPosition(txn, index, attributes == null), value,
        new LinkedHashMap<>(attrs)));
  }

  /** Inserts an embed without formatting. */
  public void insertEmbed(int index, Object embed) {
    insertEmbed(index, embed, null);
  }

  /**
   * Deletes {@code length} units from {@code index}. As in Yjs, a range past the end deletes what there is, a
   * negative index acts as 0, and a negative length deletes nothing but, like every delete,
   * removes format marks made redundant at the position.
   *
   * @throws IndexOutOfBoundsException if the text has never held anything (Yjs fails there too, with a TypeError,
   *     in a transaction that changes nothing)
   */
  public void delete(int index, int length) {
    if (length == 0 || (doc == null && defer(t -> t.delete(index, length)))) {
      return;
    }
    if (doc.transaction != null) {
      deleteText(doc.transaction, findPlainPosition(doc.transaction, index), length);
    } else {
      doc.transact(txn -> deleteText(txn, findPlainPosition(txn, index), length));
    }
  }

  /**
   * Applies formatting to {@code length} units from {@code index} ({@code null} values remove an attribute). As in
   * Yjs, an index past the end formats nothing, and a length past the end formats to the end and appends newlines
   * (Quill's document ends with one). A negative index acts as 0; a negative length formats
   * nothing but, as in Yjs, still writes the attributes' format marks and their negations at the position.
   */
  public void format(int index, int length, Map<String, @Nullable Object> attributes) {
    Objects.requireNonNull(attributes, "attributes");
    Map<String, Object> attrs = normalizeAttributes(attributes);
    if (length == 0 || (doc == null && defer(t -> t.format(index, length, attrs)))) {
      return;
    }
    if (index > this.length) {
      return; // Yjs walks past every item (trailing formats too) and finds nothing to format
    }
    doc.transact(txn -> {
      Pos pos = findPosition(txn, index, false);
      if (pos.right != null) {
        formatText(txn, pos, length, attrs);
      }
    });
  }

  /**
   * Applies a delta (insert / delete / retain with attributes) from the start of the text, as Quill and Yjs's
   * {@code applyDelta} do.
   */
  public void applyDelta(List<Delta> delta) {
    Objects.requireNonNull(delta, "delta");
    if (doc == null && defer(t -> t.applyDelta(delta))) {
      return;
    }
    doc.transact(txn -> {
      Pos pos = new Pos(null, start, 0, new LinkedHashMap<>());
      for (Delta op : delta) {
        if (op.insert() == Undefined.INSTANCE) {
          continue; // Yjs's {insert: undefined} is no insert, and neither a retain nor a delete: nothing
        }
        if (op.insert() != null) {
          Object ins = deltaInsert(op.insert());
          if (!(ins instanceof String s) || !s.isEmpty()) {
            insertText(txn, pos, ins, op.attributes() == null ? new LinkedHashMap<>()
                : normalizeAttributes(op.attributes()));
          }
        } else if (op.delete() > 0) {
          deleteText(txn, pos, op.delete());
        } else {
          formatText(txn, pos, op.retain(), op.attributes() == null ? new LinkedHashMap<>()
              : normalizeAttributes(op.attributes()));
        }
      }
    });
  }

  /** What an insert of a delta inserts: a string, a shared type or a JSON value (checked). */
  private static Object deltaInsert(Object insert) {
    if (insert == Delta.NULL_EMBED) {
      throw new IllegalArgumentException("a delta cannot insert a null embed (Yjs's applyDelta fails on"
          + " {insert: null} with a TypeError); leave that insert out or insert a value");
    }
    return insert instanceof String || insert instanceof SharedType ? insert : Values.checkJson(insert);
  }

  /**
   * {@link #applyDelta(List)} with Yjs's {@code sanitize} option. Yjs 13.6 drops a trailing newline of the last
   * insert at the end of the text when {@code sanitize} is <em>false</em> (the reverse of its documentation;
   * kept for byte-exactness); {@code true} is what {@link #applyDelta(List)} does. On a preliminary text the
   * option is ignored, as in Yjs.
   */
  public void applyDelta(List<Delta> delta, boolean sanitize) {
    Objects.requireNonNull(delta, "delta");
    if (sanitize || doc == null) {
      applyDelta(delta);
      return;
    }
    doc.transact(txn -> {
      Pos pos = new Pos(null, start, 0, new LinkedHashMap<>());
      for (int i = 0; i < delta.size(); i++) {
        Delta op = delta.get(i);
        if (op.insert() == Undefined.INSTANCE) {
          continue;
        }
        if (op.insert() != null) {
          Object ins = deltaInsert(op.insert());
          if (ins instanceof String s && i == delta.size() - 1 && pos.right == null && s.endsWith("\n")) {
            ins = s.substring(0, s.length() - 1);
          }
          if (!(ins instanceof String s) || !s.isEmpty()) {
            insertText(txn, pos, ins, op.attributes() == null ? new LinkedHashMap<>()
                : normalizeAttributes(op.attributes()));
          }
        } else if (op.delete() > 0) {
          deleteText(txn, pos, op.delete());
        } else {
          formatText(txn, pos, op.retain(), op.attributes() == null ? new LinkedHashMap<>()
              : normalizeAttributes(op.attributes()));
        }
      }
    });
  }

  /**
   * Sets attribute {@code name} of the text itself (Yjs {@code setAttribute}; y-prosemirror keeps node
   * attributes of an XML text this way). Kept until inserted when the text is preliminary.
   *
   * @throws IllegalArgumentException if the value cannot be stored
   */
  public void setAttribute(String name, @Nullable Object value) {
    Objects.requireNonNull(name, "name");
    if (doc == null && defer(t -> t.setAttribute(name, value))) {
      return;
    }
    doc.transact(txn -> mapSet(txn, name, value));
  }

  /** Removes attribute {@code name} of the text (Yjs {@code removeAttribute}). */
  public void removeAttribute(String name) {
    Objects.requireNonNull(name, "name");
    if (doc == null && defer(t -> t.removeAttribute(name))) {
      return;
    }
    doc.transact(txn -> mapDelete(txn, name));
  }

  /** The value of attribute {@code name} of the text, or null (Yjs {@code getAttribute}). */
  public @Nullable Object getAttribute(String name) {
    Objects.requireNonNull(name, "name");
    return doc == null ? null : mapGet(name);
  }

  /**
   * The attributes of the text, keys in a JavaScript object's order (Yjs {@code getAttributes}, an object: an attribute
   * {@code "__proto__"} is not listed, {@link #getAttribute} reads it); unmodifiable.
   */
  public Map<String, Object> getAttributes() {
    return doc == null ? Map.of() : asJsObject(mapEntries());
  }

  /**
   * The attributes of the text as they were at {@code snapshot} (Yjs {@code typeMapGetAllSnapshot}, which
   * y-prosemirror needs for an XML text's node attributes in a version), as {@link #getAttributes()} lists them.
   *
   * @throws IllegalStateException if this text is not part of a document
   */
  public Map<String, Object> getAttributes(Snapshot snapshot) {
    return asJsObject(mapEntries(snapshot));
  }

  /**
   * A new preliminary text with the same content and formatting (Yjs {@code clone()}: {@code applyDelta(toDelta())}).
   * Shared types embedded in the text are cloned too (Yjs inserts the embedded type itself a second time, which fails
   * midway with a TypeError and leaves its document broken).
   */
  @Override
  public YText clone() {
    YText copy = new YText();
    copy.applyDelta(deltaForClone());
    return copy;
  }

  /** {@link #toDelta()} with every embedded shared type replaced by its clone. */
  final List<Delta> deltaForClone() {
    List<Delta> delta = new ArrayList<>(toDelta());
    // Yjs's clone applies the delta when inserted and stops at a null embed (a TypeError it logs): the rest is lost.
    for (int i = 0; i < delta.size(); i++) {
      if (delta.get(i).insert() == Delta.NULL_EMBED) {
        delta.subList(i, delta.size()).clear();
      }
    }
    delta.replaceAll(d -> d.insert() instanceof SharedType ? Delta.insert(cloneValue(d.insert()), d.attributes()) : d);
    return delta;
  }

  /** The content as a delta of inserts with their formatting (embeds and nested types as they are). */
  public List<Delta> toDelta() {
    requireDoc();
    return computeDelta(null, null, null);
  }

  /**
   * Computes the {@code ychange} attribute that {@link #toDelta(Snapshot, Snapshot, YChangeFunction)} puts on text
   * that was added or removed between two snapshots. y-prosemirror returns {@code {user, type, color}} here, with
   * the user from {@link PermanentUserData}.
   */
  @FunctionalInterface
  public interface YChangeFunction {
    /**
     * The attribute value for a change.
     *
     * @param type {@code "added"} or {@code "removed"}
     * @param client the client that inserted the changed text
     * @param clock the clock of its first unit
     */
    Object apply(String type, long client, int clock);
  }

  /**
   * The content at {@code snapshot}, with what changed since {@code prevSnapshot} marked (Yjs
   * {@code toDelta(snapshot, prevSnapshot, computeYChange)}): text that exists at either is included; text that
   * {@code snapshot} no longer has carries the attribute {@code ychange} = {@code computeYChange("removed", ...)},
   * text that {@code prevSnapshot} did not have yet {@code computeYChange("added", ...)} (without a function:
   * {@code {type: "removed"}} / {@code {type: "added"}}). Consecutive text of one change is one insert only while
   * the attribute value is a map whose {@code user} is the inserting client's id, as Yjs packs it.
   *
   * <p>Either snapshot may be null: no {@code snapshot} means the current state, no {@code prevSnapshot} marks
   * nothing as added. With a snapshot, items are split where the snapshots cut them, in a transaction with the
   * origin {@code "cleanup"} that merges them again (and changes nothing). The document must hold the deleted
   * text, so it should not collect garbage (see {@link Snapshot}).
   *
   * @throws IllegalStateException if this text is not part of a document
   */
  public List<Delta> toDelta(@Nullable Snapshot snapshot, @Nullable Snapshot prevSnapshot,
      @Nullable YChangeFunction computeYChange) {
    requireDoc();
    if (snapshot == null && prevSnapshot == null) {
      return computeDelta(null, null, computeYChange);
    }
    return doc.transact(txn -> {
      if (snapshot != null) {
        snapshot.splitAffectedStructs(txn);
      }
      if (prevSnapshot != null) {
        prevSnapshot.splitAffectedStructs(txn);
      }
      return computeDelta(snapshot, prevSnapshot, computeYChange);
    }, "cleanup", true);
  }

  private static final String YCHANGE = "ychange";

  private List<Delta> computeDelta(Snapshot snapshot, Snapshot prevSnapshot, YChangeFunction computeYChange) {
    List<Delta> ops = new ArrayList<>();
    Map<String, Object> current = new LinkedHashMap<>();
    StringBuilder str = new StringBuilder();
    for (Item n = start; n != null; n = n.right) {
      if (!Snapshot.isVisible(n, snapshot) && (prevSnapshot == null || !prevSnapshot.isVisible(n))) {
        continue;
      }
      Content c = n.content;
      if (c instanceof ContentString s) {
        Object cur = current.get(YCHANGE);
        if (snapshot != null && !snapshot.isVisible(n)) {
          if (cur == null || !sameYChange(cur, n.client, "removed")) {
            packString(ops, str, current);
            current.put(YCHANGE, ychange(computeYChange, "removed", n));
          }
        } else if (prevSnapshot != null && !prevSnapshot.isVisible(n)) {
          if (cur == null || !sameYChange(cur, n.client, "added")) {
            packString(ops, str, current);
            current.put(YCHANGE, ychange(computeYChange, "added", n));
          }
        } else if (cur != null) {
          packString(ops, str, current);
          current.remove(YCHANGE);
        }
        s.appendTo(str);
      } else if (c instanceof ContentType || c instanceof ContentEmbed) {
        packString(ops, str, current);
        Object insert = c instanceof ContentType t ? t.type : ((ContentEmbed) c).deltaInsert();
        ops.add(insertOp(insert, current));
      } else if (c instanceof ContentFormat f && Snapshot.isVisible(n, snapshot)) {
        packString(ops, str, current);
        updateCurrentAttributes(current, f);
      }
    }
    packString(ops, str, current);
    return Collections.unmodifiableList(ops);
  }

  private static Object ychange(YChangeFunction computeYChange, String type, Item n) {
    if (computeYChange == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", type);
      return Collections.unmodifiableMap(m);
    }
    return computeYChange.apply(type, n.client, n.clock);
  }

  /**
   * Yjs's {@code cur.user === n.id.client && cur.type === type}, with JavaScript's strict equality: only a map
   * whose {@code user} is the number {@code client} and whose {@code type} is the string {@code type}.
   */
  private static boolean sameYChange(Object cur, long client, String type) {
    if (!(cur instanceof Map<?, ?> m) || !type.equals(m.get("type"))) {
      return false;
    }
    Object user = m.get("user");
    if (user instanceof Double || user instanceof Float) {
      return ((Number) user).doubleValue() == client;
    }
    return (user instanceof Integer || user instanceof Long || user instanceof Short || user instanceof Byte)
        && ((Number) user).longValue() == client;
  }

  private static void packString(List<Delta> ops, StringBuilder str, Map<String, Object> current) {
    if (str.length() > 0) {
      ops.add(insertOp(str.toString(), current));
      str.setLength(0);
    }
  }

  /**
   * An insert of {@link #toDelta}: Yjs copies the current attributes into an object with {@code attrs[key] =
   * value}, which keeps no {@code "__proto__"} entry (see {@link JsObjects#PROTO}) and leaves {@code {}} if that was
   * the only one.
   */
  private static Delta insertOp(Object insert, Map<String, Object> current) {
    if (current.isEmpty()) {
      return Delta.insert(insert);
    }
    if (!current.containsKey(JsObjects.PROTO)) {
      return Delta.insert(insert, current);
    }
    Map<String, Object> attributes = new LinkedHashMap<>(current);
    attributes.remove(JsObjects.PROTO);
    return new Delta(insert, 0, 0, Collections.unmodifiableMap(attributes));
  }

  /** Calls {@code observer} after each transaction that changed this text. */
  public Subscription observe(Consumer<YTextEvent> observer) {
    Objects.requireNonNull(observer, "observer");
    return addObserver(e -> observer.accept((YTextEvent) e));
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YTextEvent(this, txn, keysChanged);
  }

  @Override
  void callObserver(Transaction txn, Set<String> keysChanged) {
    super.callObserver(txn, keysChanged);
    // A remote change may have left redundant formatting marks: clean them up once the transaction is done. Asked
    // after the observers, as Yjs does: one of them may have formatted this text.
    if (!txn.local && hasFormatting) {
      txn.needFormattingCleanup = true;
    }
  }

  private static Map<String, Object> normalizeAttributes(Map<String, Object> attributes) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : JsObjects.orderedKeys(attributes)) {
      Object v = attributes.get(key);
      out.put(key, v == null ? null : Values.checkJson(v));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ the algorithm

  /** A position in the item list: between {@code left} and {@code right}, with the formatting in effect. */
  static final class Pos {
    Item left;
    Item right;
    int index;
    final Map<String, Object> currentAttributes;

    Pos(Item left, Item right, int index, Map<String, Object> currentAttributes) {
      this.left = left;
      this.right = right;
      this.index = index;
      this.currentAttributes = currentAttributes;
    }

    void forward() {
      if (right == null) {
        throw new IllegalStateException("cannot move past the end of the text");
      }
      // Deleted items first: a run of tombstones is walked without touching their contents.
      if (!right.isDeleted()) {
        // Format marks are never countable: text items are told apart by a flag, without loading their content.
        if (!right.isCountable() && right.content instanceof ContentFormat f) {
          updateCurrentAttributes(currentAttributes, f);
        } else {
          index += right.length;
        }
      }
      left = right;
      right = right.right;
    }
  }

  /**
   * Yjs's {@code equalAttrs}: {@code a === b}, or two objects (maps, arrays, byte arrays) with the same number of
   * keys and {@code ===} values under each key (lib0's {@code equalFlat}), so {@code [1, 2]} equals {@code [1, 2]}
   * but {@code [[1]]} does not equal {@code [[1]]}, and NaN equals nothing.
   */
  static boolean equalAttrs(@Nullable Object a, @Nullable Object b) {
    if (strictEquals(a, b)) {
      return true;
    }
    if (!isJsObject(a) || !isJsObject(b)) {
      return false;
    }
    List<String> keys = jsKeys(a);
    if (keys.size() != jsKeys(b).size()) {
      return false;
    }
    for (String key : keys) {
      Object val = jsGet(a, key);
      if (val == Undefined.INSTANCE && !jsHas(b, key)) {
        return false;
      }
      if (!strictEquals(jsGet(b, key), val)) {
        return false;
      }
    }
    return true;
  }

  /**
   * JavaScript's {@code ===} on the values an attribute holds: numbers by value whatever their class (NaN equals
   * nothing, -0 equals 0), bigints, strings and booleans by value, objects only to themselves.
   */
  static boolean strictEquals(@Nullable Object a, @Nullable Object b) {
    if (a instanceof Number x && !(a instanceof java.math.BigInteger)) {
      return b instanceof Number y && !(b instanceof java.math.BigInteger) && x.doubleValue() == y.doubleValue();
    }
    if (a == b) {
      return true;
    }
    if (a instanceof String || a instanceof Boolean || a instanceof java.math.BigInteger) {
      return a.equals(b);
    }
    return false;
  }

  /** Whether JavaScript's {@code typeof} is "object" and the value is not null. */
  static boolean isJsObject(@Nullable Object v) {
    return v instanceof Map<?, ?> || v instanceof List<?> || v instanceof byte[];
  }

  /** {@code Object.keys(v)} of an object, an array or a byte array. */
  static List<String> jsKeys(Object v) {
    if (v instanceof Map<?, ?> m) {
      return JsObjects.orderedKeys(m);
    }
    int n = v instanceof List<?> l ? l.size() : ((byte[]) v).length;
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(Integer.toString(i));
    }
    return keys;
  }

  /** {@code v[key]}: undefined when there is no such key. */
  static @Nullable Object jsGet(Object v, String key) {
    if (v instanceof Map<?, ?> m) {
      return m.containsKey(key) ? m.get(key) : Undefined.INSTANCE;
    }
    int i = elementIndex(v, key);
    if (i < 0) {
      return Undefined.INSTANCE;
    }
    return v instanceof List<?> l ? l.get(i) : (Object) (((byte[]) v)[i] & 0xFF);
  }

  /** {@code Object.hasOwn(v, key)}. */
  private static boolean jsHas(Object v, String key) {
    return v instanceof Map<?, ?> m ? m.containsKey(key) : elementIndex(v, key) >= 0;
  }

  /** The element of an array or byte array that {@code key} names, or -1. */
  private static int elementIndex(Object v, String key) {
    int n = v instanceof List<?> l ? l.size() : ((byte[]) v).length;
    int i = -1;
    try {
      i = Integer.parseInt(key);
    } catch (NumberFormatException notAnIndex) {
      // a key like "a" or "1.5" names no element
    }
    return i >= 0 && i < n && key.equals(Integer.toString(i)) ? i : -1;
  }

  static void updateCurrentAttributes(Map<String, Object> current, ContentFormat f) {
    if (f.value == null) {
      current.remove(f.key);
    } else {
      current.put(f.key, f.value);
    }
  }

  private Pos findNextPosition(Transaction txn, Pos pos, int count) {
    while (pos.right != null && count > 0) {
      Item r = pos.right;
      if (r.isDeleted()) {
        // skip the tombstone without touching its content
      } else if (!r.isCountable() && r.content instanceof ContentFormat f) {
        updateCurrentAttributes(pos.currentAttributes, f);
      } else {
        if (count < r.length) {
          txn.doc.store.getItemCleanStart(txn, r.client, r.clock + count);
        }
        pos.index += r.length;
        count -= r.length;
      }
      pos.left = r;
      pos.right = r.right;
    }
    return pos;
  }

  private Pos findPosition(Transaction txn, int index, boolean useSearchMarker) {
    return findPosition(txn, index, useSearchMarker, new LinkedHashMap<>());
  }

  /**
   * The position for an edit that inserts no format marks (plain insert, delete). Without any marks in the text
   * the attributes stay empty, so typing allocates no map for them.
   */
  private Pos findPlainPosition(Transaction txn, int index) {
    return findPosition(txn, index, true, containsFormats ? new LinkedHashMap<>() : Map.of());
  }

  private Pos findPosition(Transaction txn, int index, boolean useSearchMarker,
      Map<String, Object> currentAttributes) {
    if (useSearchMarker && searchMarkers != null && searchMarkers.find(this, index)) {
      // Not from the marker at the start of the clock run (Yjs's start) but from where the marker's walk reached:
      // the walk right from the run start passes the same items to get there, and a text with markers has no
      // format marks whose attributes it would collect on the way. When the walk reached the index exactly, Yjs
      // may stop earlier, before tombstones that end at the reached item: an insert moves past tombstones, and a
      // delete skips them, so both end at the same items.
      Item p = searchMarkers.reachedItem;
      int reachedIndex = searchMarkers.reachedIndex;
      return findNextPosition(txn, new Pos(p.left, p, reachedIndex, currentAttributes), index - reachedIndex);
    }
    return findNextPosition(txn, new Pos(null, start, 0, currentAttributes), index);
  }

  private void insertNegatedAttributes(Transaction txn, Pos pos, Map<String, Object> negated) {
    // Skip formats that already end the attributes.
    while (pos.right != null && (pos.right.isDeleted() || (pos.right.content instanceof ContentFormat f
        && negated.containsKey(f.key) && equalAttrs(negated.get(f.key), f.value)))) {
      if (!pos.right.isDeleted()) {
        negated.remove(((ContentFormat) pos.right.content).key);
      }
      pos.forward();
    }
    for (Map.Entry<String, Object> e : negated.entrySet()) {
      pos.right = insertItem(txn, pos.left, pos.right, null, new ContentFormat(e.getKey(), e.getValue()));
      pos.forward();
    }
  }

  /**
   * Yjs's {@code attributes[key]} of an attributes object with these entries and prototype ({@link JsObject}):
   * {@link Undefined#INSTANCE} when absent. The key {@code "__proto__"}, if no entry, reads the prototype.
   */
  static @Nullable Object jsAttr(Map<String, Object> attributes, Object proto, String key) {
    if (attributes.containsKey(key)) {
      return attributes.get(key);
    }
    if (key.equals(JsObjects.PROTO)) {
      return proto;
    }
    return proto == JsObject.OBJECT_PROTOTYPE ? Undefined.INSTANCE : jsGet(proto, key);
  }

  /** Yjs's {@code attributes[key] ?? null}. */
  private static @Nullable Object jsAttrOrNull(Map<String, Object> attributes, Object proto, String key) {
    Object v = jsAttr(attributes, proto, key);
    return v == Undefined.INSTANCE ? null : v;
  }

  private static void minimizeAttributeChanges(Pos pos, Map<String, Object> attributes, Object proto) {
    while (pos.right != null) {
      Item r = pos.right;
      if (!(r.isDeleted() || (!r.isCountable() && r.content instanceof ContentFormat f
          && equalAttrs(jsAttrOrNull(attributes, proto, f.key), f.value)))) {
        break;
      }
      pos.forward();
    }
  }

  private Map<String, Object> insertAttributes(Transaction txn, Pos pos, Map<String, Object> attributes, Object proto) {
    Map<String, Object> negated = null; // allocated when needed: plain typing negates nothing
    // Yjs: for (const key in attributes): the entries in a JavaScript object's order (array-index keys first, so also
    // those that insertText added), then what the prototype lends
    List<String> own = JsObjects.orderedKeys(attributes);
    List<String> inherited = proto == JsObject.OBJECT_PROTOTYPE ? List.of() : jsKeys(proto);
    int n = own.size() + inherited.size();
    for (int i = 0; i < n; i++) {
      String key;
      Object val;
      if (i < own.size()) {
        key = own.get(i);
        val = attributes.get(key);
      } else {
        key = inherited.get(i - own.size());
        if (attributes.containsKey(key)) {
          continue;
        }
        val = jsGet(proto, key);
      }
      Object currentVal = pos.currentAttributes.get(key);
      if (!equalAttrs(currentVal, val)) {
        if (negated == null) {
          negated = new LinkedHashMap<>();
        }
        negated.put(key, currentVal);
        pos.right = insertItem(txn, pos.left, pos.right, null, new ContentFormat(key, val));
        pos.forward();
      }
    }
    return negated == null ? new LinkedHashMap<>() : negated;
  }

  private void insertText(Transaction txn, Pos pos, Object text, Map<String, Object> attributes) {
    insertText(txn, pos, text, attributes, JsObject.OBJECT_PROTOTYPE);
  }

  /** Inserts with Yjs's attributes object: these entries and prototype {@code proto} (see {@link JsObject}). */
  private void insertText(Transaction txn, Pos pos, Object text, Map<String, Object> attributes, Object proto) {
    if (!pos.currentAttributes.isEmpty()) {
      for (String key : pos.currentAttributes.keySet()) {
        // Yjs: if (attributes[key] === undefined) attributes[key] = null ("__proto__" is never undefined)
        if (jsAttr(attributes, proto, key) == Undefined.INSTANCE) {
          attributes.put(key, null);
        }
      }
    }
    minimizeAttributeChanges(pos, attributes, proto);
    Map<String, Object> negated = attributes.isEmpty() && proto == JsObject.OBJECT_PROTOTYPE ? Map.of()
        : insertAttributes(txn, pos, attributes, proto);
    Content content = text instanceof String s ? ContentString.of(s)
        : text instanceof SharedType t ? contentOf(t) : new ContentEmbed(text);
    if (searchMarkers != null) {
      searchMarkers.updateMarkerChanges(pos.index, content.length());
    }
    int index = pos.index;
    pos.right = insertItem(txn, pos.left, pos.right, null, content);
    pos.index = index;
    pos.forward();
    if (!negated.isEmpty()) {
      // (With nothing to negate, Yjs only moves the position past tombstones, which no one reads afterwards.)
      insertNegatedAttributes(txn, pos, negated);
    }
  }

  private void formatText(Transaction txn, Pos pos, int length, Map<String, Object> attributes) {
    Object proto = JsObject.OBJECT_PROTOTYPE;
    minimizeAttributeChanges(pos, attributes, proto);
    Map<String, Object> negated = insertAttributes(txn, pos, attributes, proto);
    // Delete formats that the new attributes override, and look past the range so that no redundant negation
    // is inserted there.
    iteration:
    while (pos.right != null && (length > 0 || (!negated.isEmpty()
        && (pos.right.isDeleted() || pos.right.content instanceof ContentFormat)))) {
      Item r = pos.right;
      if (!r.isDeleted()) {
        if (r.content instanceof ContentFormat f) {
          // Yjs: const attr = attributes[key]; if (attr !== undefined): "__proto__" always is (Object.prototype)
          Object attr = jsAttr(attributes, proto, f.key);
          if (attr != Undefined.INSTANCE) {
            if (equalAttrs(attr, f.value)) {
              negated.remove(f.key);
            } else {
              if (length == 0) {
                break iteration;
              }
              negated.put(f.key, f.value);
            }
            r.delete(txn);
          } else {
            pos.currentAttributes.put(f.key, f.value);
          }
        } else {
          if (length < r.length) {
            txn.doc.store.getItemCleanStart(txn, r.client, r.clock + length);
          }
          length -= r.length;
        }
      }
      pos.forward();
    }
    // Quill-style: formatting past the end inserts newlines.
    if (length > 0) {
      pos.right = insertItem(txn, pos.left, pos.right, null, ContentString.of("\n".repeat(length)));
      pos.forward();
    }
    insertNegatedAttributes(txn, pos, negated);
  }

  /** Removes format marks between {@code start} and the next content that are overwritten or redundant. */
  private static int cleanupFormattingGap(Transaction txn, Item start, Item curr, Map<String, Object> startAttributes,
      Map<String, Object> currAttributes) {
    Item end = start;
    Map<String, ContentFormat> endFormats = new HashMap<>();
    while (end != null && (!end.isCountable() || end.isDeleted())) {
      if (!end.isDeleted() && end.content instanceof ContentFormat cf) {
        endFormats.put(cf.key, cf);
      }
      end = end.right;
    }
    int cleanups = 0;
    boolean reachedCurr = false;
    while (start != end) {
      if (curr == start) {
        reachedCurr = true;
      }
      if (!start.isDeleted() && start.content instanceof ContentFormat cf) {
        String key = cf.key;
        Object value = cf.value;
        Object startAttrValue = startAttributes.get(key);
        if (endFormats.get(key) != cf || strictEquals(startAttrValue, value)) {
          // Overwritten later in the gap, or the attribute already had this value.
          start.delete(txn);
          cleanups++;
          if (!reachedCurr && strictEquals(currAttributes.get(key), value)
              && !strictEquals(startAttrValue, value)) {
            if (startAttrValue == null) {
              currAttributes.remove(key);
            } else {
              currAttributes.put(key, startAttrValue);
            }
          }
        }
        if (!reachedCurr && !start.isDeleted()) {
          updateCurrentAttributes(currAttributes, cf);
        }
      }
      start = start.right;
    }
    return cleanups;
  }

  private static void cleanupContextlessFormattingGap(Transaction txn, Item item) {
    while (item != null && item.right != null && (item.right.isDeleted() || !item.right.isCountable())) {
      item = item.right;
    }
    Set<String> attrs = new HashSet<>();
    while (item != null && (item.isDeleted() || !item.isCountable())) {
      if (!item.isDeleted() && item.content instanceof ContentFormat cf) {
        if (!attrs.add(cf.key)) {
          item.delete(txn);
        }
      }
      item = item.left;
    }
  }

  /**
   * Removes the format marks of this text that change nothing (Yjs {@code cleanupYTextFormatting}): marks that a
   * later mark overrides before any content, or that set what is already set. Yjs removes these itself after a
   * remote change; a text edited with formatting inside local transactions that applied remote updates, or one
   * written by an old client, can still hold some. Returns how many were removed.
   *
   * @throws IllegalStateException if this text is not part of a document
   */
  public int cleanupFormatting() {
    requireDoc();
    return cleanupFormatting(this);
  }

  /**
   * {@link #cleanupFormatting()} on any type: as Yjs, a remote update can put format marks into an array (an id that
   * names both an item of length 0 in a text and the array item after it), and the cleanup after that update walks
   * the array as it walks a text.
   */
  private static int cleanupFormatting(SharedType type) {
    int[] res = {0};
    type.doc.transact(txn -> {
      Item startItem = type.start;
      Item end = type.start;
      Map<String, Object> startAttributes = new HashMap<>();
      Map<String, Object> currentAttributes = new HashMap<>(startAttributes);
      while (end != null) {
        if (!end.isDeleted()) {
          if (end.content instanceof ContentFormat cf) {
            updateCurrentAttributes(currentAttributes, cf);
          } else {
            res[0] += cleanupFormattingGap(txn, startItem, end, startAttributes, currentAttributes);
            startAttributes = new HashMap<>(currentAttributes);
            startItem = end;
          }
        }
        end = end.right;
      }
    });
    return res[0];
  }

  /**
   * After a remote change to formatted text: remove format marks that became redundant (as Yjs does), in every type
   * that holds marks, a text or not.
   */
  static void cleanupAfterTransaction(Transaction txn) {
    Doc doc = txn.doc;
    Set<SharedType> needFullCleanup = new LinkedHashSet<>();
    txn.afterState().forEach((client, afterClock) -> {
      int clock = txn.beforeState(client);
      if (afterClock == clock) {
        return;
      }
      StructList structs = doc.store.list(client);
      List<AbstractStruct> inserted = new ArrayList<>();
      doc.store.iterateStructs(txn, structs, clock, structs.state() - clock, inserted::add);
      for (AbstractStruct s : inserted) {
        if (s instanceof Item item && !item.isDeleted() && item.content instanceof ContentFormat
            && item.parent instanceof SharedType parent) {
          needFullCleanup.add(parent);
        }
      }
    });
    DeleteSet ds = txn.deleteSetOrNull();
    Map<Long, DeleteSet.Ranges> deletedRanges = ds == null ? Map.of() : ds.clients;
    doc.transact(t -> {
      List<AbstractStruct> deleted = new ArrayList<>();
      for (Map.Entry<Long, DeleteSet.Ranges> e : deletedRanges.entrySet()) {
        StructList structs = doc.store.list(e.getKey());
        if (structs == null) {
          continue;
        }
        int state = structs.state();
        DeleteSet.Ranges ranges = e.getValue();
        for (int i = 0; i < ranges.count() && ranges.clock(i) < state; i++) {
          doc.store.iterateStructs(txn, structs, ranges.clock(i), ranges.len(i), deleted::add);
        }
      }
      for (AbstractStruct s : deleted) {
        if (!(s instanceof Item item) || !(item.parent instanceof SharedType parent) || !parent.hasFormatting
            || needFullCleanup.contains(parent)) {
          continue;
        }
        if (item.content instanceof ContentFormat) {
          needFullCleanup.add(parent);
        } else {
          cleanupContextlessFormattingGap(t, item);
        }
      }
      for (SharedType type : needFullCleanup) {
        cleanupFormatting(type);
      }
    });
  }

  /**
   * Moves {@code pos} from the start of a run of tombstones to the visible item after them, as the delete loop's
   * {@link Pos#forward} calls would, when a search hint finds that item. Only while the type has search markers: a
   * text that ever held a format mark has none, so the run holds no marks whose attributes the walk would collect.
   */
  private void skipTombstones(Pos pos) {
    Item visible = searchMarkers.visibleStartingAt(pos.index);
    if (visible == null) {
      return;
    }
    if (SearchMarkers.crossCheck) {
      for (Item r = pos.right; r != visible; r = r.right) {
        if (r == null || !r.isDeleted()) {
          throw new IllegalStateException("a hint found " + visible + " at " + pos.index + ", not after the"
              + " tombstones from " + pos.right);
        }
      }
    }
    pos.left = visible.left;
    pos.right = visible;
  }

  private Pos deleteText(Transaction txn, Pos pos, int length) {
    if (pos.left == null && pos.right == null) {
      // Yjs reads (currPos.left || currPos.right).parent: a TypeError in a text that never held anything
      throw new IndexOutOfBoundsException("cannot delete " + length + " from a text that has never held anything");
    }
    if (searchMarkers != null) {
      searchMarkers.beforeDelete();
    }
    if (length > 0 && searchMarkers != null && pos.right != null && pos.right.isDeleted()) {
      skipTombstones(pos);
    }
    int startLength = length;
    Map<String, Object> startAttrs = containsFormats ? new HashMap<>(pos.currentAttributes) : null;
    Item startItem = pos.right;
    while (length > 0 && pos.right != null) {
      Item r = pos.right;
      if (!r.isDeleted() && (r.content instanceof ContentType || r.content instanceof ContentEmbed
          || r.content instanceof ContentString)) {
        if (length < r.length) {
          txn.doc.store.getItemCleanStart(txn, r.client, r.clock + length);
        }
        length -= r.length;
        r.delete(txn);
      }
      pos.forward();
    }
    if (startItem != null && containsFormats) {
      cleanupFormattingGap(txn, startItem, pos.right, startAttrs, pos.currentAttributes);
    }
    if (searchMarkers != null) {
      searchMarkers.updateMarkerChanges(pos.index, -startLength + length);
    }
    return pos;
  }
}
