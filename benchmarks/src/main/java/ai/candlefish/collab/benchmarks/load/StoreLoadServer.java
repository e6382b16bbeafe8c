package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.CountDownLatch;

/**
 * The server of {@code benchmarks/js/churn.mjs} (reconnect storm, connection churn, one slow reader): like {@link
 * LoadServer}, a {@link CollabServer} with {@link Authenticator#insecureAllowAll(String)} and room for every
 * loopback connection, but on a {@link JdbcDocumentStore} in an H2 file, so that a server killed with {@code kill -9}
 * and started again on the same file serves what it acknowledged. Arguments: port, the H2 file's path (without
 * {@code .mv.db}), optionally the outbound buffer limit in bytes. Prints {@code StoreLoadServer ready on <port>} once
 * listening; runs until killed (SIGTERM closes the server, the store and the pool).
 */
public final class StoreLoadServer {
  private StoreLoadServer() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: StoreLoadServer <port> <h2 file path> [outbound buffer limit]");
    }
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl("jdbc:h2:file:" + args[1] + ";MODE=PostgreSQL");
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
    CollabServer.Builder builder = CollabServer.newBuilder()
        .port(Integer.parseInt(args[0]))
        .documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("churn"))
        // Thousands of clients from 127.0.0.1: the default 256 per address would refuse most of them.
        .connectionLimits(100_000, 100_000);
    if (args.length > 2) {
      builder.outboundBufferLimit(Long.parseLong(args[2]));
    }
    CollabServer server = builder.build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
      dataSource.close();
      stopped.countDown();
    }, "store-load-server-shutdown"));
    System.out.println("StoreLoadServer ready on " + server.port() + " pid " + ProcessHandle.current().pid());
    stopped.await();
  }
}
