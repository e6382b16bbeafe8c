package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.testkit.SwitchableStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * The meters the starter puts in the application's registry, read while a real server serves real clients: load
 * time and failures, authentication results, throttling by limit and the unstored backlog.
 */
class CollabMetricsTest {
  @Configuration(proxyBeanMethods = false)
  static class App {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    SwitchableStore documentStore() {
      return new SwitchableStore();
    }

    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
      .withUserConfiguration(App.class)
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
          "candlefish.collab.limits.messages-per-second=2", "candlefish.collab.limits.message-burst=3");

  private static CollabClient client(CollabServer server, String token) {
    return CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token(token).build();
  }

  private static double count(MeterRegistry registry, String name, String tag, String value) {
    return registry.find(name).tag(tag, value).meters().stream()
        .mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void aServerWithClients_countsLoadsAuthenticationsThrottlingAndTheBacklog() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      CollabServer server = context.getBean(CollabServer.class);
      SwitchableStore store = (SwitchableStore) context.getBean(DocumentStore.class);

      try (CollabClient intruder = client(server, "not.a.jwt")) {
        assertThatThrownBy(() -> intruder.connect().get(10, TimeUnit.SECONDS)).isNotNull();
      }
      await().atMost(Duration.ofSeconds(20))
          .until(() -> count(registry, "collab.authentications", "result", "refused") == 1);

      try (CollabClient alice = client(server, CollabAutoConfigurationTest.token("alice", "acme", "write"))) {
        alice.connect().get(10, TimeUnit.SECONDS);
        ClientDocument plan = alice.open("plan").get(10, TimeUnit.SECONDS);
        assertThat(count(registry, "collab.authentications", "result", "success")).isEqualTo(1);
        assertThat(registry.get("collab.document.load").tag("result", "success").timer().count()).isEqualTo(1);
        assertThat(registry.find("collab.authentications").meters()).allSatisfy(m ->
            assertThat(m.getId().getTags()).extracting(Tag::getKey).as("no principal or token").containsOnly("result"));

        // Over 2 messages a second (burst 3), reading from the client pauses: slowed, nothing lost.
        for (int i = 0; i < 6; i++) {
          plan.edit(txn -> txn.doc().getText("t").insert(0, "x")).get(30, TimeUnit.SECONDS);
        }
        assertThat(count(registry, "collab.messages.throttled", "limit", "messages")).isPositive();
        assertThat(gauge(registry, "collab.store.backlog.updates")).as("acknowledged means stored").isZero();

        // The store goes down: what is applied waits in memory, counted, until it comes back.
        store.down = true;
        var stored = plan.edit(txn -> txn.doc().getText("t").insert(0, "kept"));
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge(registry, "collab.store.backlog.updates") >= 1
            && gauge(registry, "collab.store.backlog.bytes") > 0);
        // A document the store cannot load: its client is refused (and tries again) until the store is back.
        alice.open("estimate");
        await().atMost(Duration.ofSeconds(20))
            .until(() -> registry.get("collab.document.load").tag("result", "failure").timer().count() > 0);

        store.down = false;
        stored.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge(registry, "collab.store.backlog.updates") == 0
            && gauge(registry, "collab.store.backlog.bytes") == 0);
      }
    });
  }
}
