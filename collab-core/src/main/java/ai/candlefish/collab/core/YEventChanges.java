package ai.candlefish.collab.core;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link YEvent#changes()} returns (Yjs {@code event.changes}): the delta and changed keys, and the items
 * this transaction added to or deleted from the type's list part, each as the id range it had when the event was
 * delivered (in list order). Text events report no items, as in Yjs.
 *
 * @param added the items inserted into the list part
 * @param deleted the items of the list part that were deleted (and had not been added in the same transaction)
 * @param delta the change of the list part ({@link YEvent#delta()})
 * @param keys the changed map keys ({@link YEvent#keys()})
 */
public record YEventChanges(Set<IdRange> added, Set<IdRange> deleted, List<Delta> delta, Map<String, EntryChange> keys) {}
