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
  private final PresenceHooks presence = new PresenceHooks();

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
    presence.onAuthenticate(connection(2, "/collab/estimate-aaaaaaaaaa"), user("Alice"));
    presence.onAuthenticate(connection(3, "/estimate-aaaaaaaaaa"), user("Alice"));
    presence.onAuthenticate(connection(4, "/estimate-bbbbbbbbbb"), user("Carol"));

    assertThat(presence.viewers()).containsExactly(Map.entry("aaaaaaaaaa", List.of("Alice", "Bob")),
        Map.entry("bbbbbbbbbb", List.of("Carol")));

    presence.onDisconnect(connection(1, "/estimate-aaaaaaaaaa"), user("Bob"));
    presence.onDisconnect(connection(2, "/collab/estimate-aaaaaaaaaa"), user("Alice"));
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
}
