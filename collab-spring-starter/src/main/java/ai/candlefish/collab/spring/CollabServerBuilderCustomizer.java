package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;

/**
 * Changes the server's builder after the properties are applied and before the server is built: declare beans of
 * this type to set what the properties do not cover. They run in {@code @Order}.
 */
@FunctionalInterface
public interface CollabServerBuilderCustomizer {
  void customize(CollabServer.Builder builder);
}
