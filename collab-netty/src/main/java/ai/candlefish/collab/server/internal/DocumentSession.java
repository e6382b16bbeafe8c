package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.HashSet;
import java.util.Set;

/**
 * One client's use of one document: what connects a {@link Peer} to a {@link SharedDocument}. The awareness client
 * ids that the client sent are remembered so that its presence is removed the moment it leaves.
 *
 * <p>The fields below the constructor belong to the document's executor.
 */
public final class DocumentSession {
  final Peer peer;
  final SharedDocument document;
  final Permission permission;
  /** Who the client is (null for tests that need no identity). */
  final Principal principal;
  final ConnectionInfo connection;
  /** What the client's protocol does differently. */
  final SessionPolicy policy;

  boolean attached;
  boolean initialStateSent;
  final Set<Long> awarenessClients = new HashSet<>(2);

  public DocumentSession(Peer peer, SharedDocument document, Principal principal, Permission permission,
      ConnectionInfo connection, SessionPolicy policy) {
    this.peer = peer;
    this.document = document;
    this.principal = principal;
    this.permission = permission;
    this.connection = connection;
    this.policy = policy;
  }

  public SharedDocument document() {
    return document;
  }

  @Override
  public String toString() {
    return "DocumentSession[" + document.key() + ", " + permission + "]";
  }
}
