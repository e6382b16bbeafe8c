package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import java.util.Objects;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Refuses a y-websocket connection to an estimate's document ({@code estimate-<id>} in Paintbox's tenant) that
 * Paintbox's list does not have: a made-up or mistyped id, sent by an older page or any other client, would
 * otherwise create a stored document that no estimate in the list stands for, which nobody sees, finds or removes.
 * The tokens of the development login may write every document of the tenant, so the socket alone would not stop
 * it. (Hocuspocus and collab/1 connections name their documents after authenticating: they are not checked here.)
 *
 * <p>Runs before Paintbox's other hooks, so that {@link PresenceHooks} never counts a refused connection. The check
 * asks the database once per connection, on the server's worker thread (where authentication may block).
 *
 * <p>Thread-safe.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class ListedEstimatesHooks implements CollabHooks {
  private final Estimates estimates;
  private final SocketPaths paths;

  /**
   * @param estimates the list
   * @param path the path below which the collaboration server serves documents ({@code candlefish.collab.path})
   */
  ListedEstimatesHooks(Estimates estimates, String path) {
    this.estimates = Objects.requireNonNull(estimates, "estimates");
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
}
