package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The collaboration server's authenticator: the application's own ({@code delegate}), for Paintbox's tenant and its
 * estimates' documents only, and no access to an estimate's document ({@code estimate-<id>}) that Paintbox's list
 * does not have. A token of another tenant (one the application accepts, signed with its key or issued by its identity
 * provider) is refused (4401): Paintbox serves one tenant, and such a token created documents of its tenant in
 * Paintbox's database that nothing of Paintbox shows or removes; so is a document that is no estimate's, for the same
 * reason (a y-websocket connection to one: 4401 with a reason that says so; Hocuspocus and collab/1: no access). The server
 * asks a principal's permission whenever a client opens a document, whatever its protocol (y-websocket, Hocuspocus,
 * collab/1), so none of them can create or write a document that no estimate in the list stands for: a made-up or
 * mistyped id, sent by an older page or any other client, would otherwise create a stored document that nobody sees,
 * finds or removes (the development login's tokens may write every document of the tenant).
 *
 * <p>That lookup runs on a network thread and must not query the database; the authentication runs on a worker
 * thread, where blocking is allowed. A y-websocket connection serves the one document its path names: its login
 * looks up that estimate alone, and is refused (4401, with a reason the page reads) if the list does not have it.
 * Hocuspocus and collab/1 connections name their documents after the login: each login asks whether the list
 * changed since this instance last read its ids ({@link Estimates#version()}, one row) and reads them again only then;
 * every principal's lookups answer from the ids read last. So a client that authenticated before an
 * estimate was created (on another instance; a collab/1 connection's token counts once per connection) opens it
 * after any later login here or after sending a fresh token. A deleted estimate is refused from the next login on, and what was stored meanwhile
 * is erased ({@link ListedEstimatesHooks#onUnload}).
 *
 * <p>Thread-safe if the delegate is.
 */
final class ListedEstimatesAuthenticator implements Authenticator {
  /** The list's ids as read at (or after) one version of the list. */
  private record Listed(long version, Set<String> ids) {}

  private final Authenticator delegate;
  private final Estimates estimates;
  private final SocketPaths paths;
  private volatile Listed listed = new Listed(Long.MIN_VALUE, Set.of());

  /**
   * @param delegate the application's authenticator
   * @param estimates the list
   * @param path the path below which the collaboration server serves documents ({@code candlefish.collab.path})
   */
  ListedEstimatesAuthenticator(Authenticator delegate, Estimates estimates, String path) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.estimates = Objects.requireNonNull(estimates, "estimates");
    this.paths = new SocketPaths(path);
  }

  @Override
  public Principal authenticate(@Nullable String token, ConnectionInfo connection) {
    Principal principal = delegate.authenticate(token, connection);
    if (!principal.tenant().equals(PaintboxApplication.TENANT)) {
      throw new AuthenticationException("Paintbox serves the tenant " + PaintboxApplication.TENANT
          + " only, and this token is for another tenant");
    }
    Predicate<String> isListed;
    if (connection.protocol().equals("y-websocket")) {
      isListed = onlyThePaths(connection, principal);
    } else {
      readAgainIfChanged();
      isListed = id -> listed.ids().contains(id);
    }
    return Principal.of(principal.id(), principal.tenant(), name -> permission(principal, name, isListed))
        .expiringAt(principal.expiresAt()).issuedAt(principal.issuedAt());
  }

  /** The estimate a y-websocket connection's path names, if the list has it. */
  private Predicate<String> onlyThePaths(ConnectionInfo connection, Principal principal) {
    String id = paths.estimateId(connection, principal);
    if (id == null) {
      throw new AuthenticationException("Paintbox serves estimates only: " + paths.estimatePath()
          + " with the id of an estimate in its list");
    }
    if (estimates.find(id).isEmpty()) {
      throw new AuthenticationException("there is no estimate " + id
          + "; create it through Paintbox's API (POST /api/estimates) first");
    }
    return id::equals;
  }

  /** Reads the list's ids again if the list changed since they were last read. */
  private void readAgainIfChanged() {
    long version = estimates.version();
    if (listed.version() != version) {
      // Read after the version: they have every change up to it (a later one only makes the next login read again).
      listed = new Listed(version, estimates.ids());
    }
  }

  private static Permission permission(Principal principal, String document, Predicate<String> isListed) {
    if (!Estimates.isEstimateDocument(document) || !isListed.test(Estimates.idOf(document))) {
      return Permission.NONE;
    }
    return principal.permission(principal.documentKey(document));
  }
}
