package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.internal.InvalidCollabPropertyException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code candlefish.collab.transport}: the embedded port by default; a bad value or a servlet transport the
 * application cannot carry stops it naming the property (the servlet transport itself runs on a real Tomcat in
 * {@link ServletTransportApplicationTest}).
 */
class CollabTransportAutoConfigurationTest {
  private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(CollabAutoConfiguration.class,
      CollabTransportAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
          "candlefish.collab.security.mode=development");

  private static InvalidCollabPropertyException failure(Throwable startupFailure) {
    for (Throwable t = startupFailure; t != null; t = t.getCause()) {
      if (t instanceof InvalidCollabPropertyException e) {
        return e;
      }
    }
    throw new AssertionError("not an InvalidCollabPropertyException", startupFailure);
  }

  @Test
  void byDefault_theServerHasItsOwnPort() {
    runner.run(context -> assertThat(context.getBean(CollabServer.class).port()).isPositive());
  }

  @Test
  void anUnknownTransport_isRefusedWhenBound() {
    runner.withPropertyValues("candlefish.collab.transport=websockets").run(context ->
        assertThat(bindFailure(context.getStartupFailure()).getName()).hasToString("candlefish.collab.transport"));
  }

  private static BindException bindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException e) {
        return e;
      }
    }
    throw new AssertionError("not a BindException", failure);
  }

  @Test
  void theServletTransport_withoutAServletWebApplication_isReportedByName() {
    runner.withPropertyValues("candlefish.collab.transport=servlet", "candlefish.collab.path=/collab").run(context ->
        assertThat(failure(context.getStartupFailure()).action()).contains("spring-boot-starter-websocket"));
  }

  @Test
  void theServletTransport_withoutAPath_namesThePath() {
    new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
        .withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.transport=servlet")
        .run(context -> assertThat(failure(context.getStartupFailure()).property())
            .isEqualTo("candlefish.collab.path"));
  }

  @Test
  void trustedProxies_onTheApplicationsPort_pointToItsForwardHeaders() {
    new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
        .withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.transport=servlet",
            "candlefish.collab.path=/collab", "candlefish.collab.trusted-proxies=127.0.0.1")
        .run(context -> {
          InvalidCollabPropertyException e = failure(context.getStartupFailure());
          assertThat(e.property()).isEqualTo("candlefish.collab.trusted-proxies");
          assertThat(e.action()).contains("server.forward-headers-strategy");
        });
  }
}
