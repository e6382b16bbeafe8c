/**
 * Documents, shared types, updates and undo, wire-compatible with Yjs 13.6 ({@link ai.candlefish.collab.core.Doc}
 * is the place to start). Nothing is null unless marked {@code @Nullable}.
 */
@NullMarked
package ai.candlefish.collab.core;

import org.jspecify.annotations.NullMarked;
