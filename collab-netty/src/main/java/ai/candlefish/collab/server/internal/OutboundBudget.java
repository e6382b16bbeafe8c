package ai.candlefish.collab.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes queued for one client and not yet written, against the outbound limit: a client that does not read is
 * closed rather than buffered for without bound. A document's first full state is exempt, so that a document larger
 * than the limit can be opened, but only one at a time: while one is still unsent, another counts like any message.
 *
 * <p>Thread-safe: documents write from their own threads.
 */
final class OutboundBudget {
  private final Channel channel;
  private final long limit;
  private final AtomicLong unsent = new AtomicLong();
  private final AtomicLong unsentInitial = new AtomicLong();

  OutboundBudget(Channel channel, long limit) {
    this.channel = channel;
    this.limit = limit;
  }

  /** Whether more than the limit waits for the client (an exempt first state not counted). */
  boolean exceeded() {
    return unsent.get() - unsentInitial.get() > limit;
  }

  /** Whether an exempt first state is still unsent. */
  boolean initialUnsent() {
    return unsentInitial.get() > 0;
  }

  /** Writes {@code message}, counting its bytes until it is written (or failed); {@code initial}: exempt. */
  void write(ServerMessage message, boolean initial) {
    int size = message.size();
    unsent.addAndGet(size);
    if (initial) {
      unsentInitial.addAndGet(size);
    }
    channel.writeAndFlush(message).addListener(new Written(size, initial));
  }

  /** Gives back a written (or failed) message's bytes. */
  private final class Written implements ChannelFutureListener {
    private final int size;
    private final boolean initial;

    Written(int size, boolean initial) {
      this.size = size;
      this.initial = initial;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      unsent.addAndGet(-size);
      if (initial) {
        unsentInitial.addAndGet(-size);
      }
    }
  }
}
