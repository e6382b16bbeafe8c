package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeProcessTest {

  @Test
  void run_generateFixturesCheck_findsCommittedFixturesUpToDate() {
    // A few seconds on an idle machine; over a minute at a load of 50 (the bound is only for a script that hangs).
    NodeProcess.Result result = NodeProcess.run("generate-fixtures.mjs", Duration.ofMinutes(5), "--check");

    assertThat(result.exitCode())
        .as("the committed Yjs fixtures differ from what the pinned yjs generates now:%n%s%s", result.stdout(), result.stderr())
        .isZero();
  }

  @Test
  void run_scriptPastItsTimeout_isKilled() {
    assertThatThrownBy(() -> NodeProcess.run("-e", Duration.ofMillis(300), "setInterval(() => {}, 1000)"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not finish within");
  }
}
