package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A node closed cleanly gives its documents' leases up at once, so another node needs not wait for the TTL. */
class ClusterShutdownTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "closing");
  private static final Duration TTL = Duration.ofMinutes(10);

  @Test
  void close_releasesTheLeasesOfItsDocuments() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start()) {
      CollabServer server = cluster.server("a", TTL, s -> s);
      JdbcDocumentLeases leasesB = cluster.leases("b", TTL);
      try (DocumentHandle doc = server.openDocument(KEY).join()) {
        doc.edit(txn -> txn.doc().getText("t").insert(0, "stored before close")).join();
        assertThat(leasesB.tryAcquire(KEY)).as("a holds it while it serves it").isNull();
      }

      server.close();

      DocumentLease taken = leasesB.tryAcquire(KEY);
      assertThat(taken).as("released by a's close, long before its 10 min TTL").isNotNull();
      assertThat(taken.epoch()).isEqualTo(2);
    }
  }
}
