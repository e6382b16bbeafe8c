package ai.candlefish.collab.spring;

import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link TransportSlowReader} on Spring WebSocket on Jetty (a Surefire run of its own, without Tomcat on the class
 * path: see the pom).
 */
@SpringBootTest(classes = TransportSlowReader.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER})
@Tag("jetty")
class JettyTransportSlowReaderTest extends TransportSlowReader {}
