package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import java.util.Objects;

/**
 * The estimate a y-websocket connection serves, from its path: the document named after the collaboration server's
 * path ({@code candlefish.collab.path}: "" or for example {@code /collab}) and a slash. Hocuspocus and collab/1 name
 * their documents in messages after the connection opened: their paths name none.
 *
 * <p>Immutable and thread-safe.
 */
final class SocketPaths {
  /** What a y-websocket path starts with before the document's name: the server's path and a slash. */
  private final String prefix;

  /** @param serverPath the path below which the collaboration server serves documents */
  SocketPaths(String serverPath) {
    String p = Objects.requireNonNull(serverPath, "serverPath").replaceAll("/+$", "");
    this.prefix = p.isEmpty() || p.startsWith("/") ? p + "/" : "/" + p + "/";
  }

  /** What a y-websocket path of an estimate looks like, for messages: {@code /collab/estimate-<id>}. */
  String estimatePath() {
    return prefix + Estimates.DOCUMENT_PREFIX + "<id>";
  }

  /**
   * The estimate whose document {@code connection}'s path names, as the id of a Paintbox estimate, if the document is
   * one ({@code estimate-<id>} below the server's path) and {@code principal} is of Paintbox's tenant (another tenant's
   * {@code estimate-<id>} is somebody else's document); null otherwise.
   */
  String estimateId(ConnectionInfo connection, Principal principal) {
    String path = connection.path();
    if (!path.startsWith(prefix) || !principal.tenant().equals(PaintboxApplication.TENANT)) {
      return null;
    }
    String document = path.substring(prefix.length());
    return Estimates.isEstimateDocument(document) ? Estimates.idOf(document) : null;
  }
}
