package ai.candlefish.collab.redis;

import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentLeases;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Cluster nodes in the test's own JVM on one real PostgreSQL and one real redis-server, for tests that need no
 * process to kill (those use {@link ClusterNode}). Each node has its own pool, store, leases and Redis link, as a
 * process of its own would have. Closing the cluster closes everything it made, the last made first.
 *
 * <p>Not thread-safe: the test thread builds it.
 */
final class InProcessCluster implements AutoCloseable {
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final EmbeddedPostgres pg;
  private final RedisServerProcess redis;

  private InProcessCluster(EmbeddedPostgres pg, RedisServerProcess redis) {
    this.pg = closing(pg);
    this.redis = closing(redis);
  }

  /** Starts PostgreSQL and redis-server. */
  static InProcessCluster start() throws IOException {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
    try {
      return new InProcessCluster(pg, RedisServerProcess.start());
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /**
   * Starts node {@code id}: a server on a free port of 127.0.0.1 that lets anyone of tenant "acme" in (unless
   * {@code settings} say otherwise), with the cluster's store and leases of {@code leaseTtl} (null: the default).
   */
  CollabServer server(String id, Duration leaseTtl, UnaryOperator<CollabServer.Builder> settings) {
    return server(id, leaseTtl, UnaryOperator.identity(), settings);
  }

  /**
   * {@link #server(String, Duration, UnaryOperator)} whose server sees the leases through {@code leases} (a wrapper
   * that a test watches or holds up).
   */
  CollabServer server(String id, Duration leaseTtl, UnaryOperator<DocumentLeases> leases,
      UnaryOperator<CollabServer.Builder> settings) {
    JdbcDocumentStore store = store();
    DocumentLeases seen = leases.apply(leases(store, id, leaseTtl));
    RedisClusterTransport transport = closing(RedisClusterTransport.newBuilder(redis.uri()).nodeId(id).build());
    CollabServer.Builder builder = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("acme")).cluster(transport, seen);
    return closing(settings.apply(builder).build().start());
  }

  /** {@link #server(String, Duration, UnaryOperator)} with the default lease TTL. */
  CollabServer server(String id, UnaryOperator<CollabServer.Builder> settings) {
    return server(id, null, settings);
  }

  /** Node {@code id}'s leases (with a store of its own), without a server: what another node would ask. */
  JdbcDocumentLeases leases(String id, Duration ttl) {
    return leases(store(), id, ttl);
  }

  private JdbcDocumentStore store() {
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg.getPostgresDatabase());
    HikariDataSource dataSource = closing(new HikariDataSource(config));
    return closing(JdbcDocumentStore.newBuilder(dataSource).build());
  }

  private JdbcDocumentLeases leases(JdbcDocumentStore store, String id, Duration ttl) {
    JdbcDocumentLeases.Builder leases = JdbcDocumentLeases.newBuilder(store).nodeId(id);
    return closing((ttl == null ? leases : leases.ttl(ttl)).build());
  }

  /** Closes {@code closeable} with the cluster. */
  <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  @Override
  public void close() {
    IllegalStateException failure = null;
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        if (failure == null) {
          failure = new IllegalStateException("closing the cluster failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
