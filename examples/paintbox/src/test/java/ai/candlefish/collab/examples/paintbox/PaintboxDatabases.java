package ai.candlefish.collab.examples.paintbox;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/** Fresh H2 databases in memory, as Paintbox's default (PostgreSQL mode), with Paintbox's own {@code schema.sql}. */
final class PaintboxDatabases {
  private PaintboxDatabases() {}

  /** A new database named after {@code name}, with Paintbox's tables. */
  static JdbcClient fresh(String name) {
    DriverManagerDataSource db = new DriverManagerDataSource("jdbc:h2:mem:" + name + "-" + System.nanoTime()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    new ResourceDatabasePopulator(new ClassPathResource("schema.sql")).execute(db);
    return JdbcClient.create(db);
  }
}
