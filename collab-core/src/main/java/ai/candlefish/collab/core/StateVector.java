package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * How much of each client's history a document holds: client id → next expected clock. Two documents with equal
 * state vectors (and equal delete sets) hold the same content. Encoded as Yjs does ({@code encodeStateVector}).
 *
 * <p>Instances returned by the API are snapshots and are not modified afterwards; safe to share between threads.
 */
public final class StateVector {
  // Open addressing on the client id (never negative, so -1 marks a free slot). A state vector is copied at the
  // start of every transaction, so it avoids boxing.
  private long[] clients;
  private int[] clocks;
  private int size;

  StateVector() {
    this(4);
  }

  private StateVector(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
    clients = new long[capacity];
    clocks = new int[capacity];
    Arrays.fill(clients, -1);
  }

  /** An empty state vector (a document that has nothing). */
  public static StateVector empty() {
    return new StateVector();
  }

  /**
   * Decodes a state vector as produced by {@link Doc#encodeStateVector()} or Yjs's {@code encodeStateVector}.
   *
   * @throws DecodingException if the bytes are not a state vector
   */
  public static StateVector decode(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    return read(new Lib0Decoder(encoded));
  }

  /**
   * Reads a state vector at the decoder's position (Yjs {@code readStateVector}); later entries of a client win. A
   * clock beyond what a document here can reach (2^31 - 1, up to Yjs's 2^53 - 1) is read as 2^31 - 1: it says the
   * same thing, that the peer has all of that client's history we could hold.
   */
  static StateVector read(Lib0Decoder in) {
    return read(in, null);
  }

  /**
   * {@link #read(Lib0Decoder)}, keeping only the clients that {@code keep} accepts (null: every client). The table
   * grows with the clients kept, not with the count the bytes claim: 16 MiB of one entry written 8 million times
   * claimed 8 million clients, a 192 MB table for one client.
   */
  static StateVector read(Lib0Decoder in, @Nullable LongPredicate keep) {
    int n = in.readVarUintAsInt();
    if (n > in.remaining() / 2) {
      throw new DecodingException("state vector claims " + n + " clients but has only " + in.remaining()
          + " bytes left", in.offset());
    }
    StateVector sv = new StateVector(keep == null ? Math.min(n, 1024) : 4);
    for (int i = 0; i < n; i++) {
      long client = in.readVarUint();
      int clock = (int) Math.min(in.readVarUint(), Integer.MAX_VALUE);
      if (keep == null || keep.test(client)) {
        sv.set(client, clock);
      }
    }
    return sv;
  }

  private int slot(long client) {
    int mask = clients.length - 1;
    int i = Long.hashCode(client * 0x9E3779B97F4A7C15L) & mask;
    while (clients[i] != -1 && clients[i] != client) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The next clock expected from {@code client}: 0 if nothing of it is known. */
  public int get(long client) {
    int i = slot(client);
    return clients[i] == -1 ? 0 : clocks[i];
  }

  boolean has(long client) {
    return clients[slot(client)] != -1;
  }

  void set(long client, int clock) {
    int i = slot(client);
    if (clients[i] == -1) {
      if ((size + 1) * 2 > clients.length) {
        grow();
        i = slot(client);
      }
      clients[i] = client;
      size++;
    }
    clocks[i] = clock;
  }

  private void grow() {
    long[] oldClients = clients;
    int[] oldClocks = clocks;
    clients = new long[oldClients.length * 2];
    clocks = new int[oldClients.length * 2];
    Arrays.fill(clients, -1);
    for (int i = 0; i < oldClients.length; i++) {
      if (oldClients[i] != -1) {
        int j = slot(oldClients[i]);
        clients[j] = oldClients[i];
        clocks[j] = oldClocks[i];
      }
    }
  }

  /** Receives one (client, clock) entry. */
  @FunctionalInterface
  interface EntryConsumer {
    void accept(long client, int clock);
  }

  void forEach(EntryConsumer f) {
    for (int i = 0; i < clients.length; i++) {
      if (clients[i] != -1) {
        f.accept(clients[i], clocks[i]);
      }
    }
  }

  int size() {
    return size;
  }

  /** The clients in descending order, the order Yjs writes them in. */
  long[] clientsDescending() {
    long[] out = new long[size];
    int n = 0;
    for (long c : clients) {
      if (c != -1) {
        out[n++] = c;
      }
    }
    Arrays.sort(out);
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      long t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** The clients and clocks (clients in descending order), as an unmodifiable map. */
  public Map<Long, Integer> toMap() {
    Map<Long, Integer> out = new LinkedHashMap<>();
    for (long c : clientsDescending()) {
      out.put(c, get(c));
    }
    return Collections.unmodifiableMap(out);
  }

  /** Encodes this state vector as Yjs does (clients in descending order). */
  public byte[] encode() {
    Lib0Encoder out = new Lib0Encoder(4 + size * 8);
    write(out);
    return out.toByteArray();
  }

  /** Writes this state vector as Yjs's {@code writeStateVector} does. */
  void write(Lib0Encoder out) {
    out.writeVarUint(size);
    for (long client : clientsDescending()) {
      out.writeVarUint(client);
      out.writeVarUint(get(client));
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StateVector other) || other.size != size) {
      return false;
    }
    for (int i = 0; i < clients.length; i++) {
      if (clients[i] != -1 && (!other.has(clients[i]) || other.get(clients[i]) != clocks[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < clients.length; i++) {
      if (clients[i] != -1) {
        h += Long.hashCode(clients[i]) ^ clocks[i];
      }
    }
    return h;
  }

  @Override
  public String toString() {
    return "StateVector" + toMap();
  }
}
