package ai.candlefish.collab.core;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;

/**
 * An estimate of the heap a document's structs hold, from above: what {@link UpdateLimits#maxDocumentBytes()}
 * bounds. Bytes on the wire say little about it: a subdocument reference of a dozen
 * bytes is a {@link Doc} of its own (~1.2 KB), a root type named once is a shared type object (~500 bytes), an item
 * of one character inserted before the last ~160 bytes; 16 MiB of updates could hold 0.2 to 1.4 GB.
 *
 * <p>The weights are measured with compressed oops (benchmarks/RESULTS.md, "Hostile probes", 20,000 of each kind
 * applied to a fresh document): each kind's estimate is at or above what it held (1.0 to 1.3 times), so that a
 * document's estimate never falls short of its heap by much. Stateless; any thread.
 */
final class HeapWeight {
  private HeapWeight() {}

  /** An item and its ids, links and flags (an item of one integer held 141 bytes, its content 40 of them). */
  static final int ITEM = 120;
  /** A collected range (GC) or a gap (Skip). */
  static final int RANGE = 40;
  /** A client's list of structs and its place in the store (20,000 clients of one item each: 259 bytes a client). */
  static final int CLIENT = 120;
  /** A root type and its entry in the document (20,000 roots of one entry: 507 bytes a root). */
  static final int ROOT = 300;
  /** A map key's entry in its parent type, besides the key (20,000 keys: 211 bytes an entry). */
  static final int MAP_ENTRY = 48;
  /** A shared type object and its maps, besides its item (nested maps 245, XML elements 301 bytes each). */
  static final int TYPE = 180;
  /** A subdocument: a {@link Doc} with its store and maps (20,000 subdocuments: 1,282 bytes each). */
  static final int SUBDOCUMENT = 1200;
  /** Any other object, or a box. */
  static final int OBJECT = 16;

  /** The estimate for one struct, its content, and its key in a map. */
  static long of(AbstractStruct s) {
    if (!(s instanceof Item item)) {
      return RANGE;
    }
    long weight = ITEM + of(item.content);
    if (item.parentSub != null) {
      weight += MAP_ENTRY + of(item.parentSub);
    }
    return weight;
  }

  static long of(Content content) {
    if (content instanceof ContentString s) {
      return of(s.string().length());
    }
    if (content instanceof ContentValues values) {
      return OBJECT + values.heapWeight();
    }
    if (content instanceof ContentBinary b) {
      return OBJECT + b.bytes.length;
    }
    if (content instanceof ContentEmbed e) {
      return OBJECT + ofValue(e.embed);
    }
    if (content instanceof ContentFormat f) {
      return OBJECT + of(f.key) + ofValue(f.value);
    }
    if (content instanceof ContentType t) {
      return OBJECT + TYPE + (t.type instanceof YXmlElement e ? of(e.nodeName()) : 0);
    }
    if (content instanceof ContentDoc d) {
      return OBJECT + SUBDOCUMENT + of(d.doc.guid()) + ofValue(d.opts);
    }
    return OBJECT; // deleted content
  }

  static long of(String s) {
    return of(s.length());
  }

  private static long of(int chars) {
    return 40 + 2L * chars;
  }

  /**
   * A JSON-like value as decoded (maps, lists, strings, numbers, bytes), walked without recursion: an empty map held
   * 92 bytes, an empty list 52.
   */
  static long ofValue(Object value) {
    long weight = 0;
    ArrayDeque<Object> todo = new ArrayDeque<>();
    if (value != null) {
      todo.push(value);
    }
    while (!todo.isEmpty()) {
      Object v = todo.pop();
      if (v instanceof String s) {
        weight += of(s);
      } else if (v instanceof byte[] b) {
        weight += OBJECT + b.length;
      } else if (v instanceof Map<?, ?> m) {
        weight += 96 + MAP_ENTRY * (long) m.size();
        m.forEach((k, x) -> {
          todo.push(k);
          if (x != null) {
            todo.push(x);
          }
        });
      } else if (v instanceof Collection<?> c) {
        weight += 56 + 8L * c.size();
        c.forEach(x -> {
          if (x != null) {
            todo.push(x);
          }
        });
      } else if (v instanceof Object[] a) {
        weight += 16 + 8L * a.length;
        for (Object x : a) {
          if (x != null) {
            todo.push(x);
          }
        }
      } else {
        weight += OBJECT;
      }
    }
    return weight;
  }
}
