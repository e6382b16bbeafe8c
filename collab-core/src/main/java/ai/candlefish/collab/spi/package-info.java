/**
 * The plug-in interfaces that a collaboration server calls and that storage, security and cluster modules
 * implement, without depending on any network library.
 *
 * <ul>
 *   <li>{@link ai.candlefish.collab.spi.DocumentKey}: which document, always within one tenant;
 *   <li>{@link ai.candlefish.collab.spi.DocumentStore}: where documents live between sessions, as Yjs v1 updates
 *       ({@link ai.candlefish.collab.spi.InMemoryDocumentStore} for tests and single-process use);
 *   <li>{@link ai.candlefish.collab.spi.Authenticator}: who is connecting
 *       ({@link ai.candlefish.collab.spi.Principal}) and what they may do
 *       ({@link ai.candlefish.collab.spi.Permission});
 *   <li>{@link ai.candlefish.collab.spi.CollabHooks}: what a host application wants to hear about;
 *   <li>{@link ai.candlefish.collab.spi.DocumentLeases}: in a cluster, which node does a document's once-only work
 *       ({@link ai.candlefish.collab.spi.DocumentLease}, fenced by an epoch kept in the database).
 *   <li>{@link ai.candlefish.collab.spi.AuditLog}: who connected, opened, wrote and was refused, for audit trails
 *       (collab-netty's {@code Slf4jAuditLog} writes them to SLF4J).
 * </ul>
 *
 * <p>Every method here is synchronous. A server calls the store, lease and authenticator methods on its own worker
 * threads, never on a network thread, so they may block; hooks and the audit log say where they are called.
 */
@NullMarked
package ai.candlefish.collab.spi;

import org.jspecify.annotations.NullMarked;
