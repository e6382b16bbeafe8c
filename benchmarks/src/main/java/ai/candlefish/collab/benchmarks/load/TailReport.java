package ai.candlefish.collab.benchmarks.load;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where a relay's slow deliveries were late ({@code -Dload.tailMillis=T}): for every update some receiver got T ms or
 * more after it was sent, whether the receivers on the sender's own node got it late too (then it was late before
 * the sender's node relayed it: the generator's send, the node's event loop, the apply), only those on the other
 * nodes (late between the sender's node and the others: its store and commit, the publish, Redis, the other node's
 * reader and event loop), or only some receivers on either (late on the receiving side: that client's event loop
 * in the generator, or one node's loop). "Late" for a group is its earliest receipt at T / 2 or more.
 *
 * <p>Besides, the generator's own part: each of its event loops runs a timer every {@link #PROBE_MILLIS}, and a
 * timer that runs T / 2 or more late is a <em>generator stall</em> (the loop was busy, descheduled or stopped at a
 * safepoint; its receipts waited as long). A slow update whose time in flight (sent to last receipt) overlaps a
 * generator stall is counted as such: what is left is the servers' (or the machine's, for all processes alike).
 * With the worst updates' send times (wall clock), to set beside GC and compaction logs.
 *
 * <p>Off unless {@code load.tailMillis} is set (the tracker then holds no report). Thread-safe.
 */
final class TailReport {
  private record Slow(long sentNanos, int node, long firstSame, long lastSame, long firstCross, long lastCross) {
    long worstMicros() {
      return Math.max(lastSame, lastCross);
    }
  }

  /** A generator loop's timer was due at {@code fromNanos} and ran at {@code toNanos}. */
  private record Stall(long fromNanos, long toNanos) {}

  private static final int WORST = 12;
  private static final long PROBE_MILLIS = 10;
  private static final long LAG_HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);
  /** Stalls are kept this long, so that an update that was slow across a report's boundary still finds its stall. */
  private static final long STALLS_KEPT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final long thresholdMicros;
  private final long wallMinusNanos = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
  /** The slow updates since the last report; under this. */
  private final List<Slow> slow = new ArrayList<>();
  /** The generator's stalls of the last {@link #STALLS_KEPT_NANOS}, oldest first; under this. */
  private final Deque<Stall> stalls = new ArrayDeque<>();
  /** How late the generator's event loops ran their timers (µs). */
  private final Recorder loopLag = new Recorder(LAG_HIGHEST_MICROS, 3);

  /** A report of the updates some receiver got {@code thresholdMillis} or more after they were sent. */
  TailReport(long thresholdMillis) {
    this.thresholdMicros = thresholdMillis * 1000;
  }

  /** A report for {@code load.tailMillis}, or null if it is not set. */
  static TailReport fromProperty() {
    Long millis = Long.getLong("load.tailMillis");
    return millis == null ? null : new TailReport(millis);
  }

  /**
   * Measures how late {@code loops} (the generator's) run a timer. Each timer is scheduled when the last one ran, so
   * a stall is counted once and does not move the deadlines after it (round 18's fixed-rate task: its catch-up runs
   * came early against the deadlines the probe kept, and every later lag read as 0).
   */
  void watch(EventLoopGroup loops) {
    for (EventExecutor loop : loops) {
      new LoopProbe(loop).schedule();
    }
  }

  private final class LoopProbe implements Runnable {
    private final EventExecutor loop;
    private long dueNanos;

    LoopProbe(EventExecutor loop) {
      this.loop = loop;
    }

    void schedule() {
      dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS);
      loop.schedule(this, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      long lateMicros = Math.max(0, Math.min(LAG_HIGHEST_MICROS, (now - dueNanos) / 1000));
      loopLag.recordValue(lateMicros);
      if (lateMicros >= thresholdMicros / 2) {
        stalled(dueNanos, now);
      }
      if (!loop.isShuttingDown()) {
        schedule();
      }
    }
  }

  private synchronized void stalled(long fromNanos, long toNanos) {
    stalls.addLast(new Stall(fromNanos, toNanos));
    while (stalls.getFirst().toNanos() < toNanos - STALLS_KEPT_NANOS) {
      stalls.removeFirst();
    }
  }

  /** Every receiver got an update: its earliest and latest receipts (µs; -1 where a group had none). */
  synchronized void delivered(long sentNanos, int node, long firstSame, long lastSame, long firstCross,
      long lastCross) {
    Slow s = new Slow(sentNanos, node, firstSame, lastSame, firstCross, lastCross);
    if (s.worstMicros() >= thresholdMicros) {
      slow.add(s);
    }
  }

  private boolean inStall(Slow s) {
    long last = s.sentNanos() + s.worstMicros() * 1000;
    for (Stall stall : stalls) {
      if (stall.fromNanos() < last && stall.toNanos() > s.sentNanos()) {
        return true;
      }
    }
    return false;
  }

  /** What was seen since the last call, as log lines; resets. */
  synchronized String take() {
    long late = thresholdMicros / 2;
    long senderSide = 0;
    long crossOnly = 0;
    long receiverSide = 0;
    long generator = 0;
    for (Slow s : slow) {
      if (s.firstSame() >= late) {
        senderSide++;
      } else if (s.firstCross() >= late) {
        crossOnly++;
      } else {
        receiverSide++;
      }
      if (inStall(s)) {
        generator++;
      }
    }
    Histogram lag = loopLag.getIntervalHistogram();
    StringBuilder out = new StringBuilder();
    out.append(slow.size()).append(" updates delivered ").append(thresholdMicros / 1000).append(" ms or more late: ")
        .append(senderSide).append(" late on the sender's node too, ").append(crossOnly)
        .append(" late only on the other nodes, ").append(receiverSide).append(" late for some receivers only; ")
        .append(generator).append(" of them in flight during a generator stall (a loop's timer ").append(late / 1000)
        .append(" ms or more late)");
    out.append(String.format("; the generator's loops ran their timers p50 %.1f, p99 %.1f, max %.1f ms late",
        lag.getValueAtPercentile(50) / 1000.0, lag.getValueAtPercentile(99) / 1000.0, lag.getMaxValue() / 1000.0));
    slow.sort(Comparator.comparingLong(Slow::worstMicros).reversed());
    for (Slow s : slow.subList(0, Math.min(WORST, slow.size()))) {
      out.append(String.format("%n  sent %s by a client of node %d: same node %.1f-%.1f ms, other nodes %.1f-%.1f ms%s",
          Instant.ofEpochSecond(0, s.sentNanos() + wallMinusNanos), s.node(), s.firstSame() / 1000.0,
          s.lastSame() / 1000.0, s.firstCross() / 1000.0, s.lastCross() / 1000.0,
          inStall(s) ? " (generator stalled meanwhile)" : ""));
    }
    slow.clear();
    return out.toString();
  }
}
