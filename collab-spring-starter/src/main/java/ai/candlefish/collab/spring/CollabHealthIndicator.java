package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Up while the collaboration server runs, with its port, open connections and documents in memory. */
public final class CollabHealthIndicator implements HealthIndicator {
  private final CollabServer server;

  public CollabHealthIndicator(CollabServer server) {
    this.server = server;
  }

  @Override
  public Health health() {
    if (!server.isRunning()) {
      return Health.down().withDetail("reason", "the collaboration server is not running").build();
    }
    try {
      return Health.up()
          .withDetail("port", server.port())
          .withDetail("connections", server.connectionCount())
          .withDetail("documents", server.loadedDocumentCount())
          .build();
    } catch (IllegalStateException e) { // closed in between
      return Health.down().withDetail("reason", e.getMessage()).build();
    }
  }
}
