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
}
