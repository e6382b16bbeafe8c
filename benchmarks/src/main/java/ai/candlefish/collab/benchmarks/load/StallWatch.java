package ai.candlefish.collab.benchmarks.load;

import java.time.Instant;

/**
 * A JVM's stalls, for {@code -Dload.stallMillis=T} on {@link ClusterLoadServer} or {@link LoadGenerator}: a thread of
 * its own sleeps 5 ms at a time and prints every wake-up T ms or more late, with its wall-clock time, to standard
 * output (the process's log). What holds every thread of the JVM (a GC pause, a safepoint, the process waiting for a
 * core) shows here, unlike {@link TailReport}'s loop timers, which also wait for a busy loop; set beside the load
 * generator's slowest deliveries ({@code load.tailMillis}), it says whether a node or the generator was stalled then.
 * Off unless set.
 */
final class StallWatch {
  private static final long SLEEP_MILLIS = 5;

  private StallWatch() {}

  /** Starts the watch if {@code load.stallMillis} is set. */
  static void startFromProperty() {
    Long threshold = Long.getLong("load.stallMillis");
    if (threshold == null) {
      return;
    }
    Thread t = new Thread(() -> {
      while (true) {
        long before = System.nanoTime();
        try {
          Thread.sleep(SLEEP_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        long lateMillis = (System.nanoTime() - before) / 1_000_000 - SLEEP_MILLIS;
        if (lateMillis >= threshold) {
          System.out.println("stall: woke " + lateMillis + " ms late at " + Instant.now());
        }
      }
    }, "stall-watch");
    t.setDaemon(true);
    t.start();
  }
}
