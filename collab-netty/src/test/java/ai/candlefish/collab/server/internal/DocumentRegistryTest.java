package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.DocumentKey;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class DocumentRegistryTest {
  private static final int SLICES = ServerRuntime.AWARENESS_CHECK_SLICES;

  /** How many of 5,000 documents named by {@code name} fall into each slice. */
  private static List<Integer> slices(IntFunction<DocumentKey> name) {
    int[] counts = new int[SLICES];
    for (int i = 0; i < 5_000; i++) {
      int slice = DocumentRegistry.awarenessSlice(name.apply(i), SLICES);
      assertThat(slice).isBetween(0, SLICES - 1);
      counts[slice]++;
    }
    return Arrays.stream(counts).boxed().toList();
  }

  @Test
  void awarenessSlice_ofNumberedNames_spreadsThemOverEverySlice() {
    // 100 a slice on average; a slice with none or several times that would check their documents in a burst.
    assertThat(slices(i -> DocumentKey.of("t", "doc-" + i))).allSatisfy(n -> assertThat(n).isBetween(50, 200));
    assertThat(slices(i -> DocumentKey.of("tenant-" + i % 7, "idle-" + i))).allSatisfy(n -> assertThat(n)
        .isBetween(50, 200));
  }

  @Test
  void awarenessSlice_ofRandomNames_spreadsThemOverEverySlice() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    assertThat(slices(i -> DocumentKey.of("t", new UUID(random.nextLong(), random.nextLong()).toString())))
        .as("seed %d", seed).allSatisfy(n -> assertThat(n).isBetween(50, 200));
  }

  @Test
  void awarenessSlice_isTheSameForTheSameKey() {
    assertThat(DocumentRegistry.awarenessSlice(DocumentKey.of("t", "plans"), SLICES))
        .isEqualTo(DocumentRegistry.awarenessSlice(DocumentKey.of("t", "plans"), SLICES));
  }
}
