package ai.candlefish.collab.server.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The connections of one event loop that were written to and wait for a flush: flushed together by one task, so
 * that several messages to one client cost one flush, one system call, and the loop one task rather than one per
 * connection. Without a flush interval the task runs at the end of the event loop's turn (the messages of one turn:
 * a busy document, the replies to a sync); with one it runs that long after the first write it flushes, so that a
 * client's messages of the whole interval share a write and the client one wake-up, and the loop's writes go out
 * back to back, which a kernel does for a fraction of what the same writes cost one by one.
 *
 * <p>Threads: confined to its event loop (one per event loop thread).
 */
final class FlushBatch implements Runnable {
  private static final FastThreadLocal<FlushBatch> BATCHES = new FastThreadLocal<>();

  private final EventLoop loop;
  private final int delayNanos;
  private ArrayList<OutboundBudget> waiting = new ArrayList<>();
  private ArrayList<OutboundBudget> flushing = new ArrayList<>();

  private FlushBatch(EventLoop loop, int delayNanos) {
    this.loop = loop;
    this.delayNanos = delayNanos;
  }

  /**
   * Flushes {@code budget}'s channel on {@code loop} at most {@code delayNanos} from now, or at the end of this turn
   * if zero; called on {@code loop}, at most once per flush of the channel.
   */
  static void add(EventLoop loop, OutboundBudget budget, int delayNanos) {
    FlushBatch batch = BATCHES.get();
    if (batch == null || batch.loop != loop || batch.delayNanos != delayNanos) {
      batch = new FlushBatch(loop, delayNanos);
      BATCHES.set(batch);
    }
    if (batch.waiting.isEmpty()) {
      try {
        if (delayNanos == 0) {
          loop.execute(batch);
        } else {
          loop.schedule(batch, delayNanos, TimeUnit.NANOSECONDS);
        }
      } catch (RejectedExecutionException e) {
        budget.flush(); // the event loop is shutting down: no later turn
        return;
      }
    }
    batch.waiting.add(budget);
  }

  @Override
  public void run() {
    // What a flush writes may add to the next batch (a channel that became writable again): swap first.
    ArrayList<OutboundBudget> now = waiting;
    waiting = flushing;
    flushing = now;
    for (int i = 0; i < now.size(); i++) {
      now.get(i).flush();
    }
    now.clear();
  }
}
