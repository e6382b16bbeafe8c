package ai.candlefish.collab.server.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the connections one limit refused, and says when to report them: the first at once, then at most once a
 * minute, with how many since the last report. Without a report, a load test or a site behind a proxy that runs
 * into a connection limit sees sockets closed without a word (each refusal is counted in {@code
 * collab.connections.refused} and logged at debug only: a flood must not become a flood of log lines). Thread-safe.
 */
final class RefusalReports {
  private static final long PERIOD = TimeUnit.MINUTES.toNanos(1);

  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong nextReport;

  /** @param now {@link System#nanoTime()} now */
  RefusalReports(long now) {
    this.nextReport = new AtomicLong(now);
  }

  /**
   * Counts a refusal at {@code now} ({@link System#nanoTime()}); returns how many to report (this one and those
   * not reported yet), or 0 when a report was due less than a minute ago.
   */
  long refused(long now) {
    refused.incrementAndGet();
    long next = nextReport.get();
    if (now - next < 0 || !nextReport.compareAndSet(next, now + PERIOD)) {
      return 0;
    }
    return refused.getAndSet(0);
  }
}
