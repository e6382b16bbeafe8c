package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportHostileClients} on Spring WebSocket on Tomcat. */
@SpringBootTest(classes = TransportHostileClients.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER, TransportHostileClients.MESSAGE})
class ServletTransportHostileClientsTest extends TransportHostileClients {
  @Override
  boolean negotiatesCompression() {
    return false;
  }

  /** Tomcat checks text itself and answers bytes that are not UTF-8 with 1007, as RFC 6455 asks (8.1). */
  @Override
  int malformedTextCode() {
    return 1007;
  }

  /** Tomcat answers a close reason that is not UTF-8 by itself, with 1002 (RFC 6455 leaves the code open). */
  @Override
  int invalidCloseReasonCode() {
    return 1002;
  }

  /** Tomcat: the request line and headers over {@code server.max-http-request-header-size} (8 KB together), 400. */
  @Override
  int requestLineTooLong() {
    return 400;
  }

  @Override
  int headersTooLarge() {
    return 400;
  }
}
