package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import java.sql.Timestamp;
import java.time.Duration;
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
 * {@code iat}, in whole seconds: one of the revocation's second counts as before it) is accepted again. The host
 * revokes through {@link #revoke} or Actuator's {@code revocations} endpoint ({@link RevocationsEndpoint}).
 *
 * <p><b>How long a revocation is kept.</b> Only as long as a token issued before it can still be valid: tokens live
 * at most {@code paintbox.max-token-lifetime} (from {@code iat} to {@code exp}), so a revocation older than that (and
 * a margin for the decoder's clock skew) refuses nothing that has not expired, and is deleted at the next
 * revocation. For that to hold, Paintbox refuses a token of its tenant that could live longer ({@link #TOO_LONG}):
 * one without {@code exp}, one whose {@code exp} is further from its {@code iat}, and one without {@code iat} whose
 * {@code exp} is further than that from now. A token without {@code iat} cannot say whether it was issued before a
 * revocation: it fails closed, counted as issued the longest lifetime before its expiry (the earliest it can have
 * been), so it is refused by every revocation of its user since then.
 *
 * <p>Runs before Paintbox's other hooks, so that {@link PresenceHooks} never counts a refused login. The check asks the
 * database once per login, on the server's worker thread (where authentication may block).
 *
 * <p>Thread-safe.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class RevokedUsers implements CollabHooks {
  /** Why a token that could outlive {@code paintbox.max-token-lifetime} is refused, on the API and the socket. */
  static final String TOO_LONG = "token lives longer than paintbox.max-token-lifetime";
  /**
   * How much longer than the longest token lifetime a revocation is kept: decoders accept a token a little after its
   * {@code exp} (Spring's {@code JwtTimestampValidator}: 60 seconds by default).
   */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final JdbcClient jdbc;
  private final Supplier<CollabServer> server;
  private final Duration maxTokenLifetime;

  /**
   * @param jdbc Paintbox's database
   * @param server the collaboration server (a supplier: the server is built with this hook)
   * @param maxTokenLifetime the longest a token may live, {@code paintbox.max-token-lifetime} (positive)
   */
  RevokedUsers(JdbcClient jdbc, Supplier<CollabServer> server, Duration maxTokenLifetime) {
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    this.server = Objects.requireNonNull(server, "server");
    this.maxTokenLifetime = Objects.requireNonNull(maxTokenLifetime, "maxTokenLifetime");
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
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    jdbc.sql("INSERT INTO paintbox_revocation (user_name, revoked) VALUES (?, ?)")
        .params(user, Timestamp.from(now))
        .update();
    prune(now);
    return server.get().revoke(PaintboxApplication.TENANT, user);
  }

  /**
   * Deletes the revocations that can no longer refuse a valid token: those made more than the longest token lifetime
   * (and {@link #CLOCK_SKEW}) before {@code now}.
   *
   * @return how many were deleted
   */
  int prune(Instant now) {
    return jdbc.sql("DELETE FROM paintbox_revocation WHERE revoked < ?")
        .param(Timestamp.from(now.minus(maxTokenLifetime).minus(CLOCK_SKEW)))
        .update();
  }

  /**
   * Why Paintbox refuses {@code principal}'s token: {@link Users#ACCESS_REVOKED} if it was issued before its user's
   * access was revoked, {@link #TOO_LONG} if it could outlive {@code paintbox.max-token-lifetime}; null if it does not
   * (also for another tenant's token, which sees no estimate anyway).
   */
  String refusal(Principal principal) {
    if (!PaintboxApplication.TENANT.equals(principal.tenant())) {
      return null;
    }
    Instant expires = principal.expiresAt();
    Instant lifeStart = principal.issuedAt() != null ? principal.issuedAt() : Instant.now();
    if (expires == null || expires.isAfter(lifeStart.plus(maxTokenLifetime))) {
      return TOO_LONG;
    }
    // Without iat: the earliest the token can have been issued, so that every revocation since refuses it.
    Instant issued = principal.issuedAt() != null ? principal.issuedAt() : expires.minus(maxTokenLifetime);
    Optional<Timestamp> latest = jdbc.sql(
        "SELECT revoked FROM paintbox_revocation WHERE user_name = ? ORDER BY revoked DESC LIMIT 1")
        .param(principal.id()).query(Timestamp.class).optional();
    return latest.isPresent() && !issued.isAfter(latest.get().toInstant()) ? Users.ACCESS_REVOKED : null;
  }

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    String refusal = refusal(principal);
    if (refusal != null) {
      throw new AuthenticationException(refusal);
    }
  }
}
