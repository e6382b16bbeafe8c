package ai.candlefish.collab.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * What one client is sent, and the bytes queued for it and not yet written, against the outbound limit: a client
 * that does not read is closed rather than buffered for without bound. A document's first full state is exempt, so
 * that a document larger than the limit can be opened, but only one at a time: while one is still unsent, another
 * counts like any message.
 *
 * <p>What is queued is Netty's own count ({@link ChannelOutboundBuffer#totalPendingWriteBytes}: the messages in the
 * channel's outbound buffer, each with Netty's overhead for it) plus what other threads handed to the event loop and
 * it has not written yet, so an ordinary write needs no promise and no listener; only an exempt first state has
 * one, to know when it is gone. Writes are flushed once per turn of the event loop, or with the server's flush
 * interval once per interval ({@link FlushBatch}).
 *
 * <p>Thread-safe: documents write from their own threads; writing and flushing happen on the event loop.
 */
final class OutboundBudget {
  // Field updaters rather than AtomicLongs: 24 bytes less for each of a server's 10,000s of connections.
  private static final AtomicLongFieldUpdater<OutboundBudget> UNSENT_INITIAL =
      AtomicLongFieldUpdater.newUpdater(OutboundBudget.class, "unsentInitial");
  private static final AtomicLongFieldUpdater<OutboundBudget> HANDED_OVER =
      AtomicLongFieldUpdater.newUpdater(OutboundBudget.class, "handedOver");

  private final Channel channel;
  private final long limit;
  /** How long a write may wait for the flush (0: the end of the turn); an int: 4 bytes fit this object's padding. */
  private final int flushNanos;
  private volatile long unsentInitial;
  /** Bytes handed to the event loop by other threads and not yet written to the channel. */
  private volatile long handedOver;
  /** Event loop only: whether the channel is in this turn's {@link FlushBatch}. */
  private boolean flushQueued;

  OutboundBudget(Channel channel, long limit, Duration flushInterval) {
    this.channel = channel;
    this.limit = limit;
    this.flushNanos = Math.toIntExact(flushInterval.toNanos());
  }

  /** Whether more than the limit waits for the client (an exempt first state not counted). */
  boolean exceeded() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    long queued = buffer == null ? 0 : buffer.totalPendingWriteBytes();
    return queued + handedOver - unsentInitial > limit;
  }

  /** Whether an exempt first state is still unsent. */
  boolean initialUnsent() {
    return unsentInitial > 0;
  }

  /** Writes {@code message} (a frame, or a message for the pipeline's encoder) of {@code size} bytes. */
  void write(Object message, int size) {
    write(message, size, false);
  }

  /** Writes exempt first state {@code message} of {@code size} bytes, not counted until it is written (or failed). */
  void writeInitial(Object message, int size) {
    UNSENT_INITIAL.addAndGet(this, size);
    write(message, size, true);
  }

  private void write(Object message, int size, boolean initial) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      writeNow(message, size, initial);
      return;
    }
    HANDED_OVER.addAndGet(this, size);
    try {
      loop.execute(() -> {
        HANDED_OVER.addAndGet(this, -size);
        writeNow(message, size, initial);
      });
    } catch (RejectedExecutionException e) {
      HANDED_OVER.addAndGet(this, -size);
      if (initial) {
        UNSENT_INITIAL.addAndGet(this, -size);
      }
      ReferenceCountUtil.release(message);
    }
  }

  private void writeNow(Object message, int size, boolean initial) {
    if (initial) {
      channel.write(message).addListener(f -> UNSENT_INITIAL.addAndGet(this, -size));
    } else {
      channel.write(message, channel.voidPromise());
    }
    if (!flushQueued) {
      flushQueued = true;
      FlushBatch.add(channel.eventLoop(), this, flushNanos);
    }
  }

  /** Flushes what was written since the last flush (on the event loop, from the {@link FlushBatch}). */
  void flush() {
    flushQueued = false;
    channel.flush();
  }
}
