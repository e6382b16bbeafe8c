package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportBackpressure} on WebFlux on Reactor Netty, which reads the socket on demand. */
@SpringBootTest(classes = TransportBackpressure.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=reactive", "spring.main.web-application-type=reactive", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportBackpressure.RATE, TransportBackpressure.BURST,
    TransportBackpressure.MESSAGE, TransportBackpressure.BUFFER})
class ReactiveTransportBackpressureTest extends TransportBackpressure {}
