package ai.candlefish.collab.awareness;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Clients whose awareness state was added, updated or removed by one call.
 *
 * @param added clients that had no state before
 * @param updated clients whose state was set again (for change listeners: only those whose state differs)
 * @param removed clients whose state was removed (offline, timed out or closed)
 * @param origin the origin given to the call; {@code "local"} for local changes, {@code "timeout"} for timeouts
 */
public record AwarenessChange(List<Long> added, List<Long> updated, List<Long> removed, @Nullable Object origin) {
  public AwarenessChange {
    added = List.copyOf(added);
    updated = List.copyOf(updated);
    removed = List.copyOf(removed);
  }

  /** All clients named by this change. */
  public List<Long> all() {
    List<Long> out = new java.util.ArrayList<>(added);
    out.addAll(updated);
    out.addAll(removed);
    return out;
  }
}
