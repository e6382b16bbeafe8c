package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void take_allowsTheBurst_thenAsksForAPause() {
    RateLimiter limiter = new RateLimiter(10, 3, 0);
    assertThat(limiter.take(0)).isZero();
    assertThat(limiter.take(0)).isZero();
    assertThat(limiter.take(0)).isZero();
    assertThat(limiter.take(0)).isEqualTo(2 * SECOND / 10); // one in debt: back to one token in 0.2 s
  }

  @Test
  void take_refillsAtTheRate_upToTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 2, 0);
    limiter.take(0);
    limiter.take(0);
    assertThat(limiter.take(SECOND / 10)).isZero();
    assertThat(limiter.take(100 * SECOND)).isZero();
    assertThat(limiter.take(100 * SECOND)).isZero();
    assertThat(limiter.take(100 * SECOND)).isPositive();
  }
}
