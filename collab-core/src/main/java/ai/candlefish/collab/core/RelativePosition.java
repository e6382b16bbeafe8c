package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A position in a shared type that survives edits, as Yjs 13.6's {@code RelativePosition}: it names the character
 * (or element) it sits before, not an index, so inserting or deleting elsewhere does not move it. Editors put
 * cursors and selections into awareness in this form (y-prosemirror's {@code cursor.anchor/head}, Lexical's
 * {@code anchorPos/focusPos}); a Java client turns them into indexes of its own document with
 * {@link #toAbsolute(Doc)}.
 *
 * <pre>{@code
 * RelativePosition cursor = RelativePosition.fromTypeIndex(text, 10);
 * text.insert(0, "abc");
 * cursor.toAbsolute(doc).index();                       // 13
 * byte[] wire = cursor.encode();                        // Y.encodeRelativePosition, byte for byte
 * Map<String, Object> json = cursor.toJson();           // Y.relativePositionToJSON
 * }</pre>
 *
 * <p>A position holds one of three references (exactly as Yjs encodes them): the item it sits before
 * ({@code item}); or, when it is at the end of its type, the root type's name ({@code tname}) or the id of the item
 * that holds a nested type ({@code type}). {@code assoc} says which neighbour it sticks to: {@code >= 0} (the
 * default) the character after the position, {@code < 0} the character before it.
 *
 * <p>Immutable and thread-safe. {@link #equals} is Yjs's {@code compareRelativePositions}.
 */
public final class RelativePosition {
  private static final int REF_ITEM = 0;
  private static final int REF_ROOT_NAME = 1;
  private static final int REF_TYPE = 2;
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  /** The item holding the nested type, when the position is at the end of a nested type; else null. */
  private final ID type;
  /** The root type's name, when the position is at the end of a root type; else null. */
  private final String tname;
  /** The unit the position sits before ({@code assoc >= 0}) or after ({@code assoc < 0}); null at an end. */
  private final ID item;
  private final int assoc;

  private RelativePosition(ID type, String tname, ID item, int assoc) {
    this.type = type;
    this.tname = tname;
    this.item = item;
    this.assoc = assoc;
  }

  /**
   * The position at {@code index} of {@code type}'s list part (text units, array elements, XML children), sticking
   * to the character after it. As Yjs's {@code createRelativePositionFromTypeIndex(type, index)}.
   *
   * @throws IllegalStateException if {@code type} is not part of a document yet
   */
  public static RelativePosition fromTypeIndex(SharedType type, int index) {
    return fromTypeIndex(type, index, 0);
  }

  /**
   * The position at {@code index} of {@code type}'s list part. With {@code assoc >= 0} it sticks to the character
   * after the index (text inserted exactly there ends up before the position); with {@code assoc < 0} to the
   * character before it (text inserted exactly there ends up after it). An index beyond the end gives the end of
   * the type. As Yjs's
   * {@code createRelativePositionFromTypeIndex(type, index, assoc)}.
   *
   * <p>A negative index gives what Yjs gives: the id {@code index} clocks before the first visible unit's (an
   * unrelated unit of its client, or a negative clock, which no document holds: {@link #toAbsolute} returns null
   * for it where Yjs fails), or the end of an empty type.
   *
   * @throws IllegalStateException if {@code type} is not part of a document yet
   */
  public static RelativePosition fromTypeIndex(SharedType type, int index, int assoc) {
    Objects.requireNonNull(type, "type");
    type.requireDoc();
    if (assoc < 0) {
      // Associated to the character on the left (or the start of the type).
      if (index == 0) {
        return of(type, null, assoc);
      }
      index--;
    }
    for (Item t = type.start; t != null; t = t.right) {
      if (!t.isDeleted() && t.isCountable()) {
        if (t.length > index) {
          return of(type, new ID(t.client, t.clock + index), assoc);
        }
        index -= t.length;
      }
      if (t.right == null && assoc < 0) {
        // Left-associated at the end: the last unit of the type, visible or not.
        return of(type, t.lastId(), assoc);
      }
    }
    return of(type, null, assoc);
  }

  private static RelativePosition of(SharedType type, ID item, int assoc) {
    if (type.item == null) {
      if (type.rootName == null) {
        throw new IllegalStateException("the type has no root name: it is not part of a document");
      }
      return new RelativePosition(null, type.rootName, item, assoc);
    }
    return new RelativePosition(new ID(type.item.client, type.item.clock), null, item, assoc);
  }

  /**
   * Where this position is now in {@code doc}, following undone deletions (an item that an {@code UndoManager}
   * re-created stands in for the deleted original): as Yjs's
   * {@code createAbsolutePositionFromRelativePosition(rpos, doc)}. Positions shared with other users should use
   * {@link #toAbsolute(Doc, boolean)} with {@code false}, which gives every replica the same answer.
   *
   * @return the type and index, or null if {@code doc} does not have the referenced item yet, or it was
   *     garbage collected
   */
  public @Nullable AbsolutePosition toAbsolute(Doc doc) {
    return toAbsolute(doc, true);
  }

  /**
   * Where this position is now in {@code doc}; see {@link #toAbsolute(Doc)}.
   *
   * <p>A position at the end of a root type that {@code doc} does not have yet creates that root (of unknown
   * kind until someone asks for it), as Yjs's {@code doc.get(name)} does.
   *
   * @param followUndoneDeletions whether a deleted item that an undo re-created is replaced by the re-created one
   *     (only the replica that undid knows that; false gives consistent results across replicas)
   * @return the type and index, or null if {@code doc} does not have the referenced item yet, or it was
   *     garbage collected
   */
  public @Nullable AbsolutePosition toAbsolute(Doc doc, boolean followUndoneDeletions) {
    Objects.requireNonNull(doc, "doc");
    StructStore store = doc.store;
    SharedType parent;
    int index = 0;
    if (item != null) {
      if (store.getState(item.client) <= item.clock || item.clock < 0) {
        return null;
      }
      AbstractStruct found;
      int diff;
      if (followUndoneDeletions) {
        Redo.Followed r = Redo.followRedone(store, item);
        found = r.struct();
        diff = r.diff();
      } else {
        found = store.find(item.client, item.clock);
        diff = item.clock - found.clock;
      }
      if (!(found instanceof Item right) || !(right.parent instanceof SharedType p)) {
        return null;
      }
      parent = p;
      if (parent.item == null || !parent.item.isDeleted()) {
        index = right.isDeleted() || !right.isCountable() ? 0 : diff + (assoc >= 0 ? 0 : 1);
        for (Item n = right.left; n != null; n = n.left) {
          if (n.isVisible()) {
            index += n.length;
          }
        }
      }
    } else {
      if (tname != null) {
        parent = doc.getOrCreateRoot(tname);
      } else {
        if (store.getState(type.client) <= type.clock) {
          return null; // the type does not exist yet
        }
        AbstractStruct found = followUndoneDeletions
            ? Redo.followRedone(store, type).struct()
            : store.find(type.client, type.clock);
        if (found instanceof Item it && it.content instanceof ContentType ct) {
          parent = ct.type;
        } else {
          return null; // collected
        }
      }
      index = assoc >= 0 ? parent.length : 0;
    }
    return new AbsolutePosition(parent, index, assoc);
  }

  /**
   * Which side the position sticks to: {@code >= 0} the character after it, {@code < 0} the character before it.
   */
  public int assoc() {
    return assoc;
  }

  /** The name of the root type, if the position is at the end (or, left-associated, the start) of a root; else null. */
  public @Nullable String rootName() {
    return tname;
  }

  /**
   * Encodes this position as Yjs's {@code encodeRelativePosition} does, byte for byte.
   */
  public byte[] encode() {
    Lib0Encoder out = new Lib0Encoder(16);
    if (item != null) {
      out.writeVarUint(REF_ITEM);
      out.writeVarUint(item.client);
      if (item.clock < 0) {
        // A negative index's position (see fromTypeIndex): lib0 writes a negative number as the one byte num & 0x7f.
        out.writeUint8(item.clock & 0x7F);
      } else {
        out.writeVarUint(item.clock);
      }
    } else if (tname != null) {
      out.writeUint8(REF_ROOT_NAME);
      out.writeVarString(tname);
    } else {
      out.writeUint8(REF_TYPE);
      out.writeVarUint(type.client);
      out.writeVarUint(type.clock);
    }
    out.writeVarInt(assoc);
    return out.toByteArray();
  }

  /**
   * Decodes a position encoded by {@link #encode()} or Yjs's {@code encodeRelativePosition}. Like Yjs, a missing
   * {@code assoc} (positions encoded before it existed) reads as 0 and bytes after it are ignored.
   *
   * @throws DecodingException if the bytes are not a relative position (truncated, an unknown reference kind, a
   *     clock or client beyond what Yjs can encode, an {@code assoc} outside the {@code int} range)
   */
  public static RelativePosition decode(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    Lib0Decoder in = new Lib0Decoder(encoded);
    ID type = null;
    String tname = null;
    ID item = null;
    int kindOffset = in.offset();
    long kind = in.readVarUint();
    if (kind == REF_ITEM) {
      item = new ID(in.readVarUint(), in.readVarUintAsInt());
    } else if (kind == REF_ROOT_NAME) {
      tname = in.readVarString();
    } else if (kind == REF_TYPE) {
      type = new ID(in.readVarUint(), in.readVarUintAsInt());
    } else {
      // Yjs reads this as a position that refers to nothing, which fails only when it is used.
      throw new DecodingException("unknown relative position kind " + kind + " (expected 0, 1 or 2)", kindOffset);
    }
    int assoc = 0;
    if (in.hasContent()) {
      int assocOffset = in.offset();
      long a = in.readVarInt();
      if (a < Integer.MIN_VALUE || a > Integer.MAX_VALUE) {
        throw new DecodingException("assoc " + a + " is outside the int range", assocOffset);
      }
      assoc = (int) a;
    }
    return new RelativePosition(type, tname, item, assoc);
  }

  /**
   * The JSON form, as Yjs's {@code relativePositionToJSON}: {@code {"type":{"client":…,"clock":…}}} or
   * {@code {"tname":…}}, plus {@code "item"} and {@code "assoc"}; absent references are left out. Numbers are
   * {@code Long} (client) and {@code Integer} (clock, assoc). The map is a new mutable copy.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    if (type != null) {
      json.put("type", idJson(type));
    }
    if (tname != null && !tname.isEmpty()) { // Yjs tests the name for truthiness
      json.put("tname", tname);
    }
    if (item != null) {
      json.put("item", idJson(item));
    }
    json.put("assoc", assoc);
    return json;
  }

  private static Map<String, Object> idJson(ID id) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("client", id.client);
    m.put("clock", id.clock);
    return m;
  }

  /**
   * Reads the JSON form: what {@link #toJson()} or Yjs's {@code relativePositionToJSON} gives, and also a
   * {@code RelativePosition} that JavaScript serialised directly (with {@code null} for absent references, as
   * Lexical puts them into awareness). As Yjs's {@code createRelativePositionFromJSON}. Accepts the parsed JSON
   * as {@link ai.candlefish.collab.awareness.Awareness} states hold it: maps with number values.
   *
   * @throws IllegalArgumentException if {@code json} is not a map, an id is not {@code {client, clock}} with
   *     non-negative integers (client below 2^53, clock below 2^31), {@code tname} is not a string,
   *     {@code assoc} is not an integer in the {@code int} range, or no reference ({@code item}, {@code tname},
   *     {@code type}) is present
   */
  public static RelativePosition fromJson(Object json) {
    if (!(json instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("a relative position in JSON is an object, not " + describe(json));
    }
    ID type = idFromJson(m.get("type"), "type");
    ID item = idFromJson(m.get("item"), "item");
    Object tn = m.get("tname");
    if (tn != null && !(tn instanceof String)) {
      throw new IllegalArgumentException("tname must be a string but was " + describe(tn));
    }
    String tname = (String) tn;
    Object a = m.get("assoc");
    int assoc = a == null ? 0 : (int) integer(a, "assoc", Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (type == null && tname == null && item == null) {
      throw new IllegalArgumentException("a relative position needs an item, a tname or a type, but has none");
    }
    return new RelativePosition(type, tname, item, assoc);
  }

  private static ID idFromJson(Object v, String field) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(field + " must be {client, clock} but was " + describe(v));
    }
    long client = integer(m.get("client"), field + ".client", 0, MAX_SAFE_INTEGER);
    int clock = (int) integer(m.get("clock"), field + ".clock", 0, Integer.MAX_VALUE);
    return new ID(client, clock);
  }

  private static long integer(Object v, String field, long min, long max) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && d >= min && d <= max) {
        return n instanceof Double || n instanceof Float ? (long) d : n.longValue();
      }
    }
    throw new IllegalArgumentException(field + " must be an integer in [" + min + ", " + max + "] but was "
        + describe(v));
  }

  private static String describe(Object v) {
    return v == null ? "null" : v instanceof String s ? '"' + s + '"' : v + " (" + v.getClass().getSimpleName() + ")";
  }

  /** Yjs's {@code compareRelativePositions}: the same references and the same {@code assoc}. */
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof RelativePosition r && Objects.equals(tname, r.tname)
        && ID.equal(item, r.item) && ID.equal(type, r.type) && assoc == r.assoc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tname, item, type, assoc);
  }

  @Override
  public String toString() {
    return "RelativePosition" + toJson();
  }
}
