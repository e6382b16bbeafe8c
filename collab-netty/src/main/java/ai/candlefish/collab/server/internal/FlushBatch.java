package ai.candlefish.collab.server.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connections of one event loop that were written to and wait for a flush: flushed together by one task at the
 * end of the event loop's turn, so that several messages to one client in a turn (a busy document, the replies to a
 * sync) cost one flush, one system call, and the turn one task rather than one per connection.
 *
 * <p>Threads: confined to its event loop (one per event loop thread).
 */
final class FlushBatch implements Runnable {
  private static final FastThreadLocal<FlushBatch> BATCHES = new FastThreadLocal<>();

  private final EventLoop loop;
  private ArrayList<OutboundBudget> waiting = new ArrayList<>();
  private ArrayList<OutboundBudget> flushing = new ArrayList<>();

  private FlushBatch(EventLoop loop) {
    this.loop = loop;
  }

  /** Flushes {@code budget}'s channel at the end of this turn of {@code loop} (on {@code loop}, once per turn). */
  static void add(EventLoop loop, OutboundBudget budget) {
    FlushBatch batch = BATCHES.get();
    if (batch == null || batch.loop != loop) {
      batch = new FlushBatch(loop);
      BATCHES.set(batch);
    }
    if (batch.waiting.isEmpty()) {
      try {
        loop.execute(batch);
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
