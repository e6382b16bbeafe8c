package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportBackpressure} on Spring WebSocket on Tomcat, which suspends the socket's reads. */
@SpringBootTest(classes = TransportBackpressure.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=servlet", "spring.main.web-application-type=servlet", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportBackpressure.RATE, TransportBackpressure.BURST,
    TransportBackpressure.MESSAGE, TransportBackpressure.BUFFER})
class ServletTransportBackpressureTest extends TransportBackpressure {}
