package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportKeepAlive} on Spring WebSocket on Tomcat. */
@SpringBootTest(classes = TransportKeepAlive.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportKeepAlive.IDLE, TransportKeepAlive.TOMCAT_TIMEOUT})
class ServletTransportKeepAliveTest extends TransportKeepAlive {
  /** Tomcat answers a client's ping itself and tells the application nothing. */
  @Override
  boolean clientPingsKeepAlive() {
    return false;
  }
}
