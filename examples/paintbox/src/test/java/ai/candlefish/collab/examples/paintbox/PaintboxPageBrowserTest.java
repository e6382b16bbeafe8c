package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Paintbox's page where a person's timing, the estimate's size or the network makes the difference, in one Chromium
 * for the whole class: {@code src/test/js/paintbox-page.mjs} runs every scenario (its header says what each does and
 * expects) and prints a line for each, which one test here reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaintboxPageBrowserTest {
  private static final String[] SCENARIOS = {"remove", "big", "config", "offline", "readonly", "twousers", "names",
      "figures", "missing", "twotabs", "ime", "restore", "undo", "builton", "keyboard"};

  @TempDir
  static Path dataDir; // static: used before the tests

  private NodeScenarios scenarios;

  @BeforeAll
  void runScenarios() throws IOException, InterruptedException {
    try (ConfigurableApplicationContext app = LocalPaintbox.start(dataDir)) {
      String base = LocalPaintbox.base(app);
      List<String> args = new ArrayList<>(List.of(base,
          LocalPaintbox.shots("page")));
      args.addAll(List.of(SCENARIOS));
      scenarios = NodeScenarios.run("paintbox-page.mjs", "scenario", args,
          Map.of("PAINTBOX_READ_TOKEN", app.getBean(DevTokens.class).issue("Rita", "read")));
    }
  }

  @Test
  void removingARoomOrASurface_justAsAnotherPersonsRemovalArrives_removesTheOneClicked() {
    JsonNode seen = scenarios.passed("remove");

    assertThat(seen.get("rooms").toString()).isEqualTo("[\"Attic\"]");
    assertThat(seen.get("surfaces").toString()).isEqualTo("[\"C\"]");
  }

  @Test
  void typingIntoA300RoomEstimate_keepsEveryCharacter() {
    JsonNode seen = scenarios.passed("big");

    assertThat(seen.get("fields").get("area").asText()).isEqualTo("123.5");
  }

  @Test
  void aPageOpenedWhileTheServerDoesNotAnswer_showsTheListAndTheEstimateOnceItDoes() {
    JsonNode seen = scenarios.passed("config");

    assertThat(seen.get("configTries").asInt()).isGreaterThanOrEqualTo(4);
    assertThat(seen.get("estimateTries").asInt()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void whatWasTypedOffline_survivesAReloadWhileOffline_andReachesTheOthersOnceBack() {
    JsonNode seen = scenarios.passed("offline");

    assertThat(seen.get("shown").toString()).contains("Hall, typed offline: 2");
  }

  @Test
  void aReadOnlyToken_isOfferedNoCreate_getsAPageThatChangesNothing_andAnEditRefusedToItIsNotSentAgainByTheNextPage() {
    JsonNode seen = scenarios.passed("readonly");

    assertThat(seen.get("readOnly").toString()).isEqualTo("{\"name\":\"Hall\",\"notes\":\"Bring ladders.\"}");
    assertThat(seen.get("shown").toString()).isEqualTo("[\"Hall\"]");
  }

  @Test
  void twoPeopleInOneBrowser_neitherSeesNorSendsTheOthersUnsentEdits() {
    JsonNode seen = scenarios.passed("twousers");

    assertThat(seen.get("bob").toString()).isEqualTo("[\"Hall\",\"Bob's room\"]");
    assertThat(seen.get("afterSignOut").toString()).isEqualTo("[\"Hall\",\"Bob's room\",\"Bob's second room\"]");
    assertThat(seen.get("alice").get(0).asText()).isEqualTo("Hall, renamed offline by Alice");
  }

  @Test
  void twoPeopleTypingIntoOneName_atOnceOrOffline_keepEveryCharacterOfBoth() {
    JsonNode seen = scenarios.passed("names");

    assertThat(seen.get("atOnce").get(0).asText()).isEqualTo("Big Kitchen north, by the stairs");
    assertThat(seen.get("offline").get(0).asText()).isEqualTo("Very Big Kitchen north, by the stairs (2)");
    assertThat(seen.get("undone").get(0).asText()).isEqualTo("Big Kitchen north, by the stairs (2)");
  }

  @Test
  void twoPeopleTypingIntoOneFigure_eachSeesWhatTheyTypeWhileTyping_andBothEndWithTheLastNumberWritten() {
    JsonNode seen = scenarios.passed("figures");

    assertThat(seen.get("typing").toString()).as("Alice's field, Bob's field").isEqualTo("[\"12.5\",\"20\"]");
    assertThat(seen.get("left").toString()).isEqualTo("[\"20\",\"€120.00\"]");
  }

  @Test
  void oneUserInTwoTabs_oneOfThemOffline_theOthersTypingReachesEveryone_andBothConverge() {
    JsonNode seen = scenarios.passed("twotabs");

    assertThat(seen.get("online").toString()).isEqualTo("[\"Hall (2)\"]");
    assertThat(seen.get("converged").get(0).asText()).isIn("Front Hall and stairs (2)!", "Front Hall (2)! and stairs");
  }

  @Test
  void composingWithAnInputMethod_sendsOnlyTheComposedText_whereAnotherPersonsChangeMovedIt() {
    JsonNode seen = scenarios.passed("ime");

    assertThat(seen.get("composed").toString()).isEqualTo("[\"Big Kitchen台所 2\"]");
    assertThat(seen.get("area").asDouble()).isEqualTo(12.5);
  }

  @Test
  void aVersionRestoredWhileAnotherPersonTypes_isNeverShownHalfDone_keepsWhatTheyTypedAfter_andClearsUndo() {
    JsonNode seen = scenarios.passed("restore");

    String name = seen.get("restored").get("names").get(0).asText();
    assertThat(name).startsWith("Hall").endsWith(" (2)").doesNotContain("Lounge").doesNotContain("HallHall");
    assertThat(seen.get("restored").get("grand").asText()).isEqualTo("€60.00");
    assertThat(seen.get("afterUndo").toString()).isEqualTo("[\"" + name + "\"]");
  }

  @Test
  void undoAfterAnotherPersonsEdit_andAcrossAnOfflinePeriod_takesBackOnlyMine_withTheCaretAndTheTotalsFollowing() {
    JsonNode seen = scenarios.passed("undo");

    assertThat(seen.get("caret").toString()).isEqualTo("[11,11]");
    assertThat(seen.get("totals").toString()).isEqualTo("[[\"Big Kitchen!\"],[10,3,3],\"€90.00\"]");
    assertThat(seen.get("offline").toString()).isEqualTo("[[\"Big Kitchen! (offline)\"],[10,2,3],\"€60.00\"]");
    assertThat(seen.get("online").toString()).isEqualTo("[[\"Big Kitchen!\"],[10,2,3],\"€60.00\"]");
  }

  @Test
  void undoWhileAnotherPersonBuildsOnWhatIDid_takesBackOnlyMine_andLeavesTheRoomOrSurfaceTheyWorkedIn() {
    JsonNode seen = scenarios.passed("builton");

    assertThat(seen.get("whileTyping").toString())
        .isEqualTo("[[\"Hall\",[10,\"\"],[10,\"Bob's primer and topcoat\"]],[\"Attic\",[10,\"Bob's white\"]]]");
    assertThat(seen.get("kept").toString())
        .isEqualTo("[[\"Hall\",[10,\"Bob's primer and topcoat\"]],[\"Room 2\",[10,\"Bob's white\"]]]");
  }

  @Test
  void theKeyboardAlone_createsFillsAndDeletesAnEstimate_andTheFocusStaysWhereThePersonWorks() {
    JsonNode seen = scenarios.passed("keyboard");

    assertThat(seen.get("undone").toString()).isEqualTo("[[[\"Hall\",[10,2,3]],[\"Attic\"]],\"€60.00\"]");
  }

  @Test
  void anEstimateThatIsNone_orAnAddressThatIsNoPage_saysSo_andOpensNoDocument() {
    JsonNode seen = scenarios.passed("missing");

    assertThat(seen.get("shown").get("zzzzzzzzzz").asText()).startsWith("No estimate “zzzzzzzzzz”");
    assertThat(seen.get("shown").get("path").asText()).isEqualTo("No page here");
  }
}
