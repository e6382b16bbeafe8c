package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void delay_allowsTheBurst_thenSaysHowLongUntilTheNextToken() {
    RateLimiter limiter = new RateLimiter(10, 3);
    long bucket = limiter.full(0);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.delay(bucket, 0)).isZero();
      bucket = limiter.take(bucket, 0, 1);
    }
    assertThat(limiter.delay(bucket, 0)).isCloseTo(SECOND / 10, within(1L));
    assertThat(limiter.delay(bucket, 0)).as("asking takes nothing").isCloseTo(SECOND / 10, within(1L));
    assertThat(limiter.delay(bucket, SECOND / 10)).isZero();
  }

  @Test
  void delay_refillsAtTheRate_upToTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 2);
    long bucket = limiter.take(limiter.full(0), 0, 2);
    assertThat(limiter.delay(bucket, SECOND / 10)).isZero();
    assertThat(limiter.delay(bucket, 100 * SECOND)).isZero();
    bucket = limiter.take(bucket, 100 * SECOND, 2);
    assertThat(limiter.delay(bucket, 100 * SECOND)).as("saved up no more than the burst").isPositive();
  }

  @Test
  void take_aCostAboveTheTokens_goesIntoDebt_thatIsWaitedOut() {
    RateLimiter bytes = new RateLimiter(1000, 1000);
    long bucket = bytes.full(0);
    assertThat(bytes.delay(bucket, 0)).isZero();
    bucket = bytes.take(bucket, 0, 3000); // one large message: -2000
    assertThat(bytes.delay(bucket, 0)).isCloseTo(2001 * SECOND / 1000, within(1L));
    assertThat(bytes.delay(bucket, SECOND)).isCloseTo(1001 * SECOND / 1000, within(1L));
    assertThat(bytes.delay(bucket, 3 * SECOND)).isZero();
  }

  @Test
  void aBucketStartedAtAnyClockReading_behavesAlike() {
    RateLimiter limiter = new RateLimiter(5, 2);
    for (long origin : new long[] {Long.MIN_VALUE / 2, -SECOND, 0, Long.MAX_VALUE / 2}) {
      long bucket = limiter.full(origin);
      bucket = limiter.take(bucket, origin, 2);
      assertThat(limiter.delay(bucket, origin)).isCloseTo(SECOND / 5, within(1L));
      assertThat(limiter.delay(bucket, origin + SECOND / 5)).isZero();
    }
  }
}
