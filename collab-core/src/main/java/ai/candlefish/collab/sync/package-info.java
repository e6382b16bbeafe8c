/**
 * The y-protocols sync handshake and its messages: {@link ai.candlefish.collab.sync.SyncProtocol}.
 */
@NullMarked
package ai.candlefish.collab.sync;

import org.jspecify.annotations.NullMarked;
