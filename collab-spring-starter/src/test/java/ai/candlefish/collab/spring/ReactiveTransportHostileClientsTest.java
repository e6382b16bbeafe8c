package ai.candlefish.collab.spring;

import java.util.List;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportHostileClients} on WebFlux on Reactor Netty. */
@SpringBootTest(classes = TransportHostileClients.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=reactive", "spring.main.web-application-type=reactive", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER, TransportHostileClients.MESSAGE})
class ReactiveTransportHostileClientsTest extends TransportHostileClients {
  @Override
  List<Integer> fragmentsCloseCodes() {
    return List.of(1002, 1005, 1009);
  }

  @Override
  boolean negotiatesCompression() {
    return false;
  }
}
