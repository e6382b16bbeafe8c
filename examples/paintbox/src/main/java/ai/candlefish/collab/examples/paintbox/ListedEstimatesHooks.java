package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases from the store an estimate's document that Paintbox's list no longer has (a deleted estimate, or one that a
 * client opened before it heard of the deletion) when it leaves memory ({@code onUnload}): the delete erased what was
 * stored then, but pages that had the estimate open may have sent edits until they heard of it, which the server
 * stored after. On every instance of a cluster, each for its own copy. (Which estimates' documents open at all is
 * {@link ListedEstimatesAuthenticator}'s say.)
 *
 * <p>The check asks the database, and the erasure writes to the store, on a thread of its own (a document's hooks
 * must not block).
 *
 * <p>Thread-safe.
 */
final class ListedEstimatesHooks implements CollabHooks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListedEstimatesHooks.class);

  private final Estimates estimates;
  private final DocumentStore store;
  private final ExecutorService eraser = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "paintbox-eraser");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param estimates the list
   * @param store where the collaboration server keeps the documents
   */
  ListedEstimatesHooks(Estimates estimates, DocumentStore store) {
    this.estimates = Objects.requireNonNull(estimates, "estimates");
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public void onUnload(DocumentKey key) {
    if (!key.tenant().equals(PaintboxApplication.TENANT) || !Estimates.isEstimateDocument(key.name())) {
      return;
    }
    eraser.execute(() -> {
      try {
        if (estimates.find(Estimates.idOf(key.name())).isEmpty()) {
          store.delete(key);
          log.debug("erased {}: its estimate is not in the list", key);
        }
      } catch (RuntimeException e) {
        log.warn("could not erase {}, whose estimate is not in the list: {}", key, e.toString());
      }
    });
  }

  /** Stops the erasure thread once what it was asked to erase is erased (at most 10 s). */
  @Override
  public void close() throws InterruptedException {
    eraser.shutdown();
    eraser.awaitTermination(10, TimeUnit.SECONDS);
  }
}
