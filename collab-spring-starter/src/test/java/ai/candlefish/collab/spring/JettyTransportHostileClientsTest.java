package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link TransportHostileClients} on Spring WebSocket on Jetty (a Surefire run of its own, without Tomcat on the
 * class path: see the pom).
 */
@SpringBootTest(classes = TransportHostileClients.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER, TransportHostileClients.MESSAGE})
@Tag("jetty")
class JettyTransportHostileClientsTest extends TransportHostileClients {
  @Override
  boolean negotiatesCompression() {
    return true;
  }

  /** Jetty checks text itself and answers bytes that are not UTF-8 with 1007, as RFC 6455 asks (8.1). */
  @Override
  int malformedTextCode() {
    return 1007;
  }

  /**
   * Jetty closes a message over its limit (the server's maximum, see CollabWebSocketHandler's JettySessions) by itself,
   * with its own reason, which names the numbers and not the setting (not changed yet).
   */
  @Override
  void assertTooBigReason(String reason) {
    assertThat(reason).startsWith("Binary message too large");
  }

  /**
   * Jetty: the request line and headers over {@code server.max-http-request-header-size} (8 KB together), 414 if the
   * request line alone is over it, else 431.
   */
  @Override
  int requestLineTooLong() {
    return 414;
  }

  @Override
  int headersTooLarge() {
    return 431;
  }
}
