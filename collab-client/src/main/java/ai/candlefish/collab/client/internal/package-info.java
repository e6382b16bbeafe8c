/**
 * The engine behind {@link ai.candlefish.collab.client.CollabClient}: connection management, per-document sync
 * state, and the Netty pipeline of the client.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.client.internal;
