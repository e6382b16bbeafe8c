package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The collaboration server's authenticator: the application's own ({@code delegate}), with no access to an
 * estimate's document ({@code estimate-<id>} in Paintbox's tenant) that Paintbox's list does not have. The server
 * asks a principal's permission whenever a client opens a document, whatever its protocol (y-websocket, Hocuspocus,
 * collab/1), so none of them can create or write a document that no estimate in the list stands for.
 *
 * <p>That lookup runs on a network thread and must not query the database: each authentication (on a worker thread,
 * where blocking is allowed) reads the list's ids, and every principal's lookup answers from the ids read last. So
 * a client that authenticated before an estimate was created (on another instance; a collab/1 connection's token
 * counts once per connection) opens it after any later authentication here or after sending a fresh token. A
 * deleted estimate is refused from the next authentication on, and what was stored meanwhile is erased
 * ({@link ListedEstimatesHooks#onUnload}).
 *
 * <p>Thread-safe if the delegate is.
 */
final class ListedEstimatesAuthenticator implements Authenticator {
  private final Authenticator delegate;
  private final Estimates estimates;
  private volatile Set<String> listed = Set.of();

  ListedEstimatesAuthenticator(Authenticator delegate, Estimates estimates) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.estimates = Objects.requireNonNull(estimates, "estimates");
  }

  @Override
  public Principal authenticate(@Nullable String token, ConnectionInfo connection) {
    Principal principal = delegate.authenticate(token, connection);
    if (!principal.tenant().equals(PaintboxApplication.TENANT)) {
      return principal;
    }
    listed = estimates.ids();
    return Principal.of(principal.id(), principal.tenant(), name -> permission(principal, name))
        .expiringAt(principal.expiresAt()).issuedAt(principal.issuedAt());
  }

  private Permission permission(Principal principal, String document) {
    if (Estimates.isEstimateDocument(document) && !listed.contains(Estimates.idOf(document))) {
      return Permission.NONE;
    }
    return principal.permission(principal.documentKey(document));
  }
}
