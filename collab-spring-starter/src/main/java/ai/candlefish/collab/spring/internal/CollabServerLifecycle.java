package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabServer;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the server when the application context has started every bean, and drains it (stops reading, stores
 * every document, then tells clients "going away") when the context stops — before the beans it uses, such as the
 * {@code DataSource}, are destroyed. The drain runs on a thread of its own, so that it runs alongside the web
 * server's graceful shutdown in the same phase, and {@code spring.lifecycle.timeout-per-shutdown-phase} bounds it.
 */
public final class CollabServerLifecycle implements SmartLifecycle {
  /** The phase of Boot's web server graceful shutdown: both drain at once, before ordinary lifecycle beans. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final Logger log = LoggerFactory.getLogger(CollabServerLifecycle.class);

  private final CollabServer server;
  private final int configuredPort;
  private final Duration shutdownTimeout;
  private final Function<CollabServer, String> summary;
  private volatile boolean running;

  /**
   * @param configuredPort {@code candlefish.collab.port}, for the report when it cannot be bound
   * @param shutdownTimeout the server's bound on storing documents when it stops (for the log line)
   * @param summary the one line logged once the server listens
   */
  public CollabServerLifecycle(CollabServer server, int configuredPort, Duration shutdownTimeout,
      Function<CollabServer, String> summary) {
    this.server = server;
    this.configuredPort = configuredPort;
    this.shutdownTimeout = shutdownTimeout;
    this.summary = summary;
  }

  @Override
  public void start() {
    try {
      server.start();
    } catch (UncheckedIOException e) {
      throw new InvalidCollabPropertyException("candlefish.collab.port", configuredPort,
          "the server cannot listen there", "Choose another candlefish.collab.port (0 picks a free one) or stop "
              + "the process that holds it, and check candlefish.collab.host", e);
    }
    running = true;
    log.info(summary.apply(server));
  }

  @Override
  public void stop() {
    running = false;
    server.close();
  }

  /** Drains on a thread of its own and calls {@code callback} when done, without holding the caller. */
  @Override
  public void stop(Runnable callback) {
    running = false;
    log.info("collab server draining: storing every document (at most {}, spring.lifecycle.timeout-per-shutdown-"
        + "phase), then closing its connections", shutdownTimeout);
    Thread drain = new Thread(() -> {
      try {
        server.close();
      } finally {
        callback.run();
      }
    }, "collab-shutdown");
    drain.start();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
