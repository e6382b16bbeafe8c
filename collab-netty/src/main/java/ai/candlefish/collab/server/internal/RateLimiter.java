package ai.candlefish.collab.server.internal;

/**
 * A token bucket's rate and burst, shared by every bucket of its kind; a bucket itself is one {@code long} that its
 * owner keeps (a server holds 10,000s of connections with five buckets each: a bucket object apiece cost 48 bytes).
 * The {@code long} is the time at which the bucket was (or, in debt, will be) empty: it holds
 * {@code (now - bucket) * rate} tokens, at most {@code burst}. The caller asks {@link #delay} before the work and
 * {@link #take}s only when it does the work, so nothing over the rate is done first and paid for after. A cost above
 * one (bytes) may take the bucket into debt, which later calls wait out.
 *
 * <p>Immutable; a bucket belongs to one thread (a connection's event loop, or a document's lane).
 */
final class RateLimiter {
  private final double nanosPerToken;
  /** How long an empty bucket takes to fill up to the burst. */
  private final long fillNanos;

  RateLimiter(long ratePerSecond, long burst) {
    this.nanosPerToken = 1e9 / ratePerSecond;
    this.fillNanos = (long) Math.min(Long.MAX_VALUE / 4, Math.ceil(burst * nanosPerToken));
  }

  /** A full bucket at {@code nowNanos}. */
  long full(long nowNanos) {
    return nowNanos - fillNanos;
  }

  /** 0 if {@code bucket} has a token at {@code nowNanos}, else how many nanoseconds until it has one. */
  long delay(long bucket, long nowNanos) {
    double wait = (Math.max(bucket, nowNanos - fillNanos) - nowNanos) + nanosPerToken; // exact at any clock reading
    return wait <= 0 ? 0 : (long) Math.ceil(wait);
  }

  /** {@code bucket} after taking {@code cost} tokens at {@code nowNanos} (after {@link #delay} said 0). */
  long take(long bucket, long nowNanos, long cost) {
    return Math.max(bucket, nowNanos - fillNanos) + (long) Math.ceil(cost * nanosPerToken);
  }
}
