package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import io.netty.channel.EventLoopGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Relay latency: the time from a client sending an update to each other client of the document receiving it, in
 * one JVM (one {@link System#nanoTime()} clock for senders and receivers).
 *
 * <p>A sent update is identified by the id of its first struct, (client, clock), read from the update's header: a
 * client's edit is one transaction of its own client id. ({@code Updates.stateVector} cannot serve here: like Yjs's
 * {@code encodeStateVectorFromUpdate} it counts a client only from clock 0.) A receiver reports what each update
 * it applied added to its document: for each client, the clocks from its state vector before to after. That
 * counts an update relayed as it was sent as well as several updates that a server merged into one message
 * (Hocuspocus merges the updates of one event-loop turn). Each sent update waits in a shared map for as many
 * receipts as its document had other clients; the last receipt removes it, so what is left in the map at the end
 * was not delivered to everyone.
 *
 * <p>For protocols whose server acknowledges updates (collab/1), it also records the ack latency: from sending an
 * update to the server's acknowledgement (which comes once the update is applied and stored), in a histogram of its
 * own.
 *
 * <p>Thread-safe.
 */
final class LatencyTracker {
  /** Latencies are recorded in microseconds, up to a minute, with three significant digits. */
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

  private static class Pending {
    final long sentNanos;
    final AtomicInteger remaining;
    /** The server node the sender is connected to (0 with one server). */
    final int node;

    Pending(long sentNanos, int receivers, int node) {
      this.sentNanos = sentNanos;
      this.remaining = new AtomicInteger(receivers);
      this.node = node;
    }
  }

  /** A sent update whose receipts {@link TailReport} classifies (only with {@code load.tailMillis}). */
  private static final class TracedPending extends Pending {
    /** The earliest and latest receipt on the sender's node and on other nodes (µs; -1: none yet); under this. */
    long firstSame = -1;
    long lastSame = -1;
    long firstCross = -1;
    long lastCross = -1;

    TracedPending(long sentNanos, int receivers, int node) {
      super(sentNanos, receivers, node);
    }

    synchronized void received(long micros, boolean sameNode) {
      if (sameNode) {
        firstSame = firstSame < 0 ? micros : Math.min(firstSame, micros);
        lastSame = Math.max(lastSame, micros);
      } else {
        firstCross = firstCross < 0 ? micros : Math.min(firstCross, micros);
        lastCross = Math.max(lastCross, micros);
      }
    }

    synchronized void report(TailReport tails) {
      tails.delivered(sentNanos, node, firstSame, lastSame, firstCross, lastCross);
    }
  }

  /** Sent updates waiting for receipts: client id to the updates' first clocks. */
  private final ConcurrentHashMap<Long, ConcurrentSkipListMap<Long, Pending>> pending = new ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  /** The receipts whose receiver is connected to another server node than the sender (a cluster's relay). */
  private final Recorder crossNodeRecorder = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder sent = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder unmatched = new LongAdder();
  private final Recorder ackRecorder = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder ackRequested = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  /** Where the slowest deliveries were late, with {@code load.tailMillis} set; null otherwise. */
  private final TailReport tails = TailReport.fromProperty();

  /**
   * The key of an update: its first struct's client (32 bits) and clock (32 bits), or -1 for an update without
   * structs (a deletion only).
   */
  static long key(byte[] update) {
    Lib0Decoder in = new Lib0Decoder(update);
    long clients = in.readVarUint();
    if (clients == 0) {
      return -1;
    }
    long structs = in.readVarUint();
    if (structs == 0) {
      return -1;
    }
    long client = in.readVarUint();
    long clock = in.readVarUint();
    return (client << 32) | (clock & 0xFFFFFFFFL);
  }

  /** An update was sent at {@code nanos}, for {@code receivers} other clients. */
  void sent(byte[] update, int receivers, long nanos) {
    sent(update, receivers, nanos, 0);
  }

  /** An update was sent at {@code nanos}, for {@code receivers} other clients, by a client of server {@code node}. */
  void sent(byte[] update, int receivers, long nanos, int node) {
    long key = key(update);
    if (key == -1 || receivers == 0) {
      return;
    }
    sent.increment();
    pending.computeIfAbsent(key >>> 32, c -> new ConcurrentSkipListMap<>())
        .put(key & 0xFFFFFFFFL, tails == null ? new Pending(nanos, receivers, node)
            : new TracedPending(nanos, receivers, node));
  }

  /**
   * A client applied, at {@code nanos}, an update that gave it {@code client}'s structs from clock
   * {@code fromClock} (inclusive) to {@code toClock} (exclusive): each sent update of that client starting there
   * was delivered to it.
   */
  void received(long client, long fromClock, long toClock, long nanos) {
    received(client, fromClock, toClock, nanos, 0);
  }

  /** {@link #received(long, long, long, long)} by a client of server {@code node}. */
  void received(long client, long fromClock, long toClock, long nanos, int node) {
    ConcurrentSkipListMap<Long, Pending> updates = pending.get(client);
    Map<Long, Pending> delivered = updates == null ? Map.of() : updates.subMap(fromClock, toClock);
    if (delivered.isEmpty()) {
      unmatched.increment();
      return;
    }
    for (Map.Entry<Long, Pending> e : delivered.entrySet()) {
      Pending p = e.getValue();
      this.delivered.increment();
      long micros = Math.min(HIGHEST_MICROS, Math.max(0, (nanos - p.sentNanos) / 1000));
      recorder.recordValue(micros);
      if (p.node != node) {
        crossNodeRecorder.recordValue(micros);
      }
      if (p instanceof TracedPending traced) {
        traced.received(micros, p.node == node);
      }
      if (p.remaining.decrementAndGet() == 0) {
        updates.remove(e.getKey(), p);
        if (p instanceof TracedPending traced) {
          traced.report(tails);
        }
      }
    }
  }

  /** An update was sent with a request for an acknowledgement. */
  void ackRequested() {
    ackRequested.increment();
  }

  /** The server acknowledged at {@code nanos} an update sent at {@code sentNanos}. */
  void acknowledged(long sentNanos, long nanos) {
    acknowledged.increment();
    ackRecorder.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (nanos - sentNanos) / 1000)));
  }

  /** Updates sent with a request for an acknowledgement that has not come (yet). */
  long unacknowledged() {
    return ackRequested.sum() - acknowledged.sum();
  }

  long acknowledgedCount() {
    return acknowledged.sum();
  }

  /** The ack latencies recorded since the last call (microseconds). */
  Histogram takeAckHistogram() {
    return ackRecorder.getIntervalHistogram();
  }

  /** Updates sent that some receiver has not received yet. */
  int undelivered() {
    return pending.values().stream().mapToInt(Map::size).sum();
  }

  long sentCount() {
    return sent.sum();
  }

  long deliveredCount() {
    return delivered.sum();
  }

  /** Receipts that contained no update sent by a tracked client (or came after all receipts were counted). */
  long unmatchedCount() {
    return unmatched.sum();
  }

  /** The latencies recorded since the last call (microseconds). */
  Histogram takeHistogram() {
    return recorder.getIntervalHistogram();
  }

  /** With {@code load.tailMillis} set, measures how late {@code loops} (the generator's) run their tasks. */
  void watch(EventLoopGroup loops) {
    if (tails != null) {
      tails.watch(loops);
    }
  }

  /** Where the slow deliveries since the last call were late (null without {@code load.tailMillis}); resets it. */
  String takeTails() {
    return tails == null ? null : tails.take();
  }

  /** The latencies of receipts on another node than the sender's, recorded since the last call (microseconds). */
  Histogram takeCrossNodeHistogram() {
    return crossNodeRecorder.getIntervalHistogram();
  }
}
