package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Pages open longer than their tokens live ({@code paintbox.dev-login.token-lifetime}: 12 h by default, 30 s here),
 * in Chromium ({@code src/test/js/paintbox-refresh.mjs}). Online, a page fetches a fresh token before the first one
 * expires, and goes on after the collaboration server ends the old token's session (4440; y-websocket 3.x would give
 * up on it, the page's {@code shouldReconnect} reconnects): what is written after that expiry reaches another person.
 * Offline when its token expired, a page signs in again once it is back (the server refuses the expired token with
 * 4401, which y-websocket takes as final) and sends what was typed offline. The two run at once, in one Chromium.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaintboxTokenRefreshBrowserTest {
  @TempDir
  static Path dataDir; // static: used before the tests

  private NodeScenarios modes;

  /** Both modes at once in one Chromium: each waits for a token to expire, and together they wait once. */
  @BeforeAll
  void runModes() throws IOException, InterruptedException {
    try (ConfigurableApplicationContext app = LocalPaintbox.start(dataDir, "--paintbox.dev-login.token-lifetime=30s")) {
      String base = LocalPaintbox.base(app);
      modes = NodeScenarios.run("paintbox-refresh.mjs", "mode", List.of(base,
          LocalPaintbox.shots("refresh"), "online", "offline"), Map.of());
    }
  }

  @Test
  void aPageOpenLongerThanItsToken_refreshesIt_andGoesOn() {
    JsonNode seen = modes.passed("online");

    assertThat(seen.get("refreshed").asBoolean()).isTrue();
    assertThat(seen.get("sockets").asInt()).as("the first token's session ended and the page connected again")
        .isGreaterThanOrEqualTo(2);
    assertThat(seen.get("status").asText()).isEqualTo("synced");
  }

  @Test
  void aPageOfflineWhenItsTokenExpired_signsInAgainWhenBack_andSendsWhatWasTypedOffline() {
    JsonNode seen = modes.passed("offline");

    assertThat(seen.get("status").asText()).isEqualTo("synced");
  }
}
