package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Every kind of bad {@code candlefish.collab.*} value ends in Boot's "APPLICATION FAILED TO START" report, naming
 * the property and what to do: values the constraints refuse (Boot's report), and what only the server finds (ours).
 */
@ExtendWith(OutputCaptureExtension.class)
class CollabFailureAnalyzerTest {
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({SslAutoConfiguration.class, CollabAutoConfiguration.class})
  static class App {}

  private static void start(String... properties) {
    List<String> args = new ArrayList<>();
    for (String property : properties) {
      args.add("--" + property);
    }
    SpringApplication application = new SpringApplication(App.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setDefaultProperties(Map.of("candlefish.collab.port", "0", "candlefish.collab.host", "127.0.0.1",
        "candlefish.collab.security.mode", "development", "spring.main.banner-mode", "off"));
    assertThatThrownBy(() -> application.run(args.toArray(String[]::new)).close()).isNotNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // refused by a constraint, where the server's builder threw IllegalArgumentException
      "candlefish.collab.port=70000 | candlefish.collab.port | less than or equal to 65535",
      "candlefish.collab.limits.idle-timeout=10ms | candlefish.collab.limits.idle-timeout | between 100ms and 365d",
      "candlefish.collab.limits.messages-per-second=0 | candlefish.collab.limits.messages-per-second | "
          + "must be greater than 0",
      "candlefish.collab.limits.max-connections=-1 | candlefish.collab.limits.max-connections | greater than 0",
      "candlefish.collab.documents.compact-after-updates=0 | candlefish.collab.documents.compact-after-updates | "
          + "greater than 0",
      "candlefish.collab.limits.outbound-buffer=10B | candlefish.collab.limits.outbound-buffer | at least 1024 bytes",
      "candlefish.collab.limits.awareness-bytes-per-connection=10B | "
          + "candlefish.collab.limits.awareness-bytes-per-connection | at least 1024 bytes",
      "candlefish.collab.limits.unauthenticated-timeout=1ms | candlefish.collab.limits.unauthenticated-timeout | "
          + "between 10ms and 365d",
      "candlefish.collab.security.max-revocations=0 | candlefish.collab.security.max-revocations | greater than 0",
      "candlefish.collab.security.revocation-ttl=0s | candlefish.collab.security.revocation-ttl | "
          + "between 1ms and 365d",
      // refused by a constraint, where the starter threw ArithmeticException (Math.toIntExact)
      "candlefish.collab.limits.max-message-size=3GB | candlefish.collab.limits.max-message-size | between 1024",
      "candlefish.collab.limits.max-awareness-state=3GB | candlefish.collab.limits.max-awareness-state | between 64",
      "candlefish.collab.documents.store-debounce=-1s | candlefish.collab.documents.store-debounce | "
          + "between 0s and 365d",
      "candlefish.collab.security.tenant-claim= | candlefish.collab.security.tenant-claim | must not be blank",
      // refused by the server's builder or the starter after binding: our analyzer
      "candlefish.collab.path=/a b | candlefish.collab.path | pathPrefix must be a plain path",
      "candlefish.collab.allowed-origins=not an origin | candlefish.collab.allowed-origins | allowedOrigins must be",
      "candlefish.collab.limits.max-presence-clients=5000 | candlefish.collab.limits.max-presence-clients | "
          + "maxPresenceClients must be at most 1000",
      "candlefish.collab.tls.certificate=/nonexistent/cert.pem | candlefish.collab.tls.private-key | TLS needs both",
      "candlefish.collab.ssl.bundle=missing | candlefish.collab.ssl.bundle | no SSL bundle of that name",
      "candlefish.collab.storage.type=jdbc | candlefish.collab.storage.type | needs collab-jdbc",
      "candlefish.collab.security.mode=jwt | candlefish.collab.security.mode | no JwtDecoder bean",
  })
  void aBadValue_isReportedByName_withWhatToDo(String setting, String property, String reason,
      CapturedOutput output) {
    start(setting);
    assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: " + property).contains(reason)
        .contains("Action:");
  }

  @Test
  void aStoreMaxWaitShorterThanTheDebounce_namesBoth(CapturedOutput output) {
    start("candlefish.collab.documents.store-debounce=20s", "candlefish.collab.documents.store-max-wait=1s");
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("Property: candlefish.collab.documents.store-max-wait")
        .contains("shorter than candlefish.collab.documents.store-debounce (PT20S)");
  }

  @Test
  void aPortInUse_isReportedByName(CapturedOutput output) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      start("candlefish.collab.port=" + taken.getLocalPort());
      assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: candlefish.collab.port")
          .contains("Value: \"" + taken.getLocalPort() + "\"").contains("0 picks a free one");
    }
  }
}
