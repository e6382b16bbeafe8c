package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.internal.CollabReactiveHandler;
import ai.candlefish.collab.spring.internal.CollabWebSocketHandler;
import ai.candlefish.collab.spring.internal.InvalidCollabPropertyException;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistration;
import org.springframework.web.socket.server.HandshakeHandler;

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
 *   <li>{@code reactive}: the application's own port under WebFlux on Reactor Netty, at {@code candlefish.collab.path}
 *       and below; needs a reactive web application ({@code spring-boot-starter-webflux}) and a path.
 * </ul>
 *
 * <p>The protocols, the Origin allow-list, authentication, limits and close codes are the same either way (see
 * {@link ai.candlefish.collab.server.CollabBridge}).
 */
@AutoConfiguration(after = CollabAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "candlefish.collab.enabled", matchIfMissing = true)
public class CollabTransportAutoConfiguration {
  static final String PROPERTY = "candlefish.collab.transport";

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
    return onTheApplicationsPort(properties);
  }

  /** {@code candlefish.collab.transport=reactive}: no port of its own, checked against what the application has. */
  @Bean
  @ConditionalOnProperty(name = PROPERTY, havingValue = "reactive")
  CollabServerBuilderCustomizer collabReactiveTransport(ApplicationContext context, CollabProperties properties) {
    ClassLoader loader = CollabTransportAutoConfiguration.class.getClassLoader();
    if (!ClassUtils.isPresent("org.springframework.web.reactive.socket.server.upgrade"
            + ".ReactorNettyRequestUpgradeStrategy", loader)
        || !ClassUtils.isPresent("reactor.netty.http.server.HttpServer", loader)
        || !(context instanceof ReactiveWebApplicationContext)) {
      throw new InvalidCollabPropertyException(PROPERTY, "reactive", "this is not a reactive web application on "
          + "Reactor Netty", "Add spring-boot-starter-webflux (with its default server, Reactor Netty), or remove "
          + PROPERTY, null);
    }
    return onTheApplicationsPort(properties);
  }

  /** The server opens no port: the host's web server serves {@code candlefish.collab.path}, which must be set. */
  static CollabServerBuilderCustomizer onTheApplicationsPort(CollabProperties properties) {
    if (properties.path().strip().replace("/", "").isEmpty()) {
      throw new InvalidCollabPropertyException("candlefish.collab.path", properties.path(), "the "
          + properties.transport().name().toLowerCase(Locale.ROOT) + " transport needs a path of its own (on the "
          + "application's port the root serves its pages)", "Set candlefish.collab.path, e.g. /collab", null);
    }
    if (properties.trustedProxies() != null && !properties.trustedProxies().isEmpty()) {
      throw new InvalidCollabPropertyException("candlefish.collab.trusted-proxies", properties.trustedProxies(),
          "on the application's port its web server names the client", "Remove candlefish.collab.trusted-proxies"
          + " and set server.forward-headers-strategy (native or framework) instead", null);
    }
    return builder -> builder.ownPort(false);
  }

  /** The path the host's web server serves the socket at: {@code /collab} for {@code collab/}. */
  static String hostPath(CollabProperties properties) {
    return "/" + properties.path().strip().replaceAll("^/+|/+$", "");
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
      String path = hostPath(properties);
      CollabWebSocketHandler handler = new CollabWebSocketHandler(server,
          Math.toIntExact(properties.limits().maxMessageSize().toBytes()), properties.limits().idleTimeout());
      // The server checks origins itself (the allow-list, or the application's own pages), as on its own port.
      HandshakeHandler handshakes = CollabWebSocketHandler.handshakeHandler();
      return registry -> {
        WebSocketHandlerRegistration registration = registry.addHandler(handler, path, path + "/**")
            .addInterceptors(handler)
            .setAllowedOriginPatterns("*");
        if (handshakes != null) {
          registration.setHandshakeHandler(handshakes); // Tomcat: no permessage-deflate
        }
      };
    }
  }

  /** Serves the collaboration socket through WebFlux, ahead of the application's own mappings. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = PROPERTY, havingValue = "reactive")
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = {"org.springframework.web.reactive.socket.server.upgrade"
      + ".ReactorNettyRequestUpgradeStrategy", "reactor.netty.http.server.HttpServer"})
  static class Reactive {
    @Bean
    HandlerMapping collabHandlerMapping(CollabServer server, CollabProperties properties) {
      String path = hostPath(properties);
      CollabReactiveHandler handler = new CollabReactiveHandler(server,
          Math.toIntExact(properties.limits().maxMessageSize().toBytes()));
      return new SimpleUrlHandlerMapping(Map.of(path, handler, path + "/**", handler), Ordered.HIGHEST_PRECEDENCE);
    }
  }
}
