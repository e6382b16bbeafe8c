package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Paintbox's page where a person's timing, the estimate's size or the network makes the difference, in one Chromium
 * for the whole class: {@code src/test/js/paintbox-page.mjs} runs every scenario (its header says what each does and
 * expects) and prints a line for each, which one test here reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaintboxPageBrowserTest {
  private static final String[] SCENARIOS = {"remove", "big", "config", "offline", "readonly", "twousers", "names",
      "missing"};

  @TempDir
  static Path dataDir; // static: used before the tests

  private final Map<String, JsonNode> results = new HashMap<>();
  private String output = "";

  @BeforeAll
  void runScenarios() throws IOException, InterruptedException {
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(PaintboxApplication.class).run(
        "--server.port=0", "--server.address=127.0.0.1", "--candlefish.collab.port=0",
        "--candlefish.collab.host=127.0.0.1", "--paintbox.data-dir=" + dataDir)) {
      String base = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
      String[] command = new String[SCENARIOS.length + 4];
      command[0] = "node";
      command[1] = "paintbox-page.mjs";
      command[2] = base;
      command[3] = System.getProperty("screenshot.dir", "target/screenshots") + "/page";
      System.arraycopy(SCENARIOS, 0, command, 4, SCENARIOS.length);
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(Path.of(System.getProperty("node.js.dir", "src/test/js")).toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("PAINTBOX_READ_TOKEN", app.getBean(DevTokens.class).issue("Rita", "read"));
      Process node = builder.start();
      try {
        output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node paintbox-page.mjs ends").isTrue();
      } finally {
        node.destroyForcibly();
      }
    }
    ObjectMapper json = new ObjectMapper();
    for (String line : output.strip().split("\n")) {
      if (line.startsWith("{\"scenario\":")) {
        JsonNode result = json.readTree(line);
        results.put(result.get("scenario").asText(), result);
      }
    }
  }

  /** What the scenario's run showed; fails with its error (and the script's output) if it failed. */
  private JsonNode passed(String scenario) {
    JsonNode result = results.get(scenario);
    assertThat(result).as("paintbox-page.mjs printed no result for %s; its output:%n%s", scenario, output)
        .isNotNull();
    assertThat(result.get("ok").asBoolean()).as("%s: %s", scenario, result.path("error").asText()).isTrue();
    return result;
  }

  @Test
  void removingARoomOrASurface_justAsAnotherPersonsRemovalArrives_removesTheOneClicked() {
    JsonNode seen = passed("remove");

    assertThat(seen.get("rooms").toString()).isEqualTo("[\"Attic\"]");
    assertThat(seen.get("surfaces").toString()).isEqualTo("[\"C\"]");
  }

  @Test
  void typingIntoA300RoomEstimate_keepsEveryCharacter() {
    JsonNode seen = passed("big");

    assertThat(seen.get("fields").get("area").asText()).isEqualTo("123.5");
  }

  @Test
  void aPageOpenedWhileTheServerDoesNotAnswer_showsTheListAndTheEstimateOnceItDoes() {
    JsonNode seen = passed("config");

    assertThat(seen.get("configTries").asInt()).isGreaterThanOrEqualTo(4);
    assertThat(seen.get("estimateTries").asInt()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void whatWasTypedOffline_survivesAReloadWhileOffline_andReachesTheOthersOnceBack() {
    JsonNode seen = passed("offline");

    assertThat(seen.get("shown").toString()).contains("Hall, typed offline: 2");
  }

  @Test
  void aReadOnlyToken_getsAPageThatChangesNothing_andAnEditRefusedToItIsNotSentAgainByTheNextPage() {
    JsonNode seen = passed("readonly");

    assertThat(seen.get("readOnly").toString()).isEqualTo("{\"name\":\"Hall\",\"notes\":\"Bring ladders.\"}");
    assertThat(seen.get("shown").toString()).isEqualTo("[\"Hall\"]");
  }

  @Test
  void twoPeopleInOneBrowser_neitherSeesNorSendsTheOthersUnsentEdits() {
    JsonNode seen = passed("twousers");

    assertThat(seen.get("bob").toString()).isEqualTo("[\"Hall\",\"Bob's room\"]");
    assertThat(seen.get("afterSignOut").toString()).isEqualTo("[\"Hall\",\"Bob's room\",\"Bob's second room\"]");
    assertThat(seen.get("alice").get(0).asText()).isEqualTo("Hall, renamed offline by Alice");
  }

  @Test
  void twoPeopleTypingIntoOneName_atOnceOrOffline_keepEveryCharacterOfBoth() {
    JsonNode seen = passed("names");

    assertThat(seen.get("atOnce").get(0).asText()).isEqualTo("Big Kitchen north, by the stairs");
    assertThat(seen.get("offline").get(0).asText()).isEqualTo("Very Big Kitchen north, by the stairs (2)");
    assertThat(seen.get("undone").get(0).asText()).isEqualTo("Big Kitchen north, by the stairs (2)");
  }

  @Test
  void anEstimateThatIsNone_saysSo_andOpensNoDocument() {
    JsonNode seen = passed("missing");

    assertThat(seen.get("shown").get("zzzzzzzzzz").asText()).startsWith("No estimate “zzzzzzzzzz”");
  }
}
