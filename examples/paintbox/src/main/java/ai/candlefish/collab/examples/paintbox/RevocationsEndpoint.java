package ai.candlefish.collab.examples.paintbox;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Actuator's {@code revocations} endpoint, the host's way to revoke a user's access ({@link RevokedUsers#revoke}):
 * {@code POST /actuator/revocations/{user}} answers how many of this instance's connections had the user's sessions.
 * Not exposed over HTTP unless {@code management.endpoints.web.exposure.include} names it: put it behind your own
 * security first (anybody who reaches it can lock any user out).
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "revocations")
class RevocationsEndpoint {
  private static final int TIMEOUT_SECONDS = 30;

  private final RevokedUsers revoked;

  RevocationsEndpoint(RevokedUsers revoked) {
    this.revoked = Objects.requireNonNull(revoked, "revoked");
  }

  /** Revokes {@code user}'s access; answers {@code user} and {@code connections} (whose sessions ended here). */
  @WriteOperation
  Map<String, Object> revoke(@Selector String user) throws Exception {
    int connections = revoked.revoke(user).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return Map.of("user", user, "connections", connections);
  }
}
