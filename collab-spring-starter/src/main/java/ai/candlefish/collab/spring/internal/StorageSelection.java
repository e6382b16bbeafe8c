package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spring.CollabProperties;
import org.springframework.context.ApplicationContext;

/** Chooses the document store that {@code candlefish.collab.storage} asks for. */
public final class StorageSelection {
  private StorageSelection() {}

  /**
   * The JDBC store on the application's {@code DataSource}, or null for the in-memory one.
   *
   * @throws IllegalStateException if JDBC was asked for and cannot be had
   */
  public static DocumentStore jdbcStore(CollabProperties.Storage storage, ApplicationContext context) {
    if (storage.type() == CollabProperties.StorageType.MEMORY) {
      return null;
    }
    if (storage.type() == CollabProperties.StorageType.JDBC) {
      throw new IllegalStateException("candlefish.collab.storage.type=jdbc needs collab-jdbc on the class path "
          + "and a DataSource bean");
    }
    return null;
  }
}
