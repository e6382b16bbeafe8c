package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code totals} of every estimate in step with its rooms and surfaces: after each burst of changes
 * ({@code onChange}, debounced by {@code candlefish.collab.documents.store-debounce}) it computes the
 * {@link EstimateTotals} and, only when they differ from the stored ones, writes them back through the host API
 * ({@link CollabServer#openDocument} → {@link DocumentHandle#edit}), so every client sees the same total.
 *
 * <p>The write is asynchronous: the hook only starts it and returns, and the edit runs as a later task of the
 * document's own thread, where it computes the totals again from the document as it is then (so a change that
 * arrived in between is counted). Its own write changes only {@code totals}, so the {@code onChange} it causes
 * finds nothing to do: no loop. At most one write per document is under way at a time.
 *
 * <p>Thread-safe.
 */
public final class TotalsHooks implements CollabHooks {
  private static final Logger log = LoggerFactory.getLogger(TotalsHooks.class);

  private final Supplier<CollabServer> server;
  private final Set<DocumentKey> writing = ConcurrentHashMap.newKeySet();

  /**
   * @param server the server whose documents these hooks hear about; a supplier, because the server is built
   *     with its hooks (asked for on the first change only)
   */
  public TotalsHooks(Supplier<CollabServer> server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  @Override
  public void onChange(DocumentKey key, Doc doc) {
    if (!Estimates.isEstimateDocument(key.name())) {
      return;
    }
    EstimateTotals totals;
    try {
      totals = EstimateTotals.compute(doc);
      if (totals.equals(EstimateTotals.stored(doc))) {
        return;
      }
    } catch (RuntimeException e) {
      // A client may have put a shared type of another kind under "rooms" or "totals": nothing to compute.
      log.debug("cannot compute the totals of {}: {}", key, e.toString());
      return;
    }
    if (!writing.add(key)) {
      return; // the write under way computes them afresh when it runs
    }
    writeTotals(key).whenComplete((changed, error) -> {
      writing.remove(key);
      if (error != null) {
        log.warn("could not write the totals of {}: {}", key, error.toString());
      } else if (changed) {
        // In a cluster only the node that holds the document's lease gets here (PaintboxClusterTest reads this).
        log.debug("wrote the totals of {}", key);
      }
    });
  }

  /** Completes with whether the totals had to change. */
  private CompletableFuture<Boolean> writeTotals(DocumentKey key) {
    CompletableFuture<DocumentHandle> opened;
    try {
      opened = server.get().openDocument(key);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // the server is closing
    }
    return opened.thenCompose(handle -> {
      boolean[] changed = {false};
      return handle.edit(txn -> {
        EstimateTotals now = EstimateTotals.compute(txn.doc());
        if (!now.equals(EstimateTotals.stored(txn.doc()))) {
          now.writeTo(txn);
          changed[0] = true;
        }
      }).whenComplete((v, e) -> handle.close()).thenApply(v -> changed[0]);
    });
  }
}
