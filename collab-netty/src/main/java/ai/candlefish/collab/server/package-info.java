/**
 * A collaboration server that unmodified Yjs clients talk to: {@link ai.candlefish.collab.server.CollabServer}
 * (configured through {@link ai.candlefish.collab.server.CollabServer#newBuilder()}), the host's handle on a
 * document ({@link ai.candlefish.collab.server.DocumentHandle}), and the close codes it sends
 * ({@link ai.candlefish.collab.server.CloseCodes}). Storage, authentication and hooks plug in through
 * {@code ai.candlefish.collab.spi} in collab-core.
 */
@NullMarked
package ai.candlefish.collab.server;

import org.jspecify.annotations.NullMarked;
