package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportKeepAlive} on WebFlux on Reactor Netty. */
@SpringBootTest(classes = TransportKeepAlive.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=reactive", "spring.main.web-application-type=reactive", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportKeepAlive.IDLE, TransportKeepAlive.NETTY_TIMEOUT})
class ReactiveTransportKeepAliveTest extends TransportKeepAlive {
  @Override
  boolean clientPingsKeepAlive() {
    return true;
  }
}
