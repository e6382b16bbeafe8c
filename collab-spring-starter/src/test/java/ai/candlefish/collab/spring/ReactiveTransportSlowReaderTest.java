package ai.candlefish.collab.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransportSlowReader} on WebFlux on Reactor Netty. */
@SpringBootTest(classes = TransportSlowReader.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "candlefish.collab.transport=reactive", "spring.main.web-application-type=reactive", TransportBackpressure.PATH,
    TransportBackpressure.DEVELOPMENT, TransportHostileClients.BUFFER})
class ReactiveTransportSlowReaderTest extends TransportSlowReader {}
