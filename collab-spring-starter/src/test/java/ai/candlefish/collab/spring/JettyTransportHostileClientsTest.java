package ai.candlefish.collab.spring;

import java.util.List;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link TransportHostileClients} on Spring WebSocket on Jetty (a Surefire run of its own, without Tomcat on the
 * class path: see the pom).
 */
@SpringBootTest(classes = TransportHostileClients.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER, TransportHostileClients.MESSAGE})
class JettyTransportHostileClientsTest extends TransportHostileClients {
  @Override
  List<Integer> fragmentsCloseCodes() {
    return List.of(1009);
  }

  @Override
  boolean negotiatesCompression() {
    return true;
  }
}
