package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.core.Updates;
import java.util.Arrays;
import java.util.Map;

/**
 * Which clocks a Yjs v1 update covers, client by client (what {@link Updates#parseMeta} says), read without
 * decoding the update's content: a receiver that only counts what it received needs the clocks, not the structs.
 * For each client section: the client, the clock of its first struct and the clock after its last; a struct's
 * length comes from its content's header (a string's length in UTF-16 units is counted from its UTF-8 bytes). The
 * two content kinds whose length needs their values decoded ({@code any}, subdocuments; the load's edits send
 * neither) go to {@link Updates#parseMeta}, and so does a section that repeats a client.
 *
 * <p>One instance is reused for every update a client receives (no allocation per update). Not thread-safe.
 */
final class ClockRanges {
  // Yjs v1's struct info byte: the low 5 bits are the content ref, the high bits say which ids follow.
  private static final int HAS_ORIGIN = 0x80;
  private static final int HAS_RIGHT_ORIGIN = 0x40;
  private static final int HAS_PARENT_SUB = 0x20;
  private static final int REF_MASK = 0x1F;
  private static final int GC = 0;
  private static final int DELETED = 1;
  private static final int JSON = 2;
  private static final int BINARY = 3;
  private static final int STRING = 4;
  private static final int EMBED = 5;
  private static final int FORMAT = 6;
  private static final int TYPE = 7;
  private static final int SKIP = 10;
  // Type refs that carry a name (YXmlElement, YXmlHook).
  private static final int XML_ELEMENT = 3;
  private static final int XML_HOOK = 5;

  private long[] clients = new long[4];
  private long[] from = new long[4];
  private long[] to = new long[4];
  private int size;
  private byte[] buf;
  private int pos;
  private int end;

  /**
   * Reads the update in {@code buf[offset, offset + length)}; the ranges replace the previous update's.
   *
   * @throws IllegalStateException if the update is malformed
   */
  void read(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    size = 0;
    if (!readSections()) {
      readByCore(Arrays.copyOfRange(buf, offset, offset + length));
    }
    this.buf = null;
  }

  /** How many clients the update has structs of. */
  int size() {
    return size;
  }

  long client(int i) {
    return clients[i];
  }

  /** The clock of client {@code i}'s first struct. */
  long from(int i) {
    return from[i];
  }

  /** The clock after client {@code i}'s last struct. */
  long to(int i) {
    return to[i];
  }

  /** False if a struct needs its content decoded to know its length. */
  private boolean readSections() {
    long sections = varUint();
    for (long s = 0; s < sections; s++) {
      long structs = varUint();
      long client = varUint();
      long clock = varUint();
      long first = clock;
      for (long i = 0; i < structs; i++) {
        long length = structLength();
        if (length < 0) {
          return false;
        }
        clock += length;
      }
      for (int i = 0; i < size; i++) {
        if (clients[i] == client) {
          return false; // a client in two sections: core says how they combine
        }
      }
      add(client, first, clock);
    }
    return true;
  }

  private long structLength() {
    int info = byteAt();
    int ref = info & REF_MASK;
    if (ref == GC || ref == SKIP) {
      return varUint();
    }
    if ((info & HAS_ORIGIN) != 0) {
      varUint();
      varUint();
    }
    if ((info & HAS_RIGHT_ORIGIN) != 0) {
      varUint();
      varUint();
    }
    if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) == 0) {
      if (varUint() == 1) {
        skipString(); // a root's name
      } else {
        varUint(); // the parent's id
        varUint();
      }
      if ((info & HAS_PARENT_SUB) != 0) {
        skipString();
      }
    }
    return switch (ref) {
      case DELETED -> varUint();
      case JSON -> {
        long n = varUint();
        for (long i = 0; i < n; i++) {
          skipString();
        }
        yield n;
      }
      case BINARY, EMBED -> {
        skipString();
        yield 1;
      }
      case STRING -> utf16Length();
      case FORMAT -> {
        skipString();
        skipString();
        yield 1;
      }
      case TYPE -> {
        long type = varUint();
        if (type == XML_ELEMENT || type == XML_HOOK) {
          skipString();
        }
        yield 1;
      }
      default -> -1;
    };
  }

  private void readByCore(byte[] update) {
    size = 0;
    Updates.UpdateMeta meta;
    try {
      meta = Updates.parseMeta(update);
    } catch (RuntimeException e) {
      throw new IllegalStateException("malformed update: " + e.getMessage(), e);
    }
    for (Map.Entry<Long, Integer> e : meta.to().entrySet()) {
      add(e.getKey(), meta.from().get(e.getKey()), e.getValue());
    }
  }

  private void add(long client, long first, long after) {
    if (size == clients.length) {
      clients = Arrays.copyOf(clients, 2 * size);
      from = Arrays.copyOf(from, 2 * size);
      to = Arrays.copyOf(to, 2 * size);
    }
    clients[size] = client;
    from[size] = first;
    to[size] = after;
    size++;
  }

  private int byteAt() {
    if (pos >= end) {
      throw new IllegalStateException("malformed update: it ends at byte " + pos + " inside a struct");
    }
    return buf[pos++] & 0xFF;
  }

  private long varUint() {
    long value = 0;
    for (int shift = 0; shift < 56; shift += 7) {
      int b = byteAt();
      value |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw new IllegalStateException("malformed update: a varint longer than 8 bytes at byte " + pos);
  }

  /** Skips a varString or varUint8Array: a length, then that many bytes. */
  private void skipString() {
    long n = varUint();
    if (n > end - pos) {
      throw new IllegalStateException("malformed update: " + n + " bytes at byte " + pos + ", " + (end - pos) + " left");
    }
    pos += (int) n;
  }

  /** Skips a varString and says how long it is in UTF-16 units (a 4-byte UTF-8 sequence is a surrogate pair). */
  private long utf16Length() {
    int start = pos;
    skipString();
    long units = 0;
    for (int i = start + varUintLength(start); i < pos; i++) {
      int b = buf[i] & 0xFF;
      if ((b & 0xC0) != 0x80) {
        units += (b & 0xF8) == 0xF0 ? 2 : 1;
      }
    }
    return units;
  }

  private int varUintLength(int at) {
    int n = 1;
    while ((buf[at + n - 1] & 0x80) != 0) {
      n++;
    }
    return n;
  }
}
