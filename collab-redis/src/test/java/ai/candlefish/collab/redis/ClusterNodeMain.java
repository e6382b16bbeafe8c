package ai.candlefish.collab.redis;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * One node of the cluster that {@link ClusterTest} runs, each in its own JVM, and kills, pauses and resumes: a
 * {@link CollabServer} on a {@link JdbcDocumentStore} in PostgreSQL, with a {@link RedisClusterTransport} and
 * {@link JdbcDocumentLeases}. Arguments: JDBC URL, Redis URI, port, node id, lease TTL and node timeout (how long
 * another node may go unheard) in milliseconds; {@code -Dcluster.maxUnstoredBytesPerDocument=<bytes>} bounds what a
 * document may hold waiting for the store ({@code CollabServer.Builder.maxUnstoredBytes}). Prints
 * "ready" once it listens. A token {@code name} or {@code name@millis} is principal {@code name} of tenant "cluster"
 * with write access (issued at {@code millis}, epoch milliseconds). Reads commands from its standard input: {@code
 * revoke <principal>} revokes the principal (tenant "cluster") and prints {@code revoked <connections>}.
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
    RedisClusterTransport.Builder cluster = RedisClusterTransport.newBuilder(args[1]).nodeId(nodeId)
        .heartbeat(Duration.ofMillis(250), Duration.ofMillis(Long.parseLong(args[5])));
    CollabServer.Builder builder = CollabServer.newBuilder();
    // Nodes "a" and "b" serve their clients and their Redis connections on the same event loops, as the starter's
    // nodes do; any other node leaves Lettuce its own I/O threads.
    if (nodeId.equals("a") || nodeId.equals("b")) {
      EventLoopGroup loops = CollabServer.newEventLoops(0);
      cluster.eventLoops(loops);
      builder.eventLoops(loops);
    }
    RedisClusterTransport transport = cluster.build();
    builder.host("127.0.0.1").port(Integer.parseInt(args[2]))
        .documentStore(store).authenticator(ClusterNodeMain::principal)
        .cluster(transport, leases)
        .hooks(new CollabHooks() {
          @Override
          public void onChange(DocumentKey key, Doc doc) {
            System.err.println("once-only work for " + key); // the test reads the node's log
          }
        })
        .storeDebounce(Duration.ofMillis(50)).storeMaxWait(Duration.ofMillis(200)).storeRetryMax(Duration.ofSeconds(1))
        .compactAfterUpdates(40);
    // Node "a", the one the fault tests kill and pause, runs as a node with hooks does by default: its documents on
    // its event loops, its hook on the hooks' pool while the document waits. "b" runs its documents, hooks and all,
    // on a pool of their own (as every node with hooks did before "Cluster, round 16" in RESULTS.md), any other node
    // calls its hooks on its event loops (threads(0, 0, 16)): every fault test has a node of two kinds.
    if (!nodeId.equals("a")) {
      builder.threads(0, nodeId.equals("b") ? Runtime.getRuntime().availableProcessors() : 0, 16);
    }
    long maxUnstored = Long.getLong("cluster.maxUnstoredBytesPerDocument", 0);
    if (maxUnstored > 0) {
      builder.maxUnstoredBytes(maxUnstored, 0);
    }
    CollabServer server;
    try {
      server = builder.build().start();
    } catch (RuntimeException e) {
      // Lettuce's and the store's threads would keep this JVM alive, and ClusterNode would wait for "ready" forever
      // (a port that another process took between ClusterNode's free-port probe and this bind hung ClusterTest).
      e.printStackTrace();
      System.exit(1);
      return;
    }
    System.out.println("ready");
    System.out.flush();
    BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = commands.readLine()) != null; ) {
      if (line.startsWith("revoke ")) {
        System.out.println("revoked " + server.revoke("cluster", line.substring(7)).join());
        System.out.flush();
      }
    }
    Thread.currentThread().join(); // until killed
  }

  private static Principal principal(String token, ConnectionInfo connection) {
    int at = token.indexOf('@');
    if (at < 0) {
      return Principal.of(token, "cluster", Permission.WRITE);
    }
    return Principal.of(token.substring(0, at), "cluster", Permission.WRITE)
        .issuedAt(Instant.ofEpochMilli(Long.parseLong(token.substring(at + 1))));
  }
}
