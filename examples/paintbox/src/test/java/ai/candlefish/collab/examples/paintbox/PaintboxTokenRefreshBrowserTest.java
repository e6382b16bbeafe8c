package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A page open longer than its token lives ({@code paintbox.dev-login.token-lifetime}: 12 h by default, 30 s here):
 * it fetches a fresh token before the first one expires, and goes on after the collaboration server ends the old
 * token's session (4440; y-websocket 3.x would give up on it, the page's {@code shouldReconnect} reconnects): what
 * is written after that expiry reaches another person.
 */
class PaintboxTokenRefreshBrowserTest {
  @TempDir
  Path dataDir;

  @Test
  void aPageOpenLongerThanItsToken_refreshesIt_andGoesOn() throws Exception {
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(PaintboxApplication.class).run(
        "--server.port=0", "--server.address=127.0.0.1", "--candlefish.collab.port=0",
        "--candlefish.collab.host=127.0.0.1", "--paintbox.data-dir=" + dataDir,
        "--paintbox.dev-login.token-lifetime=30s")) {
      String baseUrl = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
      JsonNode seen = PaintboxApplicationTest.node("paintbox-refresh.mjs", baseUrl,
          System.getProperty("screenshot.dir", "target/screenshots") + "/refresh");

      assertThat(seen.get("refreshed").asBoolean()).isTrue();
      assertThat(seen.get("sockets").asInt()).as("the first token's session ended and the page connected again")
          .isGreaterThanOrEqualTo(2);
      assertThat(seen.get("status").asText()).isEqualTo("synced");
    }
  }
}
