package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.redis.RedisClusterTransport;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CountDownLatch;

/**
 * One server node of benchmarks/run-cluster-load.sh, in its own JVM: a {@link CollabServer} on a
 * {@link JdbcDocumentStore} in PostgreSQL with, unless the Redis URI is {@code none}, a
 * {@link RedisClusterTransport} and {@link JdbcDocumentLeases} (cluster mode); every other setting at its default
 * but the connection limits (all clients come from one address), {@link Authenticator#insecureAllowAll(String)}. Arguments: port, JDBC URL (user postgres), Redis URI or
 * {@code none}, node id; {@code -Dload.compactAfterUpdates=N} sets the server's {@code compactAfterUpdates} (to see
 * what compaction costs a run: a large N keeps it out of the measured phase), {@code -Dload.documentThreads=N} its
 * document threads ({@code threads(0, N, 16)}; 0: documents on the event loops, the default since RESULTS.md's
 * "Cluster, round 15"; N > 0: a pool of N, as before it), {@code -Dload.hooks=change} an {@code onChange} hook as
 * Paintbox's totals have (it reads the document at each stored change: its state vector), so that a run measures
 * what a server with hooks pays (its documents on the event loops and the hook on the hooks' pool since "Cluster,
 * round 16"; with {@code load.documentThreads=N} on the pool, hooks and all, as before). Prints {@code LoadServer ready on <port> pid <pid>} once
 * listening; runs until killed
 * (SIGTERM closes the server, then the transport, the leases and the pool).
 * {@code -Dload.stallMillis=T}: {@link StallWatch}.
 */
public final class ClusterLoadServer {
  /** CollabServer's default blocking pool, kept when {@code load.documentThreads} sets the document threads. */
  private static final int BLOCKING_THREADS = 16;

  /** What the {@code load.hooks} hook reads, kept so that the read is not optimized away. */
  private static volatile long hookSink;

  private ClusterLoadServer() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4) {
      System.err.println("usage: ClusterLoadServer PORT JDBC_URL REDIS_URI|none NODE_ID");
      System.exit(2);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setUsername("postgres");
    config.setMaximumPoolSize(8);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
    CollabServer.Builder builder = CollabServer.newBuilder().host("127.0.0.1").port(Integer.parseInt(args[0]))
        .documentStore(store).authenticator(Authenticator.insecureAllowAll("load"))
        // Every client of the load generator comes from 127.0.0.1: the default 256 per address would refuse most.
        .connectionLimits(20_000, 20_000);
    Integer compactAfter = Integer.getInteger("load.compactAfterUpdates");
    if (compactAfter != null) {
      builder.compactAfterUpdates(compactAfter);
    }
    Integer documentThreads = Integer.getInteger("load.documentThreads");
    if (documentThreads != null) {
      builder.threads(0, documentThreads, BLOCKING_THREADS);
    }
    if ("change".equals(System.getProperty("load.hooks"))) {
      builder.hooks(new CollabHooks() {
        @Override
        public void onChange(DocumentKey key, Doc doc) {
          hookSink += doc.encodeStateVector().length;
        }
      });
    }
    // The server's event loops carry the transport's Redis connections too, as the starter's nodes do;
    // -Dload.sharedLoops=false leaves Lettuce its own I/O threads (RESULTS.md "Cluster, round 21").
    EventLoopGroup loops = !args[2].equals("none")
        && Boolean.parseBoolean(System.getProperty("load.sharedLoops", "true")) ? CollabServer.newEventLoops(0) : null;
    if (loops != null) {
      builder.eventLoops(loops);
    }
    RedisClusterTransport transport = null;
    JdbcDocumentLeases leases = null;
    if (!args[2].equals("none")) {
      RedisClusterTransport.Builder cluster = RedisClusterTransport.newBuilder(args[2]).nodeId(args[3]);
      transport = (loops == null ? cluster : cluster.eventLoops(loops)).build();
      leases = JdbcDocumentLeases.newBuilder(store).nodeId(args[3]).build();
      builder.cluster(transport, leases);
    }
    CollabServer server = builder.build().start();
    StallWatch.startFromProperty();
    RedisClusterTransport closeTransport = transport;
    JdbcDocumentLeases closeLeases = leases;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      if (closeTransport != null) {
        closeTransport.close();
      }
      if (closeLeases != null) {
        closeLeases.close(); // before the pool: its heartbeat would renew through a closed pool and log the failure
      }
      if (loops != null) {
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
      }
      dataSource.close();
      stopped.countDown();
    }, "cluster-load-server-shutdown"));
    System.out.println("LoadServer ready on " + server.port() + " pid " + ProcessHandle.current().pid()
        + (closeTransport == null ? " (standalone)" : " (node " + args[3] + ")"));
    stopped.await();
  }
}
