package ai.candlefish.collab.server.internal;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Not thread-safe (one
 * connection's event loop uses it).
 */
final class RateLimiter {
  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  RateLimiter(int ratePerSecond, int burst, long nowNanos) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /**
   * Takes a token; returns 0 if one was there, else how many nanoseconds until the bucket is back to one token
   * (the token is taken anyway: the message is handled, the caller pauses reading for that long).
   */
  long take(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * tokensPerNano);
    lastNanos = nowNanos;
    tokens -= 1;
    if (tokens >= 0) {
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / tokensPerNano);
  }
}
