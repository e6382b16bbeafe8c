package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Operations on encoded Yjs v1 updates that need no document, byte-identical to Yjs's {@code mergeUpdates},
 * {@code diffUpdate} and {@code encodeStateVectorFromUpdate}. A server uses them to compact stored updates or to
 * answer a peer without loading the document.
 *
 * <p>Stateless and thread-safe.
 */
public final class Updates {
  private Updates() {}

  /**
   * Merges updates into one that contains all of them (Yjs {@code mergeUpdates}). Merging is cheap, but unlike
   * applying to a {@link Doc} it does not garbage collect or resolve anything.
   *
   * @throws DecodingException if an update is malformed
   * @throws IllegalArgumentException if {@code updates} is empty
   */
  public static byte[] merge(List<byte[]> updates) {
    Objects.requireNonNull(updates, "updates");
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge: pass at least one update");
    }
    if (updates.size() == 1) {
      return updates.get(0).clone();
    }
    List<UpdateMerger.Stream> streams = new ArrayList<>(updates.size());
    for (byte[] u : updates) {
      streams.add(UpdateReader.decodeStream(Objects.requireNonNull(u, "update")));
    }
    return UpdateMerger.merge(streams);
  }

  /**
   * The part of {@code update} that a peer with the encoded {@code stateVector} lacks (Yjs {@code diffUpdate}).
   *
   * @throws DecodingException if the update or the state vector is malformed
   */
  public static byte[] diff(byte[] update, byte[] stateVector) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(stateVector, "stateVector");
    return UpdateMerger.diff(UpdateReader.decodeStream(update), StateVector.decode(stateVector));
  }

  /**
   * The state vector of what an update contains (Yjs {@code encodeStateVectorFromUpdate}): for each client, the
   * clock up to which the update holds every struct from clock 0.
   *
   * @throws DecodingException if the update is malformed
   */
  public static StateVector stateVector(byte[] update) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.stateVector(UpdateReader.decodeStream(update));
  }
}
