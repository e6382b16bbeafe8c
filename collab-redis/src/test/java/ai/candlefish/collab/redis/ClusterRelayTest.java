package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two nodes in one JVM: how soon an update accepted on one reaches the other, and on which threads. */
class ClusterRelayTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "relayed");
  /** Far longer than the test waits: an update that waited for the debounce would not arrive in time. */
  private static final Duration DEBOUNCE = Duration.ofMinutes(10);

  @Test
  void edit_withoutAckWaiting_reachesTheOtherNodeWithoutTheStoreDebounce() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start()) {
      CollabServer a = cluster.server("a", s -> s.storeDebounce(DEBOUNCE).storeMaxWait(DEBOUNCE));
      CollabServer b = cluster.server("b", s -> s.storeDebounce(DEBOUNCE).storeMaxWait(DEBOUNCE));
      try (DocumentHandle onA = a.openDocument(KEY).join(); DocumentHandle onB = b.openDocument(KEY).join()) {
        // A server-side edit, like a y-websocket client's update, waits for no acknowledgement.
        onA.edit(txn -> txn.doc().getText("t").insert(0, "from a")).join();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(onB.read(doc -> doc.getText("t").toString()).join()).isEqualTo("from a"));
      }
    }
  }

  /**
   * A node without hooks runs each document on an event loop, as a server on its own does (a pool of their own cost
   * the relay a hand-off per update there and back: RESULTS.md, "Cluster, round 15"); an update from the other node
   * is applied there too.
   */
  @Test
  void documents_runOnTheEventLoops() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.start()) {
      CollabServer a = cluster.server("a", s -> s);
      CollabServer b = cluster.server("b", s -> s);
      try (DocumentHandle onA = a.openDocument(KEY).join(); DocumentHandle onB = b.openDocument(KEY).join()) {
        onA.edit(txn -> txn.doc().getText("t").insert(0, "from a")).join();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(onB.read(doc -> doc.getText("t").toString()).join()).isEqualTo("from a"));
        assertThat(onA.read(doc -> Thread.currentThread().getName()).join()).startsWith("collab-io");
        assertThat(onB.read(doc -> Thread.currentThread().getName()).join()).startsWith("collab-io");
      }
    }
  }
}
