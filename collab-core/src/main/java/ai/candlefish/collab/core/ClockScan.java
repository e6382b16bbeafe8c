package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clock ranges of a v1 update ({@link Updates#clockRanges}), read from its struct headers and the lengths of their
 * contents: no struct, string or value is built. {@link Updates#parseMeta} decodes every struct whole, a subdocument
 * reference into a {@code Doc}, a type into a shared type: ~90 bytes allocated per byte of an update of subdocument
 * references, where this allocates nothing per struct (two map entries per client).
 *
 * <p>What a length depends on is read and checked as decoding checks it (counts against the bytes left, varints,
 * clocks within 2^31 - 1, known content and type refs, subdocument options that are not null or undefined); what it
 * does not depend on (the text of strings and JSON, the delete set) is skipped unread. Stateless.
 */
final class ClockScan {
  private static final long MAX_CLOCK = Integer.MAX_VALUE;

  private ClockScan() {}

  /**
   * As {@link UpdateMerger.Meta} sees an update's structs: a client's range starts at the first struct of a run of its
   * structs and ends after the last; of a client listed again after another, the later run wins.
   *
   * @throws DecodingException if what the lengths depend on is malformed
   */
  static Updates.UpdateMeta scan(byte[] update) {
    Lib0Decoder in = new Lib0Decoder(update);
    Map<Long, Integer> from = new LinkedHashMap<>();
    Map<Long, Integer> to = new LinkedHashMap<>();
    try {
      int clients = count(in, 3, "clients"); // struct count, client, clock
      boolean any = false;
      long currClient = 0;
      long currClock = 0;
      for (int c = 0; c < clients; c++) {
        int structs = count(in, 2, "structs"); // info and at least one more byte
        long client = in.readVarUint();
        long clock = in.readVarUintAsInt();
        for (int i = 0; i < structs; i++) {
          int at = in.offset();
          long length = structLength(in);
          if (!any || currClient != client) {
            if (any) {
              to.put(currClient, (int) currClock);
            }
            from.put(client, (int) clock);
            currClient = client;
            any = true;
          }
          clock += length;
          if (clock > MAX_CLOCK) {
            throw new DecodingException("clock of client " + client + " overflows", at);
          }
          currClock = clock;
        }
      }
      if (any) {
        to.put(currClient, (int) currClock);
      }
    } catch (DecodingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
    return new Updates.UpdateMeta(Collections.unmodifiableMap(from), Collections.unmodifiableMap(to));
  }

  private static int count(Lib0Decoder in, int minBytesEach, String what) {
    int at = in.offset();
    int n = in.readVarUintAsInt();
    if (n > in.remaining() / minBytesEach) {
      throw new DecodingException("update claims " + n + " " + what + " but only " + in.remaining()
          + " bytes remain", at);
    }
    return n;
  }

  /** Reads one struct up to the end of its content and says its length (as {@code UpdateReader.readStruct}). */
  private static long structLength(Lib0Decoder in) {
    int info = in.readUint8();
    int ref = info & Item.CONTENT_REF_MASK;
    if (ref == GC.REF || ref == Skip.REF) {
      return in.readVarUintAsInt();
    }
    if ((info & Item.HAS_ORIGIN) != 0) {
      skipId(in);
    }
    if ((info & Item.HAS_RIGHT_ORIGIN) != 0) {
      skipId(in);
    }
    if ((info & (Item.HAS_ORIGIN | Item.HAS_RIGHT_ORIGIN)) == 0) {
      if (in.readVarUint() == 1) {
        in.skipVarString(); // a root's name
      } else {
        skipId(in); // the parent type's item
      }
      if ((info & Item.HAS_PARENT_SUB) != 0) {
        in.skipVarString();
      }
    }
    return contentLength(in, ref);
  }

  private static void skipId(Lib0Decoder in) {
    in.readVarUint();
    in.readVarUintAsInt();
  }

  private static long contentLength(Lib0Decoder in, int ref) {
    int at = in.offset();
    switch (ref) {
      case Content.DELETED:
        return in.readVarUintAsInt();
      case Content.JSON: {
        int n = count(in, 1, "JSON values");
        for (int i = 0; i < n; i++) {
          in.skipVarString();
        }
        return n;
      }
      case Content.BINARY, Content.EMBED:
        in.skipVarString();
        return 1;
      case Content.STRING:
        return in.skipVarString();
      case Content.FORMAT:
        in.skipVarString(); // key
        in.skipVarString(); // value, as JSON
        return 1;
      case Content.TYPE: {
        int typeRef = in.readVarUintAsInt();
        if (typeRef == SharedType.XML_ELEMENT || typeRef == SharedType.XML_HOOK) {
          in.skipVarString(); // node or hook name
        } else if (typeRef < SharedType.ARRAY || typeRef > SharedType.XML_TEXT) {
          throw new DecodingException("unknown type ref " + typeRef, at);
        }
        return 1;
      }
      case Content.ANY: {
        int n = count(in, 1, "values");
        for (int i = 0; i < n; i++) {
          in.skipAny();
        }
        return n;
      }
      case Content.DOC: {
        in.skipVarString(); // guid
        int optionsAt = in.offset();
        int tag = in.skipAny();
        if (tag == 126 || tag == 127) {
          throw new DecodingException("subdocument options must not be null or undefined", optionsAt);
        }
        return 1;
      }
      default:
        throw new DecodingException("unknown content ref " + ref, at - 1);
    }
  }
}
