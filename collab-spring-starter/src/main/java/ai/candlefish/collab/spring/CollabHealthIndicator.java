package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Up while the collaboration server runs, with its port, open connections and documents in memory; down when it
 * is not running, or when the store has failed to take some document's updates for longer than the threshold (30
 * s by default): edits then live only in memory and no client gets acknowledgements. A shorter store failure shows
 * as a detail ({@code storeFailingSince}) while the server stays up.
 */
public final class CollabHealthIndicator implements HealthIndicator {
  /** How long the store may fail before the server is reported down. */
  public static final Duration DEFAULT_STORE_FAILURE_THRESHOLD = Duration.ofSeconds(30);

  private final CollabServer server;
  private final Duration storeFailureThreshold;

  public CollabHealthIndicator(CollabServer server) {
    this(server, DEFAULT_STORE_FAILURE_THRESHOLD);
  }

  /**
   * @param storeFailureThreshold how long the store may fail before the server is reported down
   */
  public CollabHealthIndicator(CollabServer server, Duration storeFailureThreshold) {
    this.server = Objects.requireNonNull(server, "server");
    this.storeFailureThreshold = Objects.requireNonNull(storeFailureThreshold, "storeFailureThreshold");
    if (storeFailureThreshold.isNegative()) {
      throw new IllegalArgumentException("storeFailureThreshold must not be negative but is " + storeFailureThreshold);
    }
  }

  @Override
  public Health health() {
    if (!server.isRunning()) {
      return Health.down().withDetail("reason", "the collaboration server is not running").build();
    }
    try {
      Optional<Instant> failingSince = server.storeFailingSince();
      boolean storeDown = failingSince.isPresent()
          && Duration.between(failingSince.get(), Instant.now()).compareTo(storeFailureThreshold) > 0;
      Health.Builder health = storeDown ? Health.down().withDetail("reason", "the document store has failed since "
          + failingSince.get() + "; edits are kept in memory and retried, unacknowledged") : Health.up();
      health.withDetail("port", server.port())
          .withDetail("connections", server.connectionCount())
          .withDetail("documents", server.loadedDocumentCount());
      failingSince.ifPresent(since -> health.withDetail("storeFailingSince", since.toString()));
      return health.build();
    } catch (IllegalStateException e) { // closed in between
      return Health.down().withDetail("reason", e.getMessage()).build();
    }
  }
}
