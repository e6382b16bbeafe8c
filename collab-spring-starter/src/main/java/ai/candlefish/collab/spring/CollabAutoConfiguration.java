package ai.candlefish.collab.spring;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spring.internal.CollabServerLifecycle;
import ai.candlefish.collab.spring.internal.JwtAuthenticators;
import ai.candlefish.collab.spring.internal.ServerSettings;
import ai.candlefish.collab.spring.internal.InvalidCollabPropertyException;
import ai.candlefish.collab.spring.internal.SslBundleContexts;
import ai.candlefish.collab.spring.internal.StartupSummary;
import ai.candlefish.collab.spring.internal.StorageSelection;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Starts a {@link CollabServer} with the application: its settings from {@link CollabProperties}
 * ({@code candlefish.collab.*}), its {@link DocumentStore}, {@link Authenticator} and {@link CollabHooks} from the
 * application's beans, started and stopped (drained: every document stored) with the application context.
 *
 * <p>Every bean here backs off when the application defines its own. Without an {@code Authenticator} bean, the
 * application's Spring Security {@code JwtDecoder} checks tokens ({@link CollabProperties.Security}); without a
 * decoder, development mode must be chosen explicitly, or the application does not start.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration",
    "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "candlefish.collab.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CollabProperties.class)
public class CollabAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(CollabAutoConfiguration.class);
  private static final String JWT_DECODER = "org.springframework.security.oauth2.jwt.JwtDecoder";

  @Bean
  @ConditionalOnMissingBean
  DocumentStore collabDocumentStore(CollabProperties properties, ApplicationContext context) {
    DocumentStore jdbc = StorageSelection.jdbcStore(properties.storage(), context);
    if (jdbc != null) {
      return jdbc;
    }
    if (properties.storage().type() != CollabProperties.StorageType.MEMORY) {
      log.warn("candlefish.collab: documents are kept in memory only and are lost when the application stops "
          + "(add collab-jdbc and a DataSource, or set candlefish.collab.storage.type=memory to silence this)");
    }
    return new InMemoryDocumentStore();
  }

  @Bean
  @ConditionalOnMissingBean
  Authenticator collabAuthenticator(CollabProperties properties, ApplicationContext context) {
    CollabProperties.Security security = properties.security();
    if (security.mode() == CollabProperties.SecurityMode.DEVELOPMENT) {
      log.warn("candlefish.collab.security.mode=development: every client may read and write every document of "
          + "tenant '{}' without a token. Never use this in production.", security.developmentTenant());
      return Authenticator.insecureAllowAll(security.developmentTenant());
    }
    Authenticator jwt = ClassUtils.isPresent(JWT_DECODER, getClass().getClassLoader())
        ? JwtAuthenticators.fromContext(context, security) : null;
    if (jwt == null) {
      throw new InvalidCollabPropertyException("candlefish.collab.security.mode", "jwt",
          "no way to authenticate clients: there is no JwtDecoder bean to check their JWTs, and no Authenticator "
              + "bean", "Either let Spring Security decode JWTs (spring-boot-starter-oauth2-resource-server with "
              + "spring.security.oauth2.resourceserver.jwt.*, or a JwtDecoder bean), define an Authenticator bean, "
              + "or, for development only, set candlefish.collab.security.mode=development", null);
    }
    return jwt;
  }

  @Bean
  @ConditionalOnMissingBean
  CollabServer collabServer(CollabProperties properties, DocumentStore store, Authenticator authenticator,
      ObjectProvider<CollabHooks> hooks, ObjectProvider<CollabServerBuilderCustomizer> customizers,
      ObjectProvider<SslBundles> sslBundles, ApplicationContext context) {
    SslContext tlsFromBundle = properties.ssl().enabled()
        ? SslBundleContexts.serverContext(properties.ssl().bundle(), sslBundles.getIfAvailable()) : null;
    CollabServer.Builder builder = ServerSettings.apply(properties, CollabServer.newBuilder(), tlsFromBundle,
            shutdownTimeout(context.getEnvironment()))
        .documentStore(store)
        .authenticator(authenticator)
        // The beans themselves, not one object that implements every hook: a document hands a hook call to the
        // hooks' pool only if a bean implements that hook (none: the documents never leave their event loops).
        .hooks(hooks.orderedStream().toList());
    if ((properties.allowedOrigins() == null || properties.allowedOrigins().isEmpty())
        && isWebApplication(context)) {
      // The application serves its pages itself: they may connect, other sites' pages may not. The port is read
      // at each upgrade (local.server.port is known only once the web server runs; server.port=0 picks one).
      Environment env = context.getEnvironment();
      builder.allowOwnPages(() -> env.getProperty("local.server.port", Integer.class,
          env.getProperty("server.port", Integer.class, 8080)));
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  /** Whether the context serves web pages (servlet or reactive), without a compile-time dependency on Spring Web. */
  private static boolean isWebApplication(ApplicationContext context) {
    ClassLoader loader = CollabAutoConfiguration.class.getClassLoader();
    for (String type : new String[] {"org.springframework.web.context.WebApplicationContext",
        "org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext"}) {
      if (ClassUtils.isPresent(type, loader) && ClassUtils.resolveClassName(type, loader).isInstance(context)) {
        return true;
      }
    }
    return false;
  }

  /** Boot's bound on each shutdown phase bounds the server's drain too (30 s, as Boot's default). */
  private static Duration shutdownTimeout(Environment env) {
    return Binder.get(env).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
        .orElse(Duration.ofSeconds(30));
  }

  @Bean
  @ConditionalOnMissingBean
  CollabServerLifecycle collabServerLifecycle(CollabServer server, CollabProperties properties,
      DocumentStore store, Authenticator authenticator, Environment env) {
    return new CollabServerLifecycle(server, properties.port(), shutdownTimeout(env),
        s -> StartupSummary.line(s, properties, store, authenticator));
  }

  /** Micrometer meters ({@code collab.*}) in the application's registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @Order(0)
    CollabServerBuilderCustomizer collabMetrics(ObjectProvider<MeterRegistry> registry) {
      return builder -> registry.ifAvailable(builder::meterRegistry);
    }
  }

  /**
   * Micrometer Observations ({@code collab.server.*}: authenticate, load, apply, store) through the application's
   * {@code ObservationRegistry}, spans when tracing is on; nothing without one.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ObservationRegistry.class)
  static class Observations {
    @Bean
    @Order(0)
    CollabServerBuilderCustomizer collabObservations(ObjectProvider<ObservationRegistry> registry) {
      return builder -> registry.ifAvailable(builder::observationRegistry);
    }
  }

  /**
   * {@code /actuator/health/collab}: up while the server runs, with its port, connections and documents. Off with
   * {@code management.health.collab.enabled=false}, as Boot's own indicators.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("collab")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "collabHealthIndicator")
    HealthIndicator collabHealthIndicator(CollabServer server) {
      return new CollabHealthIndicator(server);
    }
  }
}
