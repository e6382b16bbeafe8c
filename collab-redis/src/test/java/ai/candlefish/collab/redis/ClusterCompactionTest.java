package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.DocumentLeases;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Two nodes in one JVM: the lease holder's compaction of a document runs beside the document's writes. */
class ClusterCompactionTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "compacted");

  /**
   * A compaction that does not end (the database slow to fold a long log, or many documents compacting at once)
   * holds none of the document's writes: what the holder stores meanwhile is acknowledged and reaches the other
   * node, which gets updates only once they are stored.
   */
  @Test
  void compact_thatHangs_holdsNoneOfTheDocumentsWrites() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (InProcessCluster cluster = InProcessCluster.start()) {
      CollabServer a = cluster.server("a", null, leases -> new HangingCompaction(leases, started, release),
          s -> s.compactAfterUpdates(3));
      CollabServer b = cluster.server("b", s -> s.compactAfterUpdates(1_000_000));
      // a loads the document first and so holds its lease: only a compacts it.
      try (DocumentHandle onA = a.openDocument(KEY).join(); DocumentHandle onB = b.openDocument(KEY).join()) {
        try {
          for (int i = 0; i < 100 && !started.await(100, TimeUnit.MILLISECONDS); i++) {
            onA.edit(txn -> txn.doc().getText("t").insert(0, "x")).join();
          }
          assertThat(started.getCount()).as("a compacts past 3 pieces").isZero();

          onA.edit(txn -> txn.doc().getText("t").insert(0, "after")).join();

          await("b gets what a stored while its compaction hangs").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
              assertThat(onB.read(doc -> doc.getText("t").toString()).join()).startsWith("after"));
        } finally {
          release.countDown();
        }
        onA.edit(txn -> txn.doc().getText("t").insert(0, "last")).join();
        await("b gets what a stored after its compaction").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(onB.read(doc -> doc.getText("t").toString()).join()).startsWith("lastafter"));
      }
    }
  }

  /** Leases whose {@link #compact} waits for the test. */
  private static final class HangingCompaction implements DocumentLeases {
    private final DocumentLeases leases;
    private final CountDownLatch started;
    private final CountDownLatch release;

    HangingCompaction(DocumentLeases leases, CountDownLatch started, CountDownLatch release) {
      this.leases = leases;
      this.started = started;
      this.release = release;
    }

    @Override
    public void compact(DocumentLease lease, byte @Nullable [] state) {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      leases.compact(lease, state);
    }

    @Override
    public String nodeId() {
      return leases.nodeId();
    }

    @Override
    public Duration ttl() {
      return leases.ttl();
    }

    @Override
    public void heartbeat() {
      leases.heartbeat();
    }

    @Override
    public @Nullable DocumentLease tryAcquire(DocumentKey key) {
      return leases.tryAcquire(key);
    }

    @Override
    public Map<DocumentKey, DocumentLease> tryAcquireAll(Collection<DocumentKey> keys) {
      return leases.tryAcquireAll(keys);
    }

    @Override
    public boolean isTrusted(DocumentLease lease) {
      return leases.isTrusted(lease);
    }

    @Override
    public boolean isCurrent(DocumentLease lease) {
      return leases.isCurrent(lease);
    }

    @Override
    public void release(DocumentLease lease) {
      leases.release(lease);
    }

    @Override
    public void close() {
      leases.close();
    }
  }
}
