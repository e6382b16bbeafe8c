package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Paintbox when the network or the server goes away under two people editing, in real browsers
 * ({@code src/test/js/paintbox-outage.mjs}), against Paintbox as its README starts it: a JVM of its own on its
 * embedded H2. A browser that goes offline and comes back merges with what the other typed meanwhile; a server killed
 * with {@code kill -9} and started again on the same data keeps every acknowledged write (an estimate created, a
 * version saved just before) and the pages reconnect by themselves with what was typed while it was down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PaintboxOutageBrowserTest {
  @TempDir
  static Path dir; // static: used before the tests

  private final ObjectMapper json = new ObjectMapper();
  private final List<Process> started = new ArrayList<>();
  private int httpPort;
  private int collabPort;
  private Process paintbox;

  @BeforeAll
  void start() throws Exception {
    httpPort = PaintboxClusterTest.freePort();
    collabPort = PaintboxClusterTest.freePort();
    paintbox = startPaintbox();
  }

  @AfterAll
  void stop() throws Exception {
    for (Process p : started) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Paintbox's main class on the default H2 under {@code dir}; the same ports every time, for the open pages. */
  private Process startPaintbox() throws Exception {
    Path log = dir.resolve("paintbox-" + started.size() + ".log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
        "-cp", System.getProperty("java.class.path"), PaintboxApplication.class.getName(),
        "--server.address=127.0.0.1", "--server.port=" + httpPort, "--candlefish.collab.host=127.0.0.1",
        "--candlefish.collab.port=" + collabPort, "--paintbox.data-dir=" + dir.resolve("data"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(p);
    await("Paintbox serving").atMost(300, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("Paintbox ended with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      return PaintboxClusterTest.listening(httpPort) && PaintboxClusterTest.listening(collabPort);
    });
    return p;
  }

  /**
   * Runs {@code paintbox-outage.mjs <mode>}, doing to the server what it asks for (its {"step": ...} lines), and
   * returns its last line.
   */
  private JsonNode outage(String mode) throws Exception {
    Process node = new ProcessBuilder("node", "paintbox-outage.mjs", mode, "http://127.0.0.1:" + httpPort + "/",
        System.getProperty("screenshot.dir", "target/screenshots") + "/outage")
        .directory(Path.of(System.getProperty("node.js.dir", "src/test/js")).toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    StringBuilder out = new StringBuilder();
    String last = "{}";
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(),
        StandardCharsets.UTF_8)); Writer answers = new OutputStreamWriter(node.getOutputStream(),
        StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        out.append(line).append('\n');
        last = line;
        if (line.startsWith("{\"step\":")) {
          String step = json.readTree(line).get("step").asText();
          if (step.equals("kill")) {
            paintbox.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
            assertThat(paintbox.waitFor(30, TimeUnit.SECONDS)).isTrue();
          } else {
            paintbox = startPaintbox();
          }
          answers.write(step + " done\n");
          answers.flush();
        }
      }
      assertThat(node.waitFor(180, TimeUnit.SECONDS)).as("node ends").isTrue();
    } finally {
      node.destroyForcibly();
    }
    assertThat(node.exitValue()).as("paintbox-outage.mjs %s failed; its output:%n%s", mode, out).isZero();
    return json.readTree(last);
  }

  @Test
  @Order(1)
  void aBrowserThatWasOffline_mergesWithWhatTheOtherTypedMeanwhile() throws Exception {
    JsonNode seen = outage("offline");

    assertThat(seen.get("grandText").asText()).isEqualTo("€188.00");
    assertThat(seen.get("notes").asText()).contains("Before.", "Bob, offline.", "Alice, online.");
  }

  @Test
  @Order(2)
  void aServerKilledAndStartedAgain_keepsWhatItAcknowledged_andThePagesCarryOnWithWhatWasTypedMeanwhile()
      throws Exception {
    JsonNode seen = outage("restart");

    assertThat(seen.get("grandText").asText()).isEqualTo("€150.00");
    assertThat(seen.get("notes").asText()).contains("Before.", "Typed while the server was down.");
    assertThat(seen.get("versions").toString()).contains("Before the outage");
  }

  /**
   * Killed after it relayed a total it computed and before it stored it, the server starts without that total, which
   * the pages hold: sent back, the server refuses it (only the server writes {@code totals}), and with it everything
   * the page typed. The pages start over without it instead.
   */
  @Test
  @Order(3)
  void aServerKilledMidEdit_beforeItStoredATotalItRelayed_thePagesCarryOnWithEverythingTyped() throws Exception {
    JsonNode seen = outage("mid-edit");

    assertThat(seen.get("grandText").asText()).isEqualTo(String.format("€%d.00", seen.get("typed").asInt() * 6));
    assertThat(seen.get("notes").asText()).contains("Before.", "Typed after the kill.");
  }
}
