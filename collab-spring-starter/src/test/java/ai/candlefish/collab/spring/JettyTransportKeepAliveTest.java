package ai.candlefish.collab.spring;

import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link TransportKeepAlive} on Spring WebSocket on Jetty (a Surefire run of its own, without Tomcat on the class
 * path: see the pom).
 */
@SpringBootTest(classes = TransportKeepAlive.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportKeepAlive.IDLE, TransportKeepAlive.JETTY_TIMEOUT})
@Tag("jetty")
class JettyTransportKeepAliveTest extends TransportKeepAlive {
  /** Jetty answers a client's ping itself and tells Spring's handler nothing. */
  @Override
  boolean clientPingsKeepAlive() {
    return false;
  }
}
