package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.Principal;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Refuses a y-websocket connection to an estimate's document ({@code estimate-<id>} in Paintbox's tenant) that
 * Paintbox's list does not have: a made-up or mistyped id, sent by an older page or any other client, would
 * otherwise create a stored document that no estimate in the list stands for, which nobody sees, finds or removes.
 * The tokens of the development login may write every document of the tenant, so the socket alone would not stop
 * it. (Hocuspocus and collab/1 connections name their documents after authenticating: {@link
 * ListedEstimatesAuthenticator} refuses those documents, for every protocol, when they are opened; this hook's
 * refusal comes first for y-websocket, with a reason the page reads.)
 *
 * <p>And erases from the store an estimate's document that the list no longer has (a deleted estimate, or one such
 * connection opened before the list said so) when it leaves memory ({@code onUnload}): the delete erased what was stored then, but pages
 * that had the estimate open may have sent edits until they heard of it, which the server stored after. On every
 * instance of a cluster, each for its own copy.
 *
 * <p>Runs before Paintbox's other hooks, so that {@link PresenceHooks} never counts a refused connection. The check
 * asks the database once per connection, on the server's worker thread (where authentication may block); the erasure
 * runs on a thread of its own (a document's hooks must not block).
 *
 * <p>Thread-safe.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class ListedEstimatesHooks implements CollabHooks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListedEstimatesHooks.class);

  private final Estimates estimates;
  private final DocumentStore store;
  private final SocketPaths paths;
  private final ExecutorService eraser = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "paintbox-eraser");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param estimates the list
   * @param store where the collaboration server keeps the documents
   * @param path the path below which the collaboration server serves documents ({@code candlefish.collab.path})
   */
  ListedEstimatesHooks(Estimates estimates, DocumentStore store, String path) {
    this.estimates = Objects.requireNonNull(estimates, "estimates");
    this.store = Objects.requireNonNull(store, "store");
    this.paths = new SocketPaths(path);
  }

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    String id = paths.estimateId(connection, principal);
    if (id != null && estimates.find(id).isEmpty()) {
      throw new AuthenticationException("there is no estimate " + id
          + "; create it through Paintbox's API (POST /api/estimates) first");
    }
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
