package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.internal.CollabWebSocketHandler;
import ai.candlefish.collab.spring.internal.InvalidCollabPropertyException;
import java.util.Locale;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;

/**
 * Where the collaboration socket is served, by {@code candlefish.collab.transport}:
 *
 * <ul>
 *   <li>{@code embedded} (default): the server's own Netty port, {@code candlefish.collab.port};
 *   <li>{@code servlet}: the application's own port, through Spring WebSocket on its servlet container (Tomcat,
 *       Jetty), at {@code candlefish.collab.path} and below (y-websocket puts the document name in the path); the
 *       server opens no port of its own. One port, one TLS setup, one load balancer for the pages and the socket.
 *       Needs a servlet web application with {@code spring-boot-starter-websocket}, and a path (the root serves the
 *       pages).
 * </ul>
 *
 * <p>The protocols, the Origin allow-list, authentication, limits and close codes are the same either way (see
 * {@link ai.candlefish.collab.server.CollabBridge}).
 */
@AutoConfiguration(after = CollabAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "candlefish.collab.enabled", matchIfMissing = true)
public class CollabTransportAutoConfiguration {
  static final String PROPERTY = "candlefish.collab.transport";

  CollabTransportAutoConfiguration(Environment env) {
    String transport = env.getProperty(PROPERTY, "embedded").strip().toLowerCase(Locale.ROOT);
    if (!transport.equals("embedded") && !transport.equals("servlet")) {
      throw new InvalidCollabPropertyException(PROPERTY, env.getProperty(PROPERTY), "not a transport",
          "Set it to embedded (the server's own port, the default) or servlet (the application's own port)", null);
    }
  }

  /** {@code candlefish.collab.transport=servlet}: no port of its own, checked against what the application has. */
  @Bean
  @ConditionalOnProperty(name = PROPERTY, havingValue = "servlet")
  CollabServerBuilderCustomizer collabServletTransport(ApplicationContext context, CollabProperties properties) {
    ClassLoader loader = CollabTransportAutoConfiguration.class.getClassLoader();
    if (!ClassUtils.isPresent("org.springframework.web.socket.config.annotation.WebSocketConfigurer", loader)
        || !ClassUtils.isPresent("org.springframework.web.context.WebApplicationContext", loader)
        || !ClassUtils.resolveClassName("org.springframework.web.context.WebApplicationContext", loader)
            .isInstance(context)) {
      throw new InvalidCollabPropertyException(PROPERTY, "servlet", "this is not a servlet web application with "
          + "Spring WebSocket", "Add spring-boot-starter-webmvc and spring-boot-starter-websocket, or remove "
          + PROPERTY, null);
    }
    if (properties.path() == null || properties.path().strip().replace("/", "").isEmpty()) {
      throw new InvalidCollabPropertyException("candlefish.collab.path", properties.path(), "the servlet "
          + "transport needs a path of its own (on the application's port the root serves its pages)",
          "Set candlefish.collab.path, e.g. /collab", null);
    }
    return builder -> builder.ownPort(false);
  }

  /** Registers the collaboration socket with Spring WebSocket. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = PROPERTY, havingValue = "servlet")
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(WebSocketConfigurer.class)
  @EnableWebSocket
  static class Servlet {
    @Bean
    WebSocketConfigurer collabWebSocketConfigurer(CollabServer server, CollabProperties properties) {
      String path = "/" + properties.path().strip().replaceAll("^/+|/+$", "");
      CollabWebSocketHandler handler = new CollabWebSocketHandler(server);
      // The server checks origins itself (the allow-list, or the application's own pages), as on its own port.
      return registry -> registry.addHandler(handler, path, path + "/**")
          .addInterceptors(handler)
          .setAllowedOriginPatterns("*");
    }
  }
}
