package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportHostileClients} on WebFlux on Reactor Netty. */
@SpringBootTest(classes = TransportHostileClients.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=reactive", "spring.main.web-application-type=reactive", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER, TransportHostileClients.MESSAGE})
class ReactiveTransportHostileClientsTest extends TransportHostileClients {
  @Override
  boolean negotiatesCompression() {
    return false;
  }

  /**
   * Reactor Netty: a request line over {@code server.netty.max-initial-line-length} (4 KB) is 414, headers over
   * {@code server.max-http-request-header-size} (8 KB) 431.
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
