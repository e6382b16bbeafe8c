package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresenceHooksTest {
  private final PresenceHooks presence = new PresenceHooks("");

  private static ConnectionInfo connection(long id, String path) {
    return new ConnectionInfo(id, new InetSocketAddress("127.0.0.1", 1000 + (int) id), "y-websocket", path,
        Map.of(), Map.of());
  }

  private static Principal user(String name) {
    return Principal.of(name, PaintboxApplication.TENANT, Permission.WRITE);
  }

  @Test
  void viewers_listsEachUserOncePerEstimate_untilTheyLeave() {
    presence.onAuthenticate(connection(1, "/estimate-aaaaaaaaaa"), user("Bob"));
    presence.onAuthenticate(connection(2, "/estimate-aaaaaaaaaa"), user("Alice"));
    presence.onAuthenticate(connection(3, "/estimate-aaaaaaaaaa"), user("Alice"));
    presence.onAuthenticate(connection(4, "/estimate-bbbbbbbbbb"), user("Carol"));

    assertThat(presence.viewers()).containsExactly(Map.entry("aaaaaaaaaa", List.of("Alice", "Bob")),
        Map.entry("bbbbbbbbbb", List.of("Carol")));

    presence.onDisconnect(connection(1, "/estimate-aaaaaaaaaa"), user("Bob"));
    presence.onDisconnect(connection(2, "/estimate-aaaaaaaaaa"), user("Alice"));
    presence.onDisconnect(connection(4, "/estimate-bbbbbbbbbb"), user("Carol"));

    assertThat(presence.viewers()).containsExactly(Map.entry("aaaaaaaaaa", List.of("Alice")));
  }

  @Test
  void onAuthenticate_ignoresDocumentsThatAreNoEstimates() {
    presence.onAuthenticate(connection(1, "/scratch"), user("Bob"));
    presence.onAuthenticate(connection(2, "/estimate-../x"), user("Bob"));
    presence.onAuthenticate(connection(3, "/estimate-SHOUTING12"), user("Bob"));

    assertThat(presence.viewers()).isEmpty();
  }

  @Test
  void onAuthenticate_countsOnlyReadersOfTheEstimateInPaintboxsTenant_atTheServersPath() {
    PresenceHooks atCollab = new PresenceHooks("/collab/");
    // Somebody else's documents: another tenant's estimate-<id>, and a document whose last segment looks like one.
    atCollab.onAuthenticate(connection(1, "/collab/estimate-aaaaaaaaaa"),
        Principal.of("Mallory", "other-tenant", Permission.WRITE));
    atCollab.onAuthenticate(connection(2, "/collab/notes/estimate-aaaaaaaaaa"), user("Mallory"));
    atCollab.onAuthenticate(connection(3, "/estimate-aaaaaaaaaa"), user("Mallory"));
    // A token that may not read this estimate (the server refuses it the document).
    atCollab.onAuthenticate(connection(4, "/collab/estimate-aaaaaaaaaa"), Principal.of("Eve",
        PaintboxApplication.TENANT, name -> name.equals("estimate-bbbbbbbbbb") ? Permission.WRITE : Permission.NONE));
    atCollab.onAuthenticate(connection(5, "/collab/estimate-aaaaaaaaaa"),
        Principal.of("Reader", PaintboxApplication.TENANT, Permission.READ));

    assertThat(atCollab.viewers()).containsExactly(Map.entry("aaaaaaaaaa", List.of("Reader")));
  }
}
