package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RefusalReportsTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void theFirstRefusalIsReportedAtOnce_thenAtMostOnceAMinuteWithTheCountSince() {
    for (long start : new long[] {0, -5 * SECOND, Long.MAX_VALUE - 30 * SECOND}) { // nanoTime may be anything
      RefusalReports reports = new RefusalReports(start);
      assertThat(reports.refused(start + SECOND)).isEqualTo(1);
      assertThat(reports.refused(start + 2 * SECOND)).isZero();
      assertThat(reports.refused(start + 60 * SECOND)).isZero();
      assertThat(reports.refused(start + 61 * SECOND)).as("three since the first report").isEqualTo(3);
      assertThat(reports.refused(start + 62 * SECOND)).isZero();
      assertThat(reports.refused(start + 600 * SECOND)).isEqualTo(2);
    }
  }
}
