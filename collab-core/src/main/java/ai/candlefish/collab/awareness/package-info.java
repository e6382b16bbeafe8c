/**
 * Presence (who is here, cursors), byte-compatible with y-protocols' awareness: {@link
 * ai.candlefish.collab.awareness.Awareness}.
 */
@NullMarked
package ai.candlefish.collab.awareness;

import org.jspecify.annotations.NullMarked;
