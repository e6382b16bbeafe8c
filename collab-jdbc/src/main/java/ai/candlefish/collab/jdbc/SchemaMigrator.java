package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.spi.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the store's tables, or brings them up to {@link Tables#SCHEMA_VERSION}.
 *
 * <p>The version lives in one row of its own table. Starting twice does nothing the second time. Two instances
 * starting at once are safe: creating the version table is retried (PostgreSQL can fail one of two concurrent
 * {@code CREATE TABLE IF NOT EXISTS}), the version row is locked while migrating (PostgreSQL's DDL is transactional,
 * so the second instance waits and then sees the new version), and every migration statement is idempotent (H2
 * commits at each DDL statement and so releases the lock early: the second instance may repeat a statement, which
 * then does nothing).
 */
final class SchemaMigrator {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
  private static final int CREATE_ATTEMPTS = 5;

  private SchemaMigrator() {}

  static void migrate(DataSource dataSource, Tables tables) {
    for (int attempt = 1; ; attempt++) {
      try {
        migrateOnce(dataSource, tables);
        return;
      } catch (SQLException e) {
        // H2 can fail one of two concurrent "CREATE ... IF NOT EXISTS" of the same object ("already exists"); the
        // next attempt finds it there.
        if (attempt == CREATE_ATTEMPTS) {
          throw new StoreException("could not create or upgrade the collab-jdbc tables " + tables.updatesTable
              + " and " + tables.versionTable + " (" + e.getMessage() + "); check that the database is reachable"
              + " and that its user may create tables", e);
        }
        log.debug("creating or upgrading {} failed (attempt {}), retrying", tables.updatesTable, attempt, e);
        try {
          Thread.sleep(20L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted while creating the collab-jdbc tables " + tables.updatesTable, ie);
        }
      }
    }
  }

  private static void migrateOnce(DataSource dataSource, Tables tables) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      createVersionTable(c, tables);
      insertVersionRow(c, tables);
      c.setAutoCommit(false);
      try {
        int version = lockVersion(c, tables);
        if (version > Tables.SCHEMA_VERSION) {
          throw new StoreException("the tables " + tables.versionTable + " and " + tables.updatesTable
              + " have schema version " + version + ", newer than this collab-jdbc understands ("
              + Tables.SCHEMA_VERSION + "): use a newer collab-jdbc or another table prefix");
        }
        for (int v = version + 1; v <= Tables.SCHEMA_VERSION; v++) {
          try (Statement s = c.createStatement()) {
            for (String sql : tables.migration(v)) {
              s.execute(sql);
            }
          }
          try (PreparedStatement s =
              c.prepareStatement("UPDATE " + tables.versionTable + " SET version = ? WHERE id = 1")) {
            s.setInt(1, v);
            s.executeUpdate();
          }
          log.info("collab-jdbc schema of {} is now at version {}", tables.updatesTable, v);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static void createVersionTable(Connection c, Tables tables) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try (Statement s = c.createStatement()) {
        s.execute(tables.createVersionTable());
        return;
      } catch (SQLException e) {
        // A concurrent creation by another instance: the table exists now, and the next attempt is a no-op.
        if (attempt == CREATE_ATTEMPTS) {
          throw e;
        }
        log.debug("creating {} failed (attempt {}), retrying", tables.versionTable, attempt, e);
      }
    }
  }

  private static void insertVersionRow(Connection c, Tables tables) throws SQLException {
    if (readVersion(c, tables, false) >= 0) {
      return;
    }
    String insert = "INSERT INTO " + tables.versionTable + " (id, version) VALUES (1, 0)";
    try (PreparedStatement s = c.prepareStatement(insert)) {
      s.executeUpdate();
    } catch (SQLException e) {
      if (readVersion(c, tables, false) < 0) {
        throw e;
      }
      // Another instance inserted it first.
    }
  }

  private static int lockVersion(Connection c, Tables tables) throws SQLException {
    int version = readVersion(c, tables, true);
    if (version < 0) {
      throw new SQLException("the row of " + tables.versionTable + " vanished while migrating");
    }
    return version;
  }

  /** The stored version, or -1 if there is no version row. */
  private static int readVersion(Connection c, Tables tables, boolean forUpdate) throws SQLException {
    String sql = "SELECT version FROM " + tables.versionTable + " WHERE id = 1" + (forUpdate ? " FOR UPDATE" : "");
    try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      return rs.next() ? rs.getInt(1) : -1;
    }
  }
}
