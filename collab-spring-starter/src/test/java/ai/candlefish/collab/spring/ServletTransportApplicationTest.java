package ai.candlefish.collab.spring;

import java.time.Duration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.tomcat.TomcatWebServer;

/** {@link TransportApplication} with {@code candlefish.collab.transport=servlet}: a real Tomcat. */
@SpringBootTest(classes = TransportApplication.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", TransportApplication.PATH, TransportApplication.DEBOUNCE,
    TransportApplication.MAX_WAIT})
class ServletTransportApplicationTest extends TransportApplication {
  ServletTransportApplicationTest() {
    super(TomcatWebServer.class, Duration.ZERO);
  }
}
