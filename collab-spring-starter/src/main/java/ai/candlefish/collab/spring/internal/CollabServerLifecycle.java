package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabServer;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the server when the application context has started every bean, and closes it (storing every document,
 * then telling clients "going away") when the context stops — before the beans it uses, such as the
 * {@code DataSource}, are destroyed.
 */
public final class CollabServerLifecycle implements SmartLifecycle {
  private final CollabServer server;
  private volatile boolean running;

  public CollabServerLifecycle(CollabServer server) {
    this.server = server;
  }

  @Override
  public void start() {
    server.start();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    server.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
