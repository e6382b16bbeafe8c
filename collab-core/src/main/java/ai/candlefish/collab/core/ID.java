package ai.candlefish.collab.core;

/**
 * A struct's identity: the client that created it and that client's logical clock at creation. Client ids are
 * unsigned 32-bit values in Yjs (up to 2^53 on the wire), so they are held as {@code long}; clocks count the
 * UTF-16 units / elements a client ever created and fit in an {@code int} (larger clocks are rejected by the
 * decoder).
 */
final class ID {
  final long client;
  final int clock;

  ID(long client, int clock) {
    this.client = client;
    this.clock = clock;
  }

  static boolean equal(ID a, ID b) {
    return a == b || (a != null && b != null && a.client == b.client && a.clock == b.clock);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ID other && other.client == client && other.clock == clock;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(client) * 31 + clock;
  }

  @Override
  public String toString() {
    return client + ":" + clock;
  }
}
