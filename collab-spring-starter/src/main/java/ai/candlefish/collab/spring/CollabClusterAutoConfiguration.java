package ai.candlefish.collab.spring;

import ai.candlefish.collab.redis.RedisClusterTransport;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spring.internal.ClusterLeases;
import ai.candlefish.collab.spring.internal.RedisUris;
import java.util.UUID;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Makes the application's {@code CollabServer} a node of a cluster when {@code candlefish.collab.cluster.enabled=true}
 * ({@link CollabProperties.Cluster}): updates and presence go to the other nodes through Redis ({@code collab-redis}'s
 * {@link RedisClusterTransport}, on the Redis of Boot's {@code spring.data.redis.*} properties), and each document's
 * once-only work is done by the holder of its lease, kept in the application's database ({@code JdbcDocumentLeases}
 * beside the {@code JdbcDocumentStore}). Every node must use the same database and the same Redis.
 *
 * <p>The application does not start when the cluster is asked for without a {@code JdbcDocumentStore} (collab-jdbc
 * and a {@code DataSource}), or when Redis cannot be reached at start; later Redis outages are survived. Each bean
 * backs off when the application defines its own.
 */
@AutoConfiguration(after = CollabAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "candlefish.collab.cluster.enabled")
public class CollabClusterAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(CollabClusterAutoConfiguration.class);
  private static final String TRANSPORT = "ai.candlefish.collab.redis.RedisClusterTransport";
  private static final String LETTUCE = "io.lettuce.core.RedisClient";
  // The nested classes repeat every condition: an application that scans this package (a @SpringBootApplication
  // in ai.candlefish.collab.spring, as the starter's own tests) finds them without this class.
  private static final String SERVER_ENABLED = "candlefish.collab.enabled";
  private static final String CLUSTER_ENABLED = "candlefish.collab.cluster.enabled";
  /** The name of the bean of the event loops that the server and the cluster's Redis connections share. */
  static final String EVENT_LOOPS = "collabClusterEventLoops";

  /** Asked for, but without collab-redis: two instances would silently diverge, so the application does not start. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass(TRANSPORT)
  @ConditionalOnBooleanProperty(name = SERVER_ENABLED, matchIfMissing = true)
  @ConditionalOnBooleanProperty(name = CLUSTER_ENABLED)
  static class MissingRedis {
    MissingRedis() {
      throw new IllegalStateException("candlefish.collab.cluster.enabled=true needs collab-redis (with Lettuce) on"
          + " the class path: add the dependency ai.candlefish.collab:collab-redis, or set"
          + " candlefish.collab.cluster.enabled=false for a single instance");
    }
  }

  /** The cluster's beans; only loaded with collab-redis on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {TRANSPORT, LETTUCE})
  @ConditionalOnBooleanProperty(name = SERVER_ENABLED, matchIfMissing = true)
  @ConditionalOnBooleanProperty(name = CLUSTER_ENABLED)
  static class Redis {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DocumentLeases collabDocumentLeases(CollabProperties properties, DocumentStore store) {
      String configured = properties.cluster().nodeId();
      String nodeId = StringUtils.hasText(configured) ? configured.trim() : UUID.randomUUID().toString();
      return ClusterLeases.create(store, nodeId, properties.cluster().leaseTtl());
    }

    /**
     * The event loops of both the server and the transport: the other nodes' copies and the replies to publishes are
     * read by the threads that serve the clients, instead of waking Lettuce's own for every update. Shut down after
     * the server and the transport, which depend on them.
     */
    @Bean(name = EVENT_LOOPS, destroyMethod = "shutdownGracefully")
    @ConditionalOnMissingBean(name = EVENT_LOOPS)
    EventLoopGroup collabClusterEventLoops() {
      return CollabServer.newEventLoops(0);
    }

    /** On the Redis of {@code spring.data.redis.*}, under the leases' node id, on {@link #EVENT_LOOPS}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisClusterTransport collabClusterTransport(CollabProperties properties, Environment env,
        DocumentLeases leases, @Qualifier(EVENT_LOOPS) EventLoopGroup loops) {
      CollabProperties.Cluster cluster = properties.cluster();
      String nodeId = leases.nodeId();
      String uri = RedisUris.fromSpringProperties(env);
      log.info("candlefish.collab.cluster: node {} joins the cluster on {} (key prefix '{}')", nodeId,
          RedisUris.redacted(uri), cluster.keyPrefix());
      return RedisClusterTransport.newBuilder(uri)
          .nodeId(nodeId)
          .keyPrefix(cluster.keyPrefix())
          .streamMaxLength(cluster.streamMaxLength())
          .streamTtl(cluster.streamTtl())
          .heartbeat(cluster.heartbeatInterval(), cluster.nodeTimeout())
          .awarenessInterval(cluster.awarenessInterval())
          .maxEntryBytes(Math.toIntExact(cluster.maxEntrySize().toBytes()))
          .eventLoops(loops)
          .build();
    }

    @Bean
    @Order(0)
    CollabServerBuilderCustomizer collabCluster(RedisClusterTransport collabClusterTransport,
        DocumentLeases collabDocumentLeases, @Qualifier(EVENT_LOOPS) EventLoopGroup loops) {
      return builder -> builder.cluster(collabClusterTransport, collabDocumentLeases).eventLoops(loops);
    }

    /**
     * {@code /actuator/health/collabCluster} ({@link CollabClusterHealthIndicator}). Off with
     * {@code management.health.collab-cluster.enabled=false}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator", TRANSPORT, LETTUCE})
    @ConditionalOnEnabledHealthIndicator("collab-cluster")
    @ConditionalOnBooleanProperty(name = SERVER_ENABLED, matchIfMissing = true)
    @ConditionalOnBooleanProperty(name = CLUSTER_ENABLED)
    static class Health {
      @Bean
      @ConditionalOnMissingBean(name = "collabClusterHealthIndicator")
      HealthIndicator collabClusterHealthIndicator(RedisClusterTransport transport, DocumentLeases leases) {
        return new CollabClusterHealthIndicator(transport, leases);
      }
    }
  }
}
