package ai.candlefish.collab.redis;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/**
 * One node of the cluster that {@link ClusterTest} runs, each in its own JVM, and kills, pauses and resumes: a
 * {@link CollabServer} on a {@link JdbcDocumentStore} in PostgreSQL, with a {@link RedisClusterTransport} and
 * {@link JdbcDocumentLeases}. Arguments: JDBC URL, Redis URI, port, node id, lease TTL in milliseconds. Prints
 * "ready" once it listens.
 */
public final class ClusterNodeMain {
  private ClusterNodeMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[0]);
    config.setUsername("postgres");
    config.setMaximumPoolSize(8);
    config.setConnectionTimeout(2000); // while the database is down (a fault test), each store attempt fails fast
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
    String nodeId = args[3];
    JdbcDocumentLeases leases = JdbcDocumentLeases.newBuilder(store).nodeId(nodeId)
        .ttl(Duration.ofMillis(Long.parseLong(args[4]))).build();
    RedisClusterTransport transport = RedisClusterTransport.newBuilder(args[1]).nodeId(nodeId)
        .heartbeat(Duration.ofMillis(250), Duration.ofMillis(1500)).build();
    CollabServer.newBuilder().host("127.0.0.1").port(Integer.parseInt(args[2])).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("cluster"))
        .cluster(transport, leases)
        // Node "a", the one the fault tests kill and pause, runs its documents on its event loops, as a node without
        // hooks does by default; the others on a pool of their own, as a node with hooks does: every fault test has
        // a node of each kind. The hook only prints.
        .threads(0, nodeId.equals("a") ? 0 : Runtime.getRuntime().availableProcessors(), 16)
        .hooks(new CollabHooks() {
          @Override
          public void onChange(DocumentKey key, Doc doc) {
            System.err.println("once-only work for " + key); // the test reads the node's log
          }
        })
        .storeDebounce(Duration.ofMillis(50)).storeMaxWait(Duration.ofMillis(200)).storeRetryMax(Duration.ofSeconds(1))
        .compactAfterUpdates(40)
        .build().start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
