package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportSlowReader} on Spring WebSocket on Tomcat. */
@SpringBootTest(classes = TransportSlowReader.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER})
class ServletTransportSlowReaderTest extends TransportSlowReader {}
