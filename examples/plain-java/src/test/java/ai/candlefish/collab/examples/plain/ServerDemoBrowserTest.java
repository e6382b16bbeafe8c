package ai.candlefish.collab.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The main job as a user sees it: the demo page in two real browsers (headless Debian Chromium driven by
 * playwright-core, {@code src/test/js/server-demo-browser.mjs}), both typing at once into the shared text. Both
 * pages and the server's own copy must end with the same text; each page shows the other person, and the one who
 * stays sees the other leave at once. Screenshots go to {@code target/screenshots}.
 */
class ServerDemoBrowserTest {
  @Test
  void twoBrowsers_typingAtOnce_converge_andSeeEachOther() throws Exception {
    String document = "browser-test-" + Long.toHexString(System.nanoTime());
    try (ServerDemo demo = ServerDemo.start("127.0.0.1", 0, 0, new InMemoryDocumentStore())) {
      String url = "http://127.0.0.1:" + demo.httpPort() + "/#" + document;
      JsonNode seen = runBrowsers(url);

      String text = seen.get("text").asText();
      assertThat(text).contains("Hello from the first window. ", "First line by A. ", "And B adds this at the end.");
      assertThat(seen.get("peopleTogether").get(0).asInt()).isEqualTo(2);
      assertThat(seen.get("peopleTogether").get(1).asInt()).isEqualTo(2);
      assertThat(seen.get("goneAfterMillis").asLong()).as("no ghost after leaving").isLessThan(5000);
      try (DocumentHandle handle = demo.server().openDocument(DocumentKey.of("demo", document)).get(10,
          TimeUnit.SECONDS)) {
        assertThat(handle.read(doc -> doc.getText("content").toString()).get(10, TimeUnit.SECONDS))
            .as("the server's copy").isEqualTo(text);
      }
    }
  }

  private static JsonNode runBrowsers(String url) throws IOException, InterruptedException {
    Path dir = Path.of(System.getProperty("browser.js.dir", "src/test/js"));
    String shots = System.getProperty("screenshot.dir", "target/screenshots");
    Process node = new ProcessBuilder("node", "server-demo-browser.mjs", url, shots)
        .directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String out;
    try {
      out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(90, TimeUnit.SECONDS)).as("the browser run ends").isTrue();
    } finally {
      node.destroyForcibly();
    }
    assertThat(node.exitValue()).as("browser run failed; its output:%n%s", out).isZero();
    String last = out.strip().lines().reduce((a, b) -> b).orElse("");
    return new ObjectMapper().readTree(last);
  }
}
