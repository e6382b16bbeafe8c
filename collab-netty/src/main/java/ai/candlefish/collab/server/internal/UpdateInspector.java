package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells whether a Yjs v1 update would change a document, without applying it: how a read-only client's messages
 * are told apart from edits.
 *
 * <p>A read-only client sends updates even when it edits nothing: its answer to the server's sync step 1 is what
 * the server lacks, which has no structs but, as Yjs always writes it, the client's whole delete set; a client with
 * a second provider (IndexedDB, say) may also pass on structs the server has. Such an update changes nothing when,
 * after dropping the structs the document has ({@link Updates#diff}), no struct is left and every range it deletes
 * is deleted in the document already. Anything that does not parse counts as a change.
 *
 * <p>Update format (Yjs v1): varUint number of clients with structs, the structs, then the delete set: varUint
 * number of clients, and per client varUint client, varUint number of ranges, per range varUint clock and length.
 *
 * <p>Stateless; the document must be used on its own thread.
 */
final class UpdateInspector {
  private UpdateInspector() {}

  /** Whether applying {@code update} to {@code doc} would change nothing (false when in doubt). */
  static boolean changesNothing(byte[] update, Doc doc) {
    byte[] missing;
    try {
      missing = Updates.diff(update, doc.encodeStateVector());
    } catch (DecodingException e) {
      return false;
    }
    Reader in = new Reader(missing);
    Map<Long, List<long[]>> deletes;
    try {
      if (in.varUint() != 0) {
        return false;
      }
      deletes = in.deleteSet();
      if (in.pos != missing.length) {
        return false;
      }
    } catch (IndexOutOfBoundsException | IllegalStateException e) {
      return false;
    }
    if (deletes.isEmpty()) {
      return true;
    }
    // An update without structs against our own state vector is exactly our delete set (and pending structs,
    // which make this answer "no": they are rare and the caller then rejects, which is safe).
    Reader own = new Reader(doc.encodeStateAsUpdate(doc.encodeStateVector()));
    if (own.varUint() != 0) {
      return false;
    }
    Map<Long, List<long[]>> deleted = own.deleteSet();
    for (Map.Entry<Long, List<long[]>> e : deletes.entrySet()) {
      List<long[]> have = merged(deleted.getOrDefault(e.getKey(), List.of()));
      for (long[] range : e.getValue()) {
        if (range[1] > 0 && !covered(have, range[0], range[0] + range[1])) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<long[]> merged(List<long[]> ranges) {
    List<long[]> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] r : sorted) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[0] + r[1]);
      } else {
        out.add(new long[] {r[0], r[0] + r[1]});
      }
    }
    return out;
  }

  /** Whether [start, end) lies within one of the merged, sorted [from, to) ranges. */
  private static boolean covered(List<long[]> have, long start, long end) {
    int lo = 0;
    int hi = have.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long[] r = have.get(mid);
      if (r[1] <= start) {
        lo = mid + 1;
      } else if (r[0] > start) {
        hi = mid - 1;
      } else {
        return end <= r[1];
      }
    }
    return false;
  }

  private static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    long varUint() {
      long value = 0;
      for (int shift = 0; shift < 53; shift += 7) {
        int b = buf[pos++] & 0xFF;
        value |= (long) (b & 0x7F) << shift;
        if (b < 0x80) {
          return value;
        }
      }
      throw new IllegalStateException("varUint too long");
    }

    Map<Long, List<long[]>> deleteSet() {
      long clients = varUint();
      if (clients > buf.length - pos) {
        throw new IllegalStateException("more clients than bytes");
      }
      Map<Long, List<long[]>> out = new HashMap<>();
      for (long i = 0; i < clients; i++) {
        long client = varUint();
        long ranges = varUint();
        if (ranges > buf.length - pos) {
          throw new IllegalStateException("more ranges than bytes");
        }
        List<long[]> list = out.computeIfAbsent(client, c -> new ArrayList<>());
        for (long j = 0; j < ranges; j++) {
          list.add(new long[] {varUint(), varUint()});
        }
      }
      return out;
    }
  }
}
