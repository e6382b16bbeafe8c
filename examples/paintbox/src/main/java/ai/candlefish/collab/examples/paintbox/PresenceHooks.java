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
 * Who has which estimate open, for the estimate list: a y-websocket connection serves one document, named by the
 * last segment of its path, and its principal is the user (the development login makes the user's name the
 * token's subject). Inside an estimate the page shows its people from the awareness states instead, which also
 * carry their colours and cursors.
 *
 * <p>Thread-safe.
 */
public final class PresenceHooks implements CollabHooks {
  private record Viewer(String estimateId, String user) {}

  private final Map<Long, Viewer> byConnection = new ConcurrentHashMap<>();

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    String path = connection.path();
    String document = path.substring(path.lastIndexOf('/') + 1);
    if (Estimates.isEstimateDocument(document)) {
      byConnection.put(connection.id(), new Viewer(Estimates.idOf(document), principal.id()));
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
