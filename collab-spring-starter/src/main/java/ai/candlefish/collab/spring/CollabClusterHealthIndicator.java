package ai.candlefish.collab.spring;

import ai.candlefish.collab.redis.RedisClusterTransport;
import ai.candlefish.collab.spi.DocumentLeases;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The cluster as this node sees it ({@code /actuator/health/collabCluster}): up while its Redis link works and it can
 * renew its lease heartbeat in the database, with its node id and the nodes it hears. Down otherwise, with the
 * reason. A node whose Redis is down still serves and acknowledges its own clients (other nodes' updates reach them
 * once Redis is back), so keep this indicator out of a readiness group: when Redis fails it fails on every node at
 * once.
 *
 * <p>Thread-safe. Each call renews the lease heartbeat, one small write to the database.
 */
public final class CollabClusterHealthIndicator implements HealthIndicator {
  private final RedisClusterTransport transport;
  private final DocumentLeases leases;

  public CollabClusterHealthIndicator(RedisClusterTransport transport, DocumentLeases leases) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.leases = Objects.requireNonNull(leases, "leases");
  }

  @Override
  public Health health() {
    boolean redisUp = transport.isConnected();
    String leaseError = null;
    try {
      leases.heartbeat();
    } catch (RuntimeException e) {
      leaseError = e.getMessage();
    }
    Health.Builder health = redisUp && leaseError == null ? Health.up() : Health.down();
    health.withDetail("nodeId", transport.nodeId())
        .withDetail("redis", redisUp ? "up" : "down: this node serves its own clients only until Redis is back")
        .withDetail("nodes", transport.liveNodes())
        .withDetail("leases", leaseError == null ? "reachable" : "unreachable: " + leaseError);
    return health.build();
  }
}
