package ai.candlefish.collab.benchmarks.crdtbench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PairedRunsTest {
  @Test
  void line_ratiosArePairedByRound() {
    // The second build is 10 % faster in every round although the rounds' levels differ twofold.
    double[][] cpu = {{10, 20, 15}, {9, 18, 13.5}};
    double[][] allocated = {{100, 100, 100}, {90, 90, 90}};

    String line = PairedRuns.line("B1.7", 1, "new.jar", cpu, allocated);

    assertThat(line).contains("\"row\":\"B1.7\"", "\"jar\":\"new.jar\"")
        .contains("\"cpuMs\":{\"median\":13.5000,\"q1\":9.0000,\"q3\":18.0000,\"n\":3}")
        .contains("\"cpuRatio\":{\"median\":0.9000,\"q1\":0.9000,\"q3\":0.9000,\"n\":3}");
  }

  @Test
  void line_firstBuildIsItsOwnReference() {
    double[][] cpu = {{10, 20}, {11, 19}};

    assertThat(PairedRuns.line("B2.2", 0, "old.jar", cpu, cpu))
        .contains("\"cpuRatio\":{\"median\":1.0000,\"q1\":1.0000,\"q3\":1.0000,\"n\":2}");
  }
}
