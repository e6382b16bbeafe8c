package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.CollabServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * {@link PaintboxBrowserTest}'s two people editing one estimate at once, with the collaboration socket on Paintbox's
 * own port ({@code candlefish.collab.transport=servlet}: Tomcat and Spring WebSocket, no port of the server's own):
 * both pages converge on the same content and the server's total.
 */
class PaintboxServletTransportBrowserTest {
  @TempDir
  Path dataDir;

  @Test
  void twoPeople_editOneEstimateAtOnce_throughTheApplicationsOwnPort() throws Exception {
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(PaintboxApplication.class).run(
        "--server.port=0", "--server.address=127.0.0.1", "--candlefish.collab.transport=servlet",
        "--candlefish.collab.path=/collab", "--paintbox.data-dir=" + dataDir)) {
      assertThat(app.getBean(CollabServer.class).port()).as("no port of its own").isEqualTo(-1);
      String baseUrl = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
      JsonNode seen = PaintboxApplicationTest.node("paintbox-browser.mjs", "edit", baseUrl,
          System.getProperty("screenshot.dir", "target/screenshots") + "/servlet");

      assertThat(seen.get("grandText").asText()).isEqualTo("€335.00");
      assertThat(seen.get("notes").asText()).contains("Access via the back door.", "Alice: hall first.",
          "Bob: keep the tiles.");
      assertThat(seen.get("people").get(0).toString()).contains("Alice (you)", "Bob");
      assertThat(seen.get("people").get(1).toString()).contains("Alice", "Bob (you)");
    }
  }
}
