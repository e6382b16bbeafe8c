package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The users of Paintbox's tenant whose access the host revoked, kept in Paintbox's database (table
 * {@code paintbox_revocation}) so that every instance refuses their tokens issued until then, on its API
 * ({@link Users}) and at its socket's logins ({@link #onAuthenticate}, closed with 4401 "access revoked"), also after a
 * restart. {@link #revoke} also ends the user's open sessions through {@link CollabServer#revoke}, which reaches the
 * sockets of every instance of a cluster. A token issued after the revocation ({@link Principal#issuedAt()}, a JWT's
 * {@code iat}, in whole seconds: one of the revocation's second counts as before it) is accepted again; one without
 * an issue time stays refused. The host revokes through {@link #revoke} or Actuator's {@code revocations} endpoint
 * ({@link RevocationsEndpoint}).
 *
 * <p>Runs before Paintbox's other hooks, so that {@link PresenceHooks} never counts a refused login. The check asks the
 * database once per login, on the server's worker thread (where authentication may block).
 *
 * <p>Thread-safe.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class RevokedUsers implements CollabHooks {
  private final JdbcClient jdbc;
  private final Supplier<CollabServer> server;

  /**
   * @param jdbc Paintbox's database
   * @param server the collaboration server (a supplier: the server is built with this hook)
   */
  RevokedUsers(JdbcClient jdbc, Supplier<CollabServer> server) {
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    this.server = Objects.requireNonNull(server, "server");
  }

  /**
   * Revokes {@code user}'s access now: the tokens issued until now are refused from now on, by every instance, and the
   * user's open sessions end.
   *
   * @return a future that completes, once this instance's connections have ended the user's sessions, with how many
   *     had any
   * @throws IllegalArgumentException if {@code user} is blank
   */
  CompletableFuture<Integer> revoke(String user) {
    if (Objects.requireNonNull(user, "user").isBlank()) {
      throw new IllegalArgumentException("the user to revoke is blank; name the token's subject");
    }
    jdbc.sql("INSERT INTO paintbox_revocation (user_name, revoked) VALUES (?, ?)")
        .params(user, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS)))
        .update();
    return server.get().revoke(PaintboxApplication.TENANT, user);
  }

  /** Whether {@code principal}'s token was issued before its user's access was revoked (then it is refused). */
  boolean isRevoked(Principal principal) {
    if (!PaintboxApplication.TENANT.equals(principal.tenant())) {
      return false;
    }
    Optional<Timestamp> latest = jdbc.sql(
        "SELECT revoked FROM paintbox_revocation WHERE user_name = ? ORDER BY revoked DESC LIMIT 1")
        .param(principal.id()).query(Timestamp.class).optional();
    return latest.isPresent()
        && (principal.issuedAt() == null || !principal.issuedAt().isAfter(latest.get().toInstant()));
  }

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    if (isRevoked(principal)) {
      throw new AuthenticationException(Users.ACCESS_REVOKED);
    }
  }
}
