package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void delay_allowsTheBurst_thenSaysHowLongUntilTheNextToken() {
    RateLimiter limiter = new RateLimiter(10, 3, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.delay(0)).isZero();
      limiter.take(1);
    }
    assertThat(limiter.delay(0)).isCloseTo(SECOND / 10, within(1L));
    assertThat(limiter.delay(0)).as("asking takes nothing").isCloseTo(SECOND / 10, within(1L));
    assertThat(limiter.delay(SECOND / 10)).isZero();
  }

  @Test
  void delay_refillsAtTheRate_upToTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 2, 0);
    limiter.take(2);
    assertThat(limiter.delay(SECOND / 10)).isZero();
    assertThat(limiter.delay(100 * SECOND)).isZero();
    limiter.take(2);
    assertThat(limiter.delay(100 * SECOND)).isPositive();
  }

  @Test
  void take_aCostAboveTheTokens_goesIntoDebt_thatIsWaitedOut() {
    RateLimiter bytes = new RateLimiter(1000, 1000, 0);
    assertThat(bytes.delay(0)).isZero();
    bytes.take(3000); // one large message: -2000
    assertThat(bytes.delay(0)).isCloseTo(2001 * SECOND / 1000, within(1L));
    assertThat(bytes.delay(SECOND)).isCloseTo(1001 * SECOND / 1000, within(1L));
    assertThat(bytes.delay(3 * SECOND)).isZero();
  }
}
