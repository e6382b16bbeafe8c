package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spring.CollabProperties;
import ai.candlefish.collab.spring.CollabServerBuilderCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Paintbox's part in the collaboration server: its hooks (picked up by the starter), the list's say over which
 * estimates' documents open, and the revoked users' refusal. Everything else comes from {@code candlefish.collab.*} in
 * {@code application.properties}.
 */
@Configuration(proxyBeanMethods = false)
class CollabConfiguration {
  @Bean
  TotalsHooks totalsHooks(ObjectProvider<CollabServer> server) {
    return new TotalsHooks(server::getObject);
  }

  @Bean
  ServerOwnedRoots serverOwnedRoots() {
    return new ServerOwnedRoots();
  }

  @Bean
  PresenceHooks presenceHooks(CollabProperties collab) {
    return new PresenceHooks(collab.path() == null ? "" : collab.path());
  }

  @Bean
  RevokedUsers revokedUsers(JdbcClient jdbc, ObjectProvider<CollabServer> server, PaintboxProperties properties) {
    return new RevokedUsers(jdbc, server::getObject, properties.maxTokenLifetime());
  }

  @Bean
  RevocationsEndpoint revocationsEndpoint(RevokedUsers revokedUsers) {
    return new RevocationsEndpoint(revokedUsers);
  }

  @Bean
  ListedEstimatesHooks listedEstimatesHooks(Estimates estimates, DocumentStore store) {
    return new ListedEstimatesHooks(estimates, store);
  }

  /**
   * The server's authenticator refuses every estimate the list does not have, for every protocol. Paintbox's API
   * ({@link Users}) keeps the {@link Authenticator} bean itself: it answers 404 for those by itself.
   */
  @Bean
  CollabServerBuilderCustomizer listedEstimatesOnly(Authenticator authenticator, Estimates estimates,
      CollabProperties collab) {
    return builder -> builder.authenticator(new ListedEstimatesAuthenticator(authenticator, estimates,
        collab.path() == null ? "" : collab.path()));
  }
}
