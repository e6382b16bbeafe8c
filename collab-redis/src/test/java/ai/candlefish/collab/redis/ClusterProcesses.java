package ai.candlefish.collab.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of server nodes in JVMs of their own ({@link ClusterNode}) share: one real PostgreSQL 17 and one
 * real redis-server per test class, the nodes a test started (destroyed after it, after the test's own clean-up), and
 * Redis and PostgreSQL up again after a test that killed them.
 */
abstract class ClusterProcesses {
  static PostgresProcess pg;
  static String jdbcUrl;
  static RedisServerProcess redis;

  final List<ClusterNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startDatabaseAndRedis() throws IOException {
    pg = PostgresProcess.start();
    jdbcUrl = pg.jdbcUrl();
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopDatabaseAndRedis() throws IOException {
    redis.close();
    pg.close();
  }

  @AfterEach
  void destroyNodes() throws Exception {
    for (ClusterNode n : nodes) {
      n.destroy();
    }
    if (!redis.isAlive()) {
      redis.restart();
    }
    if (!pg.isAlive()) {
      pg.restart();
    }
  }

  /** Starts node {@code id} on this class's database and Redis. */
  ClusterNode node(String id, int leaseTtlMillis) throws Exception {
    return node(id, redis.uri(), leaseTtlMillis);
  }

  /** Starts node {@code id} on this class's database and the Redis at {@code redisUri}. */
  ClusterNode node(String id, String redisUri, int leaseTtlMillis) throws Exception {
    return node(id, redisUri, leaseTtlMillis, 1500);
  }

  /** ... which takes another node for gone when it has not heard from it for {@code nodeTimeoutMillis}. */
  ClusterNode node(String id, String redisUri, int leaseTtlMillis, int nodeTimeoutMillis) throws Exception {
    return node(id, redisUri, leaseTtlMillis, nodeTimeoutMillis, List.of());
  }

  /** ... in a JVM with {@code jvmOptions} besides the usual ones ({@link ClusterNodeMain}'s settings). */
  ClusterNode node(String id, String redisUri, int leaseTtlMillis, int nodeTimeoutMillis, List<String> jvmOptions)
      throws Exception {
    ClusterNode n = new ClusterNode(jdbcUrl, redisUri, id, leaseTtlMillis, nodeTimeoutMillis, jvmOptions);
    nodes.add(n);
    return n;
  }
}
