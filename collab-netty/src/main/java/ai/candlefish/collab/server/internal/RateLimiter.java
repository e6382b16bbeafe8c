package ai.candlefish.collab.server.internal;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. The caller asks
 * {@link #delay} before the work and {@link #take}s only when it does the work, so nothing over the rate is done
 * first and paid for after. A cost above one (bytes) may take the bucket into debt, which later calls wait out.
 * Not thread-safe (one connection's event loop, or one document's lane, uses it).
 */
final class RateLimiter {
  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  RateLimiter(long ratePerSecond, long burst, long nowNanos) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** 0 if there is a token now, else how many nanoseconds until there is one. */
  long delay(long nowNanos) {
    tokens = Math.min(burst, tokens + Math.max(0, nowNanos - lastNanos) * tokensPerNano);
    lastNanos = Math.max(lastNanos, nowNanos);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / tokensPerNano);
  }

  /** Takes {@code cost} tokens (after {@link #delay} said 0). */
  void take(long cost) {
    tokens -= cost;
  }
}
