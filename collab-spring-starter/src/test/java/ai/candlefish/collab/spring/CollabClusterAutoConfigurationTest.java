package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.redis.RedisClusterTransport;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentLeases;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link CollabClusterAutoConfiguration} with a real redis-server and one H2 database shared by two application
 * contexts: two nodes that relay each other's updates, named as configured, with health that follows Redis.
 */
class CollabClusterAutoConfigurationTest {
  private static RedisServer redis;

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class, CollabClusterAutoConfiguration.class))
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
          "candlefish.collab.security.mode=development");

  @BeforeAll
  static void startRedis() throws Exception {
    redis = new RedisServer();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  private ApplicationContextRunner node(String nodeId, DataSource db) {
    return runner.withBean(DataSource.class, () -> db).withPropertyValues(
        "candlefish.collab.cluster.enabled=true", "candlefish.collab.cluster.node-id=" + nodeId,
        "candlefish.collab.cluster.heartbeat-interval=200ms", "candlefish.collab.cluster.node-timeout=2s",
        "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port);
  }

  private DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
    return ds;
  }

  private static String notes(ClientDocument d) {
    synchronized (d.doc()) {
      return d.doc().getText("notes").toString();
    }
  }

  @Test
  void twoContextsOnOneDatabaseAndOneRedis_relayEachOthersUpdates_andShowEachOtherInHealth() {
    DataSource db = h2();
    node("node-a", db).run(a -> node("node-b", db).run(b -> {
      assertThat(a).hasNotFailed();
      assertThat(b).hasNotFailed();
      assertThat(a.getBean(RedisClusterTransport.class).nodeId()).isEqualTo("node-a");
      assertThat(a.getBean(DocumentLeases.class)).isInstanceOf(JdbcDocumentLeases.class);
      assertThat(a.getBean(DocumentLeases.class).nodeId()).isEqualTo("node-a");
      try (CollabClient ca = client(a.getBean(CollabServer.class));
          CollabClient cb = client(b.getBean(CollabServer.class))) {
        ClientDocument da = ca.open("estimate-1").get(30, TimeUnit.SECONDS);
        ClientDocument db2 = cb.open("estimate-1").get(30, TimeUnit.SECONDS);
        da.edit(t -> t.doc().getText("notes").insert(0, "from a. ")).get(30, TimeUnit.SECONDS);
        db2.edit(t -> t.doc().getText("notes").insert(0, "from b. ")).get(30, TimeUnit.SECONDS);
        await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
          assertThat(notes(da)).contains("from a.", "from b.");
          assertThat(notes(db2)).isEqualTo(notes(da));
        });
      }
      HealthIndicator health = a.getBean("collabClusterHealthIndicator", HealthIndicator.class);
      await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.UP);
        assertThat(h.getDetails()).containsEntry("nodeId", "node-a").containsEntry("redis", "up")
            .containsEntry("leases", "reachable");
        assertThat(String.valueOf(h.getDetails().get("nodes"))).contains("node-a", "node-b");
      });
    }));
  }

  /**
   * The server and the cluster's Redis connections run on one set of event loops (Lettuce starts no I/O threads of
   * its own), which outlive both and end with the context.
   */
  @Test
  void clusterNode_sharesItsEventLoopsWithItsRedisConnections_andEndsThemWithTheContext() {
    Set<String> before = lettuceIoThreads();
    AtomicReference<EventLoopGroup> loops = new AtomicReference<>();
    node("node-l", h2()).run(context -> {
      assertThat(context).hasNotFailed();
      loops.set(context.getBean(CollabClusterAutoConfiguration.EVENT_LOOPS, EventLoopGroup.class));
      try (CollabClient c = client(context.getBean(CollabServer.class))) {
        ClientDocument d = c.open("estimate-l").get(30, TimeUnit.SECONDS);
        d.edit(t -> t.doc().getText("notes").insert(0, "stored and published")).get(30, TimeUnit.SECONDS);
      }
      assertThat(context.getBean(RedisClusterTransport.class).isConnected()).isTrue();
      assertThat(lettuceIoThreads()).isSubsetOf(before);
    });
    await().atMost(30, TimeUnit.SECONDS).until(() -> loops.get().isTerminated());
  }

  /** Lettuce names the I/O threads of its own event loops lettuce-epollEventLoop-..., lettuce-nioEventLoop-... */
  private static Set<String> lettuceIoThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("lettuce-") && n.contains("EventLoop")).collect(Collectors.toSet());
  }

  @Test
  void redisKilled_isDownInHealth_andUpAgainOnceItIsBack() {
    node("node-h", h2()).run(context -> {
      assertThat(context).hasNotFailed();
      HealthIndicator health = context.getBean("collabClusterHealthIndicator", HealthIndicator.class);
      await().atMost(60, TimeUnit.SECONDS).until(() -> health.health().getStatus().equals(Status.UP));
      redis.kill();
      try {
        await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
          Health h = health.health();
          assertThat(h.getStatus()).isEqualTo(Status.DOWN);
          assertThat((String) h.getDetails().get("redis")).startsWith("down");
          assertThat(h.getDetails()).containsEntry("leases", "reachable");
        });
        assertThat(context.getBean(CollabServer.class).isRunning()).as("serving its own clients").isTrue();
      } finally {
        redis.start();
      }
      await().atMost(90, TimeUnit.SECONDS).until(() -> health.health().getStatus().equals(Status.UP));
    });
  }

  @Test
  void clusterWithoutADatabaseStore_doesNotStart_andSaysWhatIsMissing() {
    runner.withPropertyValues("candlefish.collab.cluster.enabled=true", "spring.data.redis.port=" + redis.port)
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("candlefish.collab.cluster.enabled=true needs the documents in the database")
            .hasMessageContaining("add collab-jdbc and a DataSource")
            .hasMessageContaining("InMemoryDocumentStore"));
  }

  @Test
  void clusterWithoutCollabRedis_doesNotStart_andSaysWhichDependencyToAdd() {
    node("node-x", h2()).withClassLoader(new FilteredClassLoader(RedisClusterTransport.class))
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("needs collab-redis").hasMessageContaining("ai.candlefish.collab:collab-redis"));
  }

  @Test
  void maxEntrySize_sendsALargerUpdateAsAReloadEntry() {
    node("node-m", h2()).withPropertyValues("candlefish.collab.cluster.key-prefix=mes:",
        "candlefish.collab.cluster.max-entry-size=1KB").run(context -> {
          assertThat(context).hasNotFailed();
          RedisClient redisClient = RedisClient.create("redis://127.0.0.1:" + redis.port);
          try (CollabClient c = client(context.getBean(CollabServer.class));
              StatefulRedisConnection<String, String> connection = redisClient.connect()) {
            ClientDocument d = c.open("estimate-9").get(30, TimeUnit.SECONDS);
            d.edit(t -> t.doc().getText("notes").insert(0, "x".repeat(4000))).get(30, TimeUnit.SECONDS);
            d.edit(t -> t.doc().getText("notes").insert(0, "small")).get(30, TimeUnit.SECONDS);
            String stream = "mes:s:3:dev/estimate-9";
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> assertThat(connection.sync()
                .xrange(stream, Range.create("-", "+"))).hasSize(2));
            List<StreamMessage<String, String>> entries = connection.sync().xrange(stream, Range.create("-", "+"));
            assertThat(entries.get(0).getBody()).as("the 4 KB update: the others read it from the database")
                .containsEntry("t", "r").containsEntry("d", "");
            assertThat(entries.get(1).getBody()).as("the small one: copied").containsEntry("t", "u")
                .doesNotContainEntry("d", "");
          } finally {
            redisClient.shutdown();
          }
        });
    node("node-m", h2()).withPropertyValues("candlefish.collab.cluster.max-entry-size=100B")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("maxEntrySize"));
  }

  @Test
  void withoutTheProperty_thereIsNoCluster() {
    runner.withBean(DataSource.class, this::h2).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(RedisClusterTransport.class)
          .doesNotHaveBean(DocumentLeases.class);
      assertThat(context.getBean(CollabServer.class).isRunning()).isTrue();
    });
  }

  @Test
  void withoutAServer_thereIsNoCluster() {
    node("node-off", h2()).withPropertyValues("candlefish.collab.enabled=false").run(context -> assertThat(context)
        .hasNotFailed().doesNotHaveBean(RedisClusterTransport.class).doesNotHaveBean(CollabServer.class));
  }

  private static CollabClient client(CollabServer server) {
    CollabClient c = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token("x").build();
    c.connect().join();
    return c;
  }
}
