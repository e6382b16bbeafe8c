package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.CollabServer;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Micrometer Observations around authenticate, load, apply and store, through the application's
 * {@link ObservationRegistry} (a {@link TestObservationRegistry} here), while a real server serves a real client: the
 * names, the low-cardinality key values (protocol, outcome; never the tenant or the document) and the high-cardinality
 * ones (tenant, document, connection).
 */
class CollabObservationTest {
  @Configuration(proxyBeanMethods = false)
  static class Decoder {
    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Observed {
    @Bean
    TestObservationRegistry observationRegistry() {
      return TestObservationRegistry.create();
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
      .withUserConfiguration(Decoder.class)
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1");

  private static CollabClient client(CollabServer server, String token) {
    return CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token(token).build();
  }

  @Test
  void aClientsWork_isObservedWithLowCardinalityKeyValues() {
    runner.withUserConfiguration(Observed.class).run(context -> {
      TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
      CollabServer server = context.getBean(CollabServer.class);
      try (CollabClient intruder = client(server, "not.a.jwt")) {
        assertThatThrownBy(() -> intruder.connect().get(10, TimeUnit.SECONDS)).isNotNull();
      }
      try (CollabClient alice = client(server, CollabAutoConfigurationTest.token("alice", "acme", "write"))) {
        alice.connect().get(10, TimeUnit.SECONDS);
        ClientDocument plan = alice.open("plan").get(10, TimeUnit.SECONDS);
        // Acknowledged means stored: the edit's store call has ended when its acknowledgement arrives.
        plan.edit(txn -> txn.doc().getText("t").insert(0, "walls")).get(10, TimeUnit.SECONDS);
      }
      // Observations end on the server's threads, after the client has seen the result.
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
          .hasNumberOfObservationsWithNameEqualTo("collab.server.authenticate", 2)
          .hasAnObservation(o -> o.hasNameEqualTo("collab.server.authenticate")
              .hasContextualNameEqualTo("collab authenticate")
              .hasLowCardinalityKeyValue("protocol", CollabBridge.SUBPROTOCOL)
              .hasLowCardinalityKeyValue("outcome", "success").hasHighCardinalityKeyValueWithKey("collab.connection"))
          .hasAnObservation(o -> o.hasNameEqualTo("collab.server.authenticate")
              .hasLowCardinalityKeyValue("outcome", "refused"))
          .hasAnObservation(o -> o.hasNameEqualTo("collab.server.load").hasLowCardinalityKeyValue("outcome", "success")
              .hasHighCardinalityKeyValue("collab.tenant", "acme").hasHighCardinalityKeyValue("collab.document", "plan"))
          .hasAnObservation(o -> o.hasNameEqualTo("collab.server.apply")
              .hasLowCardinalityKeyValue("protocol", CollabBridge.SUBPROTOCOL)
              .hasLowCardinalityKeyValue("outcome", "success").hasHighCardinalityKeyValue("collab.tenant", "acme"))
          .hasAnObservation(o -> o.hasNameEqualTo("collab.server.store").hasLowCardinalityKeyValue("outcome", "success")
              .hasHighCardinalityKeyValue("collab.document", "plan"))
          .hasHandledContextsThatSatisfy(contexts -> assertThat(contexts).allSatisfy(c ->
              assertThat(c.getLowCardinalityKeyValues().stream().map(KeyValue::getKey).toList())
                  .as("bounded key values only: %s", c.getName()).isSubsetOf("protocol", "outcome"))));
    });
  }

  @Test
  void withoutAnObservationRegistry_theServerServesUnobserved() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(ObservationRegistry.class);
      CollabServer server = context.getBean(CollabServer.class);
      try (CollabClient alice = client(server, CollabAutoConfigurationTest.token("alice", "acme", "write"))) {
        alice.connect().get(10, TimeUnit.SECONDS);
        alice.open("plan").get(10, TimeUnit.SECONDS)
            .edit(txn -> txn.doc().getText("t").insert(0, "walls")).get(10, TimeUnit.SECONDS);
      }
    });
  }
}
