package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Who has which estimate open, for the estimate list: a y-websocket connection serves one document, named by its
 * path after the server's path, and its principal is the user (the development login makes the user's name the
 * token's subject). Only a principal of Paintbox's tenant that may read the estimate counts: a token of another
 * tenant opening its own {@code estimate-<id>}, or a document {@code <anything>/estimate-<id>}, is somebody else's
 * document and must not show its user among an estimate's viewers. Inside an estimate the page shows its people
 * from the awareness states instead, which also carry their colours and cursors.
 *
 * <p>Thread-safe.
 */
public final class PresenceHooks implements CollabHooks {
  private record Viewer(String estimateId, String user) {}

  private final Map<Long, Viewer> byConnection = new ConcurrentHashMap<>();
  private final SocketPaths paths;

  /**
   * @param path the path below which the collaboration server serves documents ({@code candlefish.collab.path}: ""
   *     or for example {@code /collab})
   */
  public PresenceHooks(String path) {
    this.paths = new SocketPaths(path);
  }

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    String id = paths.estimateId(connection, principal);
    if (id != null && principal.permission(principal.documentKey(Estimates.DOCUMENT_PREFIX + id)).canRead()) {
      byConnection.put(connection.id(), new Viewer(id, principal.id()));
    }
  }

  @Override
  public void onDisconnect(ConnectionInfo connection, Principal principal) {
    byConnection.remove(connection.id());
  }

  /** The users who have each estimate open, by estimate id, each user once, sorted. */
  public Map<String, List<String>> viewers() {
    return byConnection.values().stream().collect(Collectors.groupingBy(Viewer::estimateId, TreeMap::new,
        Collectors.mapping(Viewer::user, Collectors.collectingAndThen(Collectors.toCollection(TreeSet::new),
            List::copyOf))));
  }
}
