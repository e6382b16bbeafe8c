package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of each client's history a document holds: client id → next expected clock. Two documents with equal
 * state vectors (and equal delete sets) hold the same content. Encoded as Yjs does ({@code encodeStateVector}).
 *
 * <p>Instances returned by the API are snapshots; they are not thread-safe to mutate (they are not mutable
 * through the public API).
 */
public final class StateVector {
  private final HashMap<Long, Integer> clocks;

  StateVector() {
    this.clocks = new HashMap<>();
  }

  private StateVector(HashMap<Long, Integer> clocks) {
    this.clocks = clocks;
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
    java.util.Objects.requireNonNull(encoded, "encoded");
    Lib0Decoder in = new Lib0Decoder(encoded);
    int n = in.readVarUintAsInt();
    if (n > in.remaining() / 2) {
      throw new DecodingException("state vector claims " + n + " clients but has only " + in.remaining()
          + " bytes left", in.offset());
    }
    HashMap<Long, Integer> clocks = new HashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      long client = in.readVarUint();
      int clock = in.readVarUintAsInt();
      clocks.put(client, clock);
    }
    return new StateVector(clocks);
  }

  /** The next clock expected from {@code client}: 0 if nothing of it is known. */
  public int get(long client) {
    Integer c = clocks.get(client);
    return c == null ? 0 : c;
  }

  /** The clients and clocks, as an unmodifiable map. */
  public Map<Long, Integer> toMap() {
    return Collections.unmodifiableMap(clocks);
  }

  /** Encodes this state vector as Yjs does (clients in descending order). */
  public byte[] encode() {
    Lib0Encoder out = new Lib0Encoder(4 + clocks.size() * 8);
    writeTo(out);
    return out.toByteArray();
  }

  void writeTo(Lib0Encoder out) {
    out.writeVarUint(clocks.size());
    for (Long client : clientsDescending()) {
      out.writeVarUint(client);
      out.writeVarUint(clocks.get(client));
    }
  }

  List<Long> clientsDescending() {
    List<Long> keys = new ArrayList<>(clocks.keySet());
    keys.sort((a, b) -> Long.compare(b, a));
    return keys;
  }

  void set(long client, int clock) {
    clocks.put(client, clock);
  }

  boolean has(long client) {
    return clocks.containsKey(client);
  }

  int size() {
    return clocks.size();
  }

  Map<Long, Integer> map() {
    return clocks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateVector other && other.clocks.equals(clocks);
  }

  @Override
  public int hashCode() {
    return clocks.hashCode();
  }

  @Override
  public String toString() {
    return "StateVector" + clocks;
  }
}
