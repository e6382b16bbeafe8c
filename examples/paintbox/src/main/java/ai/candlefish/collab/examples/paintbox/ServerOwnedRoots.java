package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.UpdateRefusedException;
import java.util.List;

/**
 * Refuses a client's update to the parts of an estimate's document that only the server writes: {@code totals}
 * ({@link TotalsHooks}), {@code restored} ({@link VersionController}), {@code renamed} and {@code deleted}
 * ({@link EstimateController}). Written by a client, a forged total would show on every page until the server next
 * computed them, a forged restore would empty every open page's undo history, a forged rename or deletion would
 * send every page to ask the list. The sender is refused (4403, the socket closed; a page does not reconnect) and
 * nothing of its update reaches the document, the store or the other pages. The server's own edits are not asked
 * about.
 *
 * <p>An update part of which cannot be placed yet (it builds on content the server has not received, and may land
 * in any root once that arrives) is refused too: a page's updates build on what the server sent it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerOwnedRoots implements CollabHooks {
  /** The roots of an estimate's document that only the server writes. */
  static final List<String> ROOTS = List.of(EstimateTotals.TOTALS, VersionController.RESTORED,
      EstimateController.RENAMED, EstimateController.DELETED);

  @Override
  public void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
      Updates.ChangedRoots roots) {
    if (!Estimates.isEstimateDocument(key.name())) {
      return;
    }
    if (!roots.complete()) {
      throw new UpdateRefusedException("the update builds on content the server does not have");
    }
    for (String root : ROOTS) {
      if (roots.names().contains(root)) {
        throw new UpdateRefusedException("'" + root + "' is written by the server only");
      }
    }
  }
}
