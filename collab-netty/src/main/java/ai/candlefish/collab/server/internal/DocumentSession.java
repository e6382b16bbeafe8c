package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One client's use of one document: what connects a {@link Peer} to a {@link SharedDocument}. The awareness client
 * ids that the client sent are remembered so that its presence is removed the moment it leaves.
 *
 * <p>The fields below the constructor belong to the document's executor.
 */
public final class DocumentSession {
  final Peer peer;
  final SharedDocument document;
  /** Who the client is (null for tests that need no identity). */
  final Principal principal;
  final ConnectionInfo connection;
  /** What the client's protocol does differently. */
  final SessionPolicy policy;

  /**
   * What the client may do: what its token granted when it opened the document, then what each fresh token for it
   * grants ({@link SharedDocument#permit}).
   */
  Permission permission;
  boolean attached;
  boolean initialStateSent;
  /** When a repeated sync step 1 may be answered again ({@link System#nanoTime}); 0: at once. */
  long nextStep1At;
  /** The state vector of a repeated sync step 1 that waits for {@link #nextStep1At}, or null. */
  byte[] deferredStep1;
  /** When a query for the presence may be answered again ({@link System#nanoTime}); 0: at once. */
  long nextAwarenessQueryAt;
  /** Whether a query for the presence waits for {@link #nextAwarenessQueryAt}. */
  boolean awarenessQueryDeferred;
  /** How many Yjs client ids new to the document the client claimed (bounded by {@code maxNewClientIds}). */
  int claimedClients;
  /**
   * The awareness client ids the client sent: null, one {@code Long} (almost always: a Yjs client has one id), or a
   * {@code Set<Long>}; a server holds 10,000s of sessions, and a set costs 136 bytes for one id.
   */
  private Object awarenessClients;
  private static final AtomicLongFieldUpdater<DocumentSession> STATELESS_WAITING =
      AtomicLongFieldUpdater.newUpdater(DocumentSession.class, "statelessWaiting");
  /**
   * What the client's stateless messages waiting for the hooks' pool hold (bytes): added on the document's thread,
   * taken off on the hooks' (a field, not an AtomicLong: 10,000s of sessions).
   */
  private volatile long statelessWaiting;

  public DocumentSession(Peer peer, SharedDocument document, Principal principal, Permission permission,
      ConnectionInfo connection, SessionPolicy policy) {
    this.peer = peer;
    this.document = document;
    this.principal = principal;
    this.permission = permission;
    this.connection = connection;
    this.policy = policy;
  }

  void addAwarenessClient(Long client) {
    if (awarenessClients == null) {
      awarenessClients = client;
    } else if (awarenessClients instanceof Long one) {
      if (!one.equals(client)) {
        Set<Long> several = new HashSet<>(4);
        several.add(one);
        several.add(client);
        awarenessClients = several;
      }
    } else {
      clientSet().add(client);
    }
  }

  void removeAwarenessClient(Long client) {
    if (client.equals(awarenessClients)) {
      awarenessClients = null;
    } else if (awarenessClients instanceof Set) {
      clientSet().remove(client);
    }
  }

  /** How many awareness client ids the client holds presence for. */
  int awarenessClientCount() {
    return awarenessClients == null ? 0 : awarenessClients instanceof Long ? 1 : clientSet().size();
  }

  /** The awareness client ids the client sent (a copy). */
  List<Long> awarenessClients() {
    return awarenessClients == null ? List.of()
        : awarenessClients instanceof Long one ? List.of(one) : new ArrayList<>(clientSet());
  }

  @SuppressWarnings("unchecked")
  private Set<Long> clientSet() {
    return (Set<Long>) awarenessClients;
  }

  long statelessWaiting() {
    return statelessWaiting;
  }

  void addStatelessWaiting(long bytes) {
    STATELESS_WAITING.addAndGet(this, bytes);
  }

  public SharedDocument document() {
    return document;
  }

  @Override
  public String toString() {
    return "DocumentSession[" + document.key() + ", " + permission + "]";
  }
}
