package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.awareness.AwarenessChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document's awareness changes that wait for its {@code onAwareness} hook, merged into one: a hook slower than the
 * presence traffic gets one call for everything that changed while it ran, instead of a queue of calls that grows
 * as long as the traffic goes on. Per client, the merged change says what all of them did together: added if the
 * client had no state before the first and has one after the last, removed if the last removed it, else updated.
 * The origin is the changes' own if they all had the same, else null.
 *
 * <p>Thread-safe: the document's thread adds, the hooks' pool takes.
 */
final class AwarenessChanges {
  /** The client had a state before the first change waiting. */
  private static final int BEFORE = 1;
  /** The client has a state after the last change waiting. */
  private static final int NOW = 2;

  private final Map<Long, Integer> clients = new LinkedHashMap<>();
  /** The only change waiting, kept as it is (the usual case: the hook keeps up); null if none or several. */
  private AwarenessChange only;
  private Object origin;
  private int waiting;

  /** Adds {@code change}; returns whether nothing waited before it (the caller then queues a call that takes them). */
  synchronized boolean add(AwarenessChange change) {
    waiting++;
    if (waiting == 1) {
      only = change;
      origin = change.origin();
      return true;
    }
    if (only != null) {
      merge(only);
      only = null;
    }
    merge(change);
    if (!Objects.equals(origin, change.origin())) {
      origin = null;
    }
    return false;
  }

  private void merge(AwarenessChange change) {
    change.added().forEach(c -> clients.merge(c, NOW, (was, added) -> was | NOW));
    change.updated().forEach(c -> clients.merge(c, BEFORE | NOW, (was, updated) -> was | NOW));
    change.removed().forEach(c -> clients.merge(c, BEFORE, (was, removed) -> was & ~NOW));
  }

  /** What waits, merged into one change; nothing waits after. */
  synchronized AwarenessChange take() {
    AwarenessChange merged = only;
    if (merged == null) {
      List<Long> added = new ArrayList<>();
      List<Long> updated = new ArrayList<>();
      List<Long> removed = new ArrayList<>();
      clients.forEach((client, state) ->
          ((state & NOW) == 0 ? removed : (state & BEFORE) == 0 ? added : updated).add(client));
      merged = new AwarenessChange(added, updated, removed, origin);
    }
    clients.clear();
    only = null;
    origin = null;
    waiting = 0;
    return merged;
  }
}
