package ai.candlefish.collab.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientEngineTest {
  private static final long MIN = 100;
  private static final long MAX = 10_000;

  @Test
  void backoffNanos_doublesFromMinUpToMax_withinHalfToAll() {
    assertThat(ClientEngine.backoffNanos(0, MIN, MAX, 0.0)).isEqualTo(50);
    assertThat(ClientEngine.backoffNanos(0, MIN, MAX, 0.999)).isBetween(50L, 100L);
    assertThat(ClientEngine.backoffNanos(3, MIN, MAX, 0.0)).isEqualTo(400);
    assertThat(ClientEngine.backoffNanos(3, MIN, MAX, 0.999)).isBetween(400L, 800L);
    assertThat(ClientEngine.backoffNanos(7, MIN, MAX, 0.0)).isEqualTo(5000);
  }

  @Test
  void backoffNanos_manyFailures_staysAtMaxWithoutOverflow() {
    for (int failures : new int[] {8, 40, 57, 61, 62, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(ClientEngine.backoffNanos(failures, MIN, MAX, 0.5)).as("%d failures", failures)
          .isBetween(MAX / 2, MAX);
    }
    long hugeMin = Long.MAX_VALUE / 4;
    assertThat(ClientEngine.backoffNanos(5, hugeMin, Long.MAX_VALUE, 0.0)).isEqualTo(Long.MAX_VALUE / 2);
  }
}
