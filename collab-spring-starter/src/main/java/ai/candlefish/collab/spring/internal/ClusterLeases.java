package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.DocumentStore;
import java.time.Duration;
import org.springframework.util.ClassUtils;

/** The leases of a cluster node: in the database of the application's {@code JdbcDocumentStore}, nowhere else. */
public final class ClusterLeases {
  private static final String JDBC_STORE = "ai.candlefish.collab.jdbc.JdbcDocumentStore";

  private ClusterLeases() {}

  /**
   * Leases beside {@code store}.
   *
   * @throws IllegalStateException if {@code store} is not a {@code JdbcDocumentStore}: a lease fences the writes of
   *     the store it lives in, so they must share one database
   */
  public static DocumentLeases create(DocumentStore store, String nodeId, Duration ttl) {
    if (!ClassUtils.isPresent(JDBC_STORE, ClusterLeases.class.getClassLoader())
        || !Jdbc.isJdbcStore(store)) {
      throw new IllegalStateException("candlefish.collab.cluster.enabled=true needs the documents in the database"
          + " that every node shares, where the leases live too: add collab-jdbc and a DataSource (for example"
          + " spring.datasource.url=jdbc:postgresql://...), and leave candlefish.collab.storage.type at auto or jdbc;"
          + " the document store is now " + store.getClass().getName());
    }
    return Jdbc.leases(store, nodeId, ttl);
  }

  /** Only loaded when collab-jdbc is on the class path. */
  private static final class Jdbc {
    static boolean isJdbcStore(DocumentStore store) {
      return store instanceof JdbcDocumentStore;
    }

    static DocumentLeases leases(DocumentStore store, String nodeId, Duration ttl) {
      return JdbcDocumentLeases.newBuilder((JdbcDocumentStore) store).nodeId(nodeId).ttl(ttl).build();
    }
  }
}
