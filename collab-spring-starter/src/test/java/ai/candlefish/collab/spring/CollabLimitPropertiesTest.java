package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.internal.ServerConfig;
import ai.candlefish.collab.spi.Authenticator;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every limit of {@link CollabServer.Builder} is a {@code candlefish.collab.*} property: unset, the server gets the
 * builder's own default; set, the server gets the value ({@code CollabFailureAnalyzerTest}: refused, the property
 * is named).
 */
class CollabLimitPropertiesTest {
  /**
   * What the server holds that is not a limit with a property of its own: where it listens and what it calls (set
   * from beans and other properties), its threads (Netty's and the pools' defaults follow the machine), and the
   * shutdown wait (from {@code spring.lifecycle.timeout-per-shutdown-phase}).
   */
  private static final Set<String> NOT_LIMITS = Set.of("host", "port", "pathPrefix", "store", "authenticator",
      "hooks", "auditLog", "allowedOrigins", "pagePort", "ioThreads", "documentThreads", "blockingThreads",
      "shutdownTimeout", "toBuilder");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
          "candlefish.collab.security.mode=development");

  /** The server's settings (internal; read here so that every limit is compared, not a chosen few). */
  private static ServerConfig config(CollabServer server) throws ReflectiveOperationException {
    Field field = CollabServer.class.getDeclaredField("config");
    field.setAccessible(true);
    return (ServerConfig) field.get(server);
  }

  /** Every limit the server holds, by getter name. */
  private static Map<String, Object> limits(ServerConfig config) throws ReflectiveOperationException {
    Map<String, Object> limits = new LinkedHashMap<>();
    for (Method m : ServerConfig.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
          && !NOT_LIMITS.contains(m.getName())) {
        Object value = m.invoke(config);
        if (value instanceof UpdateLimits u) { // no equals: its parts
          limits.put("maxNestingDepth", u.maxDepth());
          limits.put("maxDocumentBytes", u.maxDocumentBytes());
          limits.put("maxPendingBytes", u.maxPendingBytes());
        } else {
          limits.put(m.getName(), value);
        }
      }
    }
    return limits;
  }

  @Test
  void unsetProperties_giveTheServerTheBuildersDefaults() {
    CollabServer plain = CollabServer.newBuilder().authenticator(Authenticator.insecureAllowAll("dev")).build();
    runner.run(context -> {
      Map<String, Object> starter = limits(config(context.getBean(CollabServer.class)));
      Map<String, Object> builder = limits(config(plain));
      assertThat(starter).as("limits the starter sets differently from the builder's defaults")
          .containsExactlyInAnyOrderEntriesOf(builder);
      assertThat(starter).containsKeys("awarenessPerConnection", "awarenessBytesPerDocument", "maxPresenceClients",
          "maxNewClientIds", "revocationTtl",
          "maxRevocations", "authenticationThreads", "maxUnauthenticatedBytes", "storeRetryMax");
    });
  }

  @Test
  void newLimitProperties_reachTheServer() {
    runner.withPropertyValues(
        "candlefish.collab.limits.awareness-updates-per-connection=7",
        "candlefish.collab.limits.awareness-bytes-per-connection=8KB",
        "candlefish.collab.limits.awareness-updates-per-document=70",
        "candlefish.collab.limits.awareness-bytes-per-document=1MB",
        "candlefish.collab.limits.awareness-interval=20ms",
        "candlefish.collab.limits.max-presence-clients=4",
        "candlefish.collab.limits.max-new-client-ids=9",
        "candlefish.collab.limits.document-open-burst=5",
        "candlefish.collab.limits.authentication-threads=2",
        "candlefish.collab.limits.authentications-per-second=3",
        "candlefish.collab.limits.authentication-burst=6",
        "candlefish.collab.limits.unauthenticated-timeout=3s",
        "candlefish.collab.limits.unauthenticated-messages=100",
        "candlefish.collab.limits.unauthenticated-size=64KB",
        "candlefish.collab.documents.store-retry-max=5s",
        "candlefish.collab.documents.max-unstored-size=2MB",
        "candlefish.collab.documents.max-unstored-total=10MB",
        "candlefish.collab.security.revocation-ttl=2h",
        "candlefish.collab.security.max-revocations=10").run(context -> {
          ServerConfig c = config(context.getBean(CollabServer.class));
          assertThat(c.awarenessPerConnection()).isEqualTo(7);
          assertThat(c.awarenessBytesPerConnection()).isEqualTo(8 * 1024);
          assertThat(c.awarenessPerDocument()).isEqualTo(70);
          assertThat(c.awarenessBytesPerDocument()).isEqualTo(1024 * 1024);
          assertThat(c.awarenessInterval()).isEqualTo(Duration.ofMillis(20));
          assertThat(c.maxPresenceClients()).isEqualTo(4);
          assertThat(c.maxNewClientIds()).isEqualTo(9);
          assertThat(c.documentOpenBurst()).isEqualTo(5);
          assertThat(c.authenticationThreads()).isEqualTo(2);
          assertThat(c.authenticationsPerSecond()).isEqualTo(3);
          assertThat(c.authenticationBurst()).isEqualTo(6);
          assertThat(c.authenticationTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(c.maxUnauthenticatedMessages()).isEqualTo(100);
          assertThat(c.maxUnauthenticatedBytes()).isEqualTo(64 * 1024);
          assertThat(c.storeRetryMax()).isEqualTo(Duration.ofSeconds(5));
          assertThat(c.maxUnstoredBytesPerDocument()).isEqualTo(2L << 20);
          assertThat(c.maxUnstoredBytes()).isEqualTo(10L << 20);
          assertThat(c.revocationTtl()).isEqualTo(Duration.ofHours(2));
          assertThat(c.maxRevocations()).isEqualTo(10);
        });
  }
}
