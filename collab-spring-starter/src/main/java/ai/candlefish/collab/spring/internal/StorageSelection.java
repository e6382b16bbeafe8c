package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spring.CollabProperties;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/** Chooses the document store that {@code candlefish.collab.storage} asks for. */
public final class StorageSelection {
  private static final String JDBC_STORE = "ai.candlefish.collab.jdbc.JdbcDocumentStore";

  private StorageSelection() {}

  /**
   * The JDBC store on the application's {@code DataSource}, or null for the in-memory one.
   *
   * @throws InvalidCollabPropertyException if JDBC was asked for and cannot be had
   */
  public static DocumentStore jdbcStore(CollabProperties.Storage storage, ApplicationContext context) {
    if (storage.type() == CollabProperties.StorageType.MEMORY) {
      return null;
    }
    boolean jdbcOnClassPath = ClassUtils.isPresent(JDBC_STORE, StorageSelection.class.getClassLoader());
    DataSource dataSource = context.getBeanProvider(DataSource.class).getIfUnique();
    if (jdbcOnClassPath && dataSource != null) {
      return Jdbc.store(dataSource, storage.tablePrefix());
    }
    if (storage.type() == CollabProperties.StorageType.JDBC) {
      throw new InvalidCollabPropertyException("candlefish.collab.storage.type", "jdbc",
          "JDBC storage needs collab-jdbc on the class path (" + (jdbcOnClassPath ? "present" : "missing")
              + ") and one DataSource bean (" + (dataSource == null ? "missing" : "present") + ")",
          "Add ai.candlefish.collab:collab-jdbc and a DataSource (spring.datasource.*), or set "
              + "candlefish.collab.storage.type=memory or auto", null);
    }
    return null;
  }

  /** Only loaded when collab-jdbc is on the class path. */
  private static final class Jdbc {
    static DocumentStore store(DataSource dataSource, String tablePrefix) {
      return JdbcDocumentStore.newBuilder(dataSource).tablePrefix(tablePrefix).build();
    }
  }
}
