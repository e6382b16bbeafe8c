package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/**
 * The server that {@link KillNineTest} runs in its own JVM and kills: a {@link CollabServer} on a
 * {@link JdbcDocumentStore} in PostgreSQL. Arguments: the JDBC URL, the port. Prints "ready" once it listens.
 */
public final class CrashServerMain {
  private CrashServerMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[0]);
    config.setUsername("postgres");
    config.setMaximumPoolSize(8);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).compactAfter(50).build();
    CollabServer.newBuilder().host("127.0.0.1").port(Integer.parseInt(args[1])).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("crash"))
        .storeDebounce(Duration.ofMillis(100)).storeMaxWait(Duration.ofMillis(500))
        .compactAfterUpdates(40)
        .build().start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
