package ai.candlefish.collab.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * The host revoked principal {@code principalId} of {@code tenant} at {@code at} (collab-netty's {@code
 * CollabServer.revoke}): its sessions whose tokens were issued at or before then end, and such tokens are refused
 * until {@code until}. In a cluster the node that revoked sends it to the others ({@link
 * ClusterTransport#publishRevocation}).
 *
 * @param tenant the principal's tenant
 * @param principalId the principal's id
 * @param at when it was revoked: tokens issued after are accepted again
 * @param until how long the revocation is remembered
 */
public record Revocation(String tenant, String principalId, Instant at, Instant until) {
  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code until} is before {@code at}
   */
  public Revocation {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(principalId, "principalId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(until, "until");
    if (until.isBefore(at)) {
      throw new IllegalArgumentException("a revocation remembered until " + until + " must not end before it was made ("
          + at + ")");
    }
  }
}
