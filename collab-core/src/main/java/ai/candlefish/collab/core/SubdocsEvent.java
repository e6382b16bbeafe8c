package ai.candlefish.collab.core;

import java.util.Set;

/**
 * The subdocuments a transaction added to, removed from and loaded in a document (Yjs's {@code subdocs} event).
 * A provider opens the added or loaded ones that it should sync (by their {@link Doc#guid()}), and closes the
 * removed ones. The sets are unmodifiable, in the order things happened.
 *
 * @param loaded subdocuments that should be loaded now ({@link Doc#load()}, or added with {@code shouldLoad})
 * @param added subdocuments inserted into the document (locally or by an update)
 * @param removed subdocuments whose item was deleted, or that were destroyed (then replaced by a fresh instance,
 *     which is in {@code added})
 * @param transaction the transaction that made the changes
 */
public record SubdocsEvent(Set<Doc> loaded, Set<Doc> added, Set<Doc> removed, Transaction transaction) {}
