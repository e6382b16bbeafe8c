/**
 * The Netty pipeline of a server connection: HTTP upgrade, WebSocket framing, keep-alive, and the hand-over to the
 * protocol-independent {@link ai.candlefish.collab.server.internal.Connection}. {@link
 * ai.candlefish.collab.server.handler.CollabServerInitializer} shows the whole pipeline in one method.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.handler;
