package ai.candlefish.collab.spring;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link TransportApplication} with {@code candlefish.collab.transport=servlet} on Jetty (a Surefire run of its own,
 * without Tomcat on the class path: see the pom).
 */
@SpringBootTest(classes = TransportApplication.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", TransportApplication.PATH, TransportApplication.DEBOUNCE,
    TransportApplication.MAX_WAIT})
@Tag("jetty")
class JettyTransportApplicationTest extends TransportApplication {
  JettyTransportApplicationTest() {
    super(JettyWebServer.class, Duration.ZERO);
  }
}
