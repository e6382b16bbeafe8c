/**
 * The server's engine, independent of any wire protocol: connections ({@link
 * ai.candlefish.collab.server.internal.Connection}), the open documents ({@link
 * ai.candlefish.collab.server.internal.DocumentRegistry}, {@link ai.candlefish.collab.server.internal.SharedDocument})
 * and their storage ({@link ai.candlefish.collab.server.internal.StoreWriter}). Protocol codecs turn frames into
 * {@link ai.candlefish.collab.server.internal.ClientMessage}s and {@link
 * ai.candlefish.collab.server.internal.ServerMessage}s into frames; everything here works on those.
 *
 * <p>Threads: a connection's state belongs to its channel's event loop; a document's state belongs to the
 * document's serial executor (its "lane") over a shared worker pool; store and authenticator calls run on a
 * separate blocking pool. Nothing here blocks an event loop.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.internal;
