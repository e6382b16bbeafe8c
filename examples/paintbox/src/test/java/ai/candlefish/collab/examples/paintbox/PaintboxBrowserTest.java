package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Paintbox as two people use it: two headless Debian Chromiums driven by playwright-core
 * ({@code src/test/js/paintbox-browser.mjs}) sign in as Alice and Bob and edit the same estimate at the same time
 * (rooms, surfaces, the Lexical notes). Both pages must show the same content and the same total, computed by the
 * server (and the server's copy must hold it); each must see the other. Then the application is restarted on the
 * same data directory and a third person must find the estimate in the list. Screenshots go to
 * {@code target/screenshots}.
 */
class PaintboxBrowserTest {
  @TempDir
  Path dataDir;

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(PaintboxApplication.class).run(
        "--server.port=0", "--server.address=127.0.0.1", "--candlefish.collab.port=0",
        "--candlefish.collab.host=127.0.0.1", "--paintbox.data-dir=" + dataDir);
  }

  private static String baseUrl(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
  }

  @Test
  void twoPeople_editOneEstimateAtOnce_seeTheSameServerTotal_andTheEstimateOutlivesARestart() throws Exception {
    String shots = System.getProperty("screenshot.dir", "target/screenshots");
    String estimateId;
    try (ConfigurableApplicationContext app = start()) {
      JsonNode seen = PaintboxApplicationTest.node("paintbox-browser.mjs", "edit", baseUrl(app), shots);

      estimateId = seen.get("id").asText();
      assertThat(seen.get("grandText").asText()).isEqualTo("€335.00");
      assertThat(seen.get("notes").asText()).contains("Access via the back door.", "Alice: hall first.",
          "Bob: keep the tiles.");
      assertThat(seen.get("people").get(0).toString()).contains("Alice (you)", "Bob");
      assertThat(seen.get("people").get(1).toString()).contains("Alice", "Bob (you)");

      CollabServer server = app.getBean(CollabServer.class);
      try (DocumentHandle handle = server.openDocument(DocumentKey.of(PaintboxApplication.TENANT,
          "estimate-" + estimateId)).get(10, TimeUnit.SECONDS)) {
        EstimateTotals stored = handle.read(EstimateTotals::stored).get(10, TimeUnit.SECONDS);
        assertThat(stored.grand()).as("the server's copy").isEqualByComparingTo("335");
        assertThat(stored.rooms()).hasSize(2);
      }
    }

    try (ConfigurableApplicationContext app = start()) {
      JsonNode after = PaintboxApplicationTest.node("paintbox-browser.mjs", "reopen", baseUrl(app), shots,
          estimateId);

      assertThat(after.get("title").asText()).isEqualTo("Flat in Elm Street");
      // The documents are in the same H2 database (collab-jdbc), stored when the first application stopped.
      assertThat(after.get("grandText").asText()).isEqualTo("€335.00");
      assertThat(after.get("rooms").asInt()).isEqualTo(2);
      assertThat(after.get("notes").asText()).contains("Alice: hall first.", "Bob: keep the tiles.");
    }
  }
}
