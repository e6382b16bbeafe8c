package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportKeepAlive} on the server's own port (Netty). */
@SpringBootTest(classes = TransportKeepAlive.App.class, webEnvironment = WebEnvironment.NONE, properties = {
    "candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportKeepAlive.IDLE})
class EmbeddedTransportKeepAliveTest extends TransportKeepAlive {
  @Override
  boolean clientPingsKeepAlive() {
    return true;
  }
}
