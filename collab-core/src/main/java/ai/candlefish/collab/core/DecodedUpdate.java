package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an encoded update holds, for inspection (Yjs {@code decodeUpdate}/{@code decodeUpdateV2}): its structs in
 * the order they are written, described as Yjs's decoded structs are, and its delete set. {@link #toString()} is
 * Yjs's {@code logUpdate} as text. Made by {@link Updates#decode(byte[])} and {@link Updates#decodeV2(byte[])}.
 *
 * <p>Immutable and thread-safe; content values are as {@link YArray#toList()} would return them (do not modify
 * them).
 */
public final class DecodedUpdate {
  private final List<Struct> structs;
  private final List<IdRange> deletes;

  private DecodedUpdate(List<Struct> structs, List<IdRange> deletes) {
    this.structs = structs;
    this.deletes = deletes;
  }

  /** The kind of a struct, as Yjs names its classes. */
  public enum Kind {
    /** An item: content inserted by a client. */
    ITEM,
    /** A garbage-collected range (Yjs {@code GC}): deleted content whose details are gone. */
    GC,
    /** A gap in a merged update (Yjs {@code Skip}): clocks the update does not carry. */
    SKIP
  }

  /**
   * A client's clock: the id of one unit of content.
   *
   * @param client the client id
   * @param clock the clock
   */
  public record Id(long client, int clock) {
    @Override
    public String toString() {
      return client + ":" + clock;
    }
  }

  /**
   * One struct: the clocks {@code [id.clock, id.clock + length)} of client {@code id.client}. For an item, the
   * neighbours it was inserted between ({@code origin}, {@code rightOrigin}; null at an end) and, where the update
   * names it (an item written without neighbours, or an item of a document, see {@link Doc.Builder#gcFilter}), its
   * parent: the name of a root type or the id of the item holding the parent type, and the key in a map
   * ({@code parentSub}). {@code content} is the name of Yjs's content class ({@code ContentString},
   * {@code ContentAny}, {@code ContentJSON}, {@code ContentBinary}, {@code ContentEmbed}, {@code ContentFormat},
   * {@code ContentType}, {@code ContentDeleted}, {@code ContentDoc}) and {@code values} what it holds: the string;
   * the values; the bytes; the embed; the format's key and value; the type's class name ({@code YText},
   * {@code YMap}, ...) and, for an XML element or hook, its name; nothing for deleted content; a subdocument's
   * guid and options. GCs and skips have no content (null, and an empty list).
   *
   * @param kind item, GC or skip
   * @param id the first clock
   * @param length the number of clocks
   * @param origin the left neighbour at insertion, or null
   * @param rightOrigin the right neighbour at insertion, or null
   * @param parentName the root type's name, or null
   * @param parentId the id of the item holding the parent type, or null
   * @param parentSub the key in the parent map, or null
   * @param content the content class name, or null
   * @param values what the content holds
   */
  public record Struct(Kind kind, Id id, int length, @Nullable Id origin, @Nullable Id rightOrigin,
      @Nullable String parentName, @Nullable Id parentId, @Nullable String parentSub, @Nullable String content,
      List<@Nullable Object> values) {
    @Override
    public String toString() {
      if (kind != Kind.ITEM) {
        return (kind == Kind.GC ? "GC" : "Skip") + "(" + id + ", " + length + ")";
      }
      StringBuilder sb = new StringBuilder("Item(").append(id).append(", ").append(length);
      if (origin != null) {
        sb.append(", origin ").append(origin);
      }
      if (rightOrigin != null) {
        sb.append(", rightOrigin ").append(rightOrigin);
      }
      if (parentName != null) {
        sb.append(", parent '").append(parentName).append('\'');
      } else if (parentId != null) {
        sb.append(", parent ").append(parentId);
      }
      if (parentSub != null) {
        sb.append(", key '").append(parentSub).append('\'');
      }
      return sb.append(", ").append(content).append(' ').append(values).append(')').toString();
    }
  }

  /** The structs, in the order the update writes them (clients in descending order, clocks ascending). */
  public List<Struct> structs() {
    return structs;
  }

  /**
   * The delete set: per client (in the order the update first lists it; Yjs writes clients in descending order), its
   * deleted ranges as the update lists them, those of a client listed twice together, as Yjs's {@code decodeUpdate}
   * reads them.
   */
  public List<IdRange> deletes() {
    return deletes;
  }

  /** The structs and the delete set, one struct a line (what Yjs's {@code logUpdate} prints, as text). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Structs:\n");
    for (Struct s : structs) {
      sb.append("  ").append(s).append('\n');
    }
    sb.append("DeleteSet:\n");
    for (IdRange r : deletes) {
      sb.append("  ").append(r.client()).append(':').append(r.clock()).append(" +").append(r.length()).append('\n');
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------ engine side

  static DecodedUpdate decode(byte[] update, UpdateFormat format) {
    Objects.requireNonNull(update, "update");
    UpdateMerger.Stream stream = UpdateReader.decodeStream(update, format, true);
    List<Struct> structs = new ArrayList<>(stream.structs().size());
    for (AbstractStruct s : stream.structs()) {
      structs.add(describe(s));
    }
    List<IdRange> deletes = new ArrayList<>();
    ClientMap<DeleteSet.Ranges> clients = stream.deletes().clients;
    for (int p = 0; p < clients.end(); p++) {
      DeleteSet.Ranges ranges = clients.valueAt(p);
      for (int i = 0; ranges != null && i < ranges.count(); i++) {
        deletes.add(new IdRange(clients.keyAt(p), ranges.clock(i), ranges.len(i)));
      }
    }
    return new DecodedUpdate(Collections.unmodifiableList(structs), Collections.unmodifiableList(deletes));
  }

  /** A struct as decoded from an update, or (for the gc filter) an item of a document, whose parent is a type. */
  static Struct describe(AbstractStruct s) {
    Id id = new Id(s.client, s.clock);
    if (!(s instanceof Item item)) {
      return new Struct(s instanceof GC ? Kind.GC : Kind.SKIP, id, s.length, null, null, null, null, null, null,
          List.of());
    }
    String parentName = null;
    Id parentId = null;
    if (item.parent instanceof String name) {
      parentName = name;
    } else if (item.parent instanceof ID p) {
      parentId = new Id(p.client, p.clock);
    } else if (item.parent instanceof SharedType type) {
      if (type.item != null) {
        parentId = new Id(type.item.client, type.item.clock);
      } else {
        parentName = type.rootName;
      }
    }
    return new Struct(Kind.ITEM, id, s.length, toId(item.origin), toId(item.rightOrigin), parentName, parentId,
        item.parentSub, contentName(item.content), Collections.unmodifiableList(values(item.content)));
  }

  private static Id toId(ID id) {
    return id == null ? null : new Id(id.client, id.clock);
  }

  private static String contentName(Content c) {
    return switch (c.ref()) {
      case Content.DELETED -> "ContentDeleted";
      case Content.JSON -> "ContentJSON";
      case Content.BINARY -> "ContentBinary";
      case Content.STRING -> "ContentString";
      case Content.EMBED -> "ContentEmbed";
      case Content.FORMAT -> "ContentFormat";
      case Content.TYPE -> "ContentType";
      case Content.ANY -> "ContentAny";
      case Content.DOC -> "ContentDoc";
      default -> throw new IllegalStateException("unknown content ref " + c.ref());
    };
  }

  private static List<Object> values(Content c) {
    List<Object> out = new ArrayList<>();
    if (c instanceof ContentString s) {
      out.add(s.string());
    } else if (c instanceof ContentValues v) {
      v.collect(out);
    } else if (c instanceof ContentBinary b) {
      out.add(b.bytes);
    } else if (c instanceof ContentEmbed e) {
      out.add(e.embed);
    } else if (c instanceof ContentFormat f) {
      out.add(f.key);
      out.add(f.value);
    } else if (c instanceof ContentType t) {
      out.add(typeName(t.type));
      if (t.type instanceof YXmlElement e) {
        out.add(e.nodeName());
      } else if (t.type instanceof YXmlHook h) {
        out.add(h.hookName());
      }
    } else if (c instanceof ContentDoc d) {
      out.add(d.doc.guid());
      out.add(d.opts == null ? Map.of() : d.opts);
    }
    return out;
  }

  private static String typeName(SharedType type) {
    return switch (type.typeRef()) {
      case SharedType.ARRAY -> "YArray";
      case SharedType.MAP -> "YMap";
      case SharedType.TEXT -> "YText";
      case SharedType.XML_ELEMENT -> "YXmlElement";
      case SharedType.XML_FRAGMENT -> "YXmlFragment";
      case SharedType.XML_HOOK -> "YXmlHook";
      case SharedType.XML_TEXT -> "YXmlText";
      default -> "AbstractType";
    };
  }
}
