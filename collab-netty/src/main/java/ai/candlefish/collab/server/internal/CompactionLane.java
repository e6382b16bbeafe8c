package ai.candlefish.collab.server.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a cluster node's compactions run: one at a time, and after each a rest of {@value #REST_FACTOR} times as
 * long as it took, so that compaction takes at most a quarter of one lane's time, and of the database's, however
 * many documents are due at once.
 *
 * <p>Why the rest: documents that were loaded together and are written at the same rate pass their compaction
 * threshold together (a start, a deploy, a benchmark's 100 documents at 10 updates/s each). One at a time (the lane
 * alone) they still kept one database backend busy for seconds on end, and every other node's commits, whose
 * acknowledgements and copies to the other nodes wait for them, shared the machine with it. Compaction is never
 * urgent: a document's writes do not wait for it (StoreWriter), and the pieces that pile up meanwhile are folded in
 * by the next one.
 *
 * <p>Thread-safe. Runs its compactions on a pool (they block on the database); the rest ends on a timer.
 */
final class CompactionLane implements Executor {
  private static final Logger log = LoggerFactory.getLogger(CompactionLane.class);
  /** How many times a compaction's duration the lane rests after it. */
  static final int REST_FACTOR = 3;

  /** Runs {@code task} after {@code nanos}; throws {@link RejectedExecutionException} once closed. */
  interface Timer {
    void schedule(Runnable task, long nanos);
  }

  private final SerialExecutor lane;
  private final Timer timer;
  private final LongSupplier nanoTime;

  CompactionLane(Executor pool, Timer timer, LongSupplier nanoTime) {
    this.lane = new SerialExecutor(pool, "compactions", false);
    this.timer = timer;
    this.nanoTime = nanoTime;
  }

  /** Queues a compaction: it runs after those queued before it, and after the rest that follows each. */
  @Override
  public void execute(Runnable compaction) {
    lane.execute(() -> {
      long start = nanoTime.getAsLong();
      try {
        compaction.run();
      } finally {
        rest(nanoTime.getAsLong() - start);
      }
    });
  }

  /** The lane's thread, at the end of a compaction: holds the next one for a while. */
  private void rest(long tookNanos) {
    long rest = tookNanos * REST_FACTOR;
    if (rest <= 0) {
      return;
    }
    lane.pause();
    try {
      timer.schedule(() -> lane.resume(() -> { }), rest);
    } catch (RejectedExecutionException e) {
      // The server is closing: the compactions still queued are dropped (a cluster does not need them to close).
      log.debug("compaction lane closed during a rest");
    }
  }

  @Override
  public String toString() {
    return lane.toString();
  }
}
