package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A presence budget that coalesces instead of queueing. Awareness updates within {@code perSecond} messages and
 * {@code bytesPerSecond} bytes pass at once ({@link #tryPass}); beyond that the owner {@link #hold}s them per key (a
 * document for a connection, a client session for a document), merged so that each Yjs client's latest state wins
 * (the highest clock, as y-protocols applies them), and lets the merged updates through when the budget has room
 * again ({@link #drain} after {@link #delay}). So a presence flood costs its receiver at most the budget, never a
 * queue: what a client sends faster is replaced by its next state, which is all presence needs.
 *
 * <p>What is held per key is bounded: past {@code maxHeldBytes} of states, the older ones held are dropped and only
 * the newest update is kept (a real client sends its own one state; only a forger sends many).
 *
 * <p>Not thread-safe: one connection's event loop, or one document's lane, uses it.
 *
 * @param <K> what updates are held by
 */
final class AwarenessCoalescer<K> {
  /** One client's entry of an awareness update: its clock, and its state as the encoded JSON string. */
  private record Entry(long clock, byte[] encodedState, boolean removal) {
    int size() {
      return encodedState.length + 16;
    }
  }

  /**
   * The budget's rates (a second's worth of burst) and how many bytes of states are held per key at most: shared by
   * every coalescer of a kind (each connection has one).
   */
  record Budget(RateLimiter messages, RateLimiter bytes, long maxHeldBytes) {
    Budget(int perSecond, long bytesPerSecond, long maxHeldBytes) {
      this(new RateLimiter(perSecond, perSecond), new RateLimiter(bytesPerSecond, bytesPerSecond), maxHeldBytes);
    }
  }

  private final Budget budget;
  private long messages;
  private long bytes;
  /** What is held, per key; null while nothing is (almost always). */
  private Map<K, LinkedHashMap<Long, Entry>> held;

  AwarenessCoalescer(Budget budget, long nowNanos) {
    this.budget = budget;
    this.messages = budget.messages().full(nowNanos);
    this.bytes = budget.bytes().full(nowNanos);
  }

  AwarenessCoalescer(int perSecond, long bytesPerSecond, long maxHeldBytes, long nowNanos) {
    this(new Budget(perSecond, bytesPerSecond, maxHeldBytes), nowNanos);
  }

  /**
   * Whether an update of {@code size} bytes for {@code key} may pass now (then it is counted against the budget).
   * Not while something is held for the key: the update would overtake it.
   */
  boolean tryPass(K key, int size, long nowNanos) {
    if ((held != null && held.containsKey(key)) || delay(nowNanos) > 0) {
      return false;
    }
    messages = budget.messages().take(messages, nowNanos, 1);
    bytes = budget.bytes().take(bytes, nowNanos, size);
    return true;
  }

  /**
   * Holds {@code update} for {@code key}, merged with what is held for it.
   *
   * @return whether nothing was held before (then the owner schedules a {@link #drain} after {@link #delay})
   * @throws DecodingException if the update is malformed (nothing is held of it)
   */
  boolean hold(K key, byte[] update) {
    LinkedHashMap<Long, Entry> entries = decode(update);
    if (held == null) {
      held = new LinkedHashMap<>();
    }
    boolean first = held.isEmpty();
    LinkedHashMap<Long, Entry> merged = held.get(key);
    if (merged == null) {
      held.put(key, entries);
      return first;
    }
    entries.forEach((client, entry) -> merged.merge(client, entry, AwarenessCoalescer::latest));
    if (merged.values().stream().mapToLong(Entry::size).sum() > budget.maxHeldBytes()) {
      held.put(key, entries);
    }
    return first;
  }

  /** How long until the budget lets the next update through: 0 for now. */
  long delay(long nowNanos) {
    return Math.max(budget.messages().delay(messages, nowNanos), budget.bytes().delay(bytes, nowNanos));
  }

  /** Whether anything is held. */
  boolean isHolding() {
    return held != null && !held.isEmpty();
  }

  /** Forgets what is held for {@code key} (its document closed, its client left). */
  void forget(K key) {
    if (held != null) {
      held.remove(key);
    }
  }

  /**
   * Takes everything held, one merged update per key, and counts it against the budget (which may go into debt:
   * later updates wait that out).
   */
  Map<K, byte[]> drain(long nowNanos) {
    Map<K, byte[]> out = new LinkedHashMap<>();
    if (held == null) {
      return out;
    }
    held.forEach((key, entries) -> {
      byte[] update = encode(entries);
      messages = budget.messages().take(messages, nowNanos, 1);
      bytes = budget.bytes().take(bytes, nowNanos, update.length);
      out.put(key, update);
    });
    held = null;
    return out;
  }

  /** The entry y-protocols would end up with after applying {@code a} then {@code b}. */
  private static Entry latest(Entry a, Entry b) {
    return b.clock() > a.clock() || (b.clock() == a.clock() && b.removal()) ? b : a;
  }

  private static LinkedHashMap<Long, Entry> decode(byte[] update) {
    Lib0Decoder in = new Lib0Decoder(update);
    int n = in.readVarUintAsInt();
    if (n > in.remaining() / 3) {
      throw new DecodingException("awareness update claims " + n + " clients but only " + in.remaining()
          + " bytes remain", in.offset());
    }
    LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      long client = in.readVarUint();
      long clock = in.readVarUint();
      int start = in.offset();
      String state = in.readVarString(); // checks the length and the UTF-8; JSON is the document's to check
      byte[] encoded = new byte[in.offset() - start];
      System.arraycopy(update, start, encoded, 0, encoded.length);
      entries.merge(client, new Entry(clock, encoded, state.equals("null")), AwarenessCoalescer::latest);
    }
    return entries;
  }

  private static byte[] encode(LinkedHashMap<Long, Entry> entries) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(entries.size());
    entries.forEach((client, entry) -> {
      out.writeVarUint(client);
      out.writeVarUint(entry.clock());
      out.writeUint8Array(entry.encodedState());
    });
    return out.toByteArray();
  }
}
