package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Renaming an estimate from its page, in one Chromium: {@code src/test/js/paintbox-rename.mjs} runs the scenarios (its
 * header says what each does and expects). {@link PaintboxClusterTest} runs the race with a page on each instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaintboxRenameBrowserTest {
  @TempDir
  static Path dataDir; // static: used before the tests

  private NodeScenarios scenarios;

  @BeforeAll
  void runScenarios() throws Exception {
    try (ConfigurableApplicationContext app = LocalPaintbox.start(dataDir)) {
      String base = LocalPaintbox.base(app);
      scenarios = NodeScenarios.run("paintbox-rename.mjs", "scenario", List.of(base,
          LocalPaintbox.shots("rename"), "rename", "race"), Map.of());
    }
  }

  @Test
  void renamingFromThePage_showsTheNewTitleOnEveryPageAndInTheList_andRefusesBadTitlesSayingWhy() {
    JsonNode seen = scenarios.passed("rename");

    assertThat(seen.get("refused").get("blank").asText()).isEqualTo("an estimate needs a title");
    assertThat(seen.get("refused").get("long").asText()).isEqualTo("the title has 121 characters; at most 120 fit");
    assertThat(seen.get("refused").get("control").asText())
        .isEqualTo("the title may not contain control characters (line breaks, tabs)");
    assertThat(seen.get("unchanged").asText()).isEqualTo("Flat");
    // The server's, Alice's two tabs', Bob's and Carol's list's.
    assertThat(seen.get("renamed")).hasSize(5).allSatisfy(t -> assertThat(t.asText())
        .isEqualTo("Flat in Elm Street, 2nd floor ✓"));
  }

  @Test
  void twoRenamesAtOnce_endWithOneNameOnEveryPage_theOneTheListHas() {
    JsonNode seen = scenarios.passed("race");

    assertThat(seen.get("rounds")).hasSize(3);
    for (int round = 1; round <= 3; round++) {
      assertThat(seen.get("rounds").get(round - 1).asText()).isIn("Alice's name " + round, "Bob's name " + round);
    }
  }
}
