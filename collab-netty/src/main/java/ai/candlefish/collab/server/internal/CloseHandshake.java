package ai.candlefish.collab.server.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The server's side of a WebSocket close: once only, our close frame with its code and reason, then reading on
 * until the client answers with its own close frame, and dropping the socket if it does not answer in time.
 *
 * <p>Thread-safe: {@link #request} and {@link #isClosing} from any thread, {@link #sendFrame} on the event loop.
 */
final class CloseHandshake {
  /** How long a client may take to answer the server's close frame before its connection is dropped. */
  static final long ANSWER_MILLIS = 3000;

  private static final AtomicIntegerFieldUpdater<CloseHandshake> CLOSING =
      AtomicIntegerFieldUpdater.newUpdater(CloseHandshake.class, "closing");

  private final Channel channel;
  /** 1 once closing was requested or the channel is gone (a field, not an AtomicBoolean: 10,000s of connections). */
  private volatile int closing;

  CloseHandshake(Channel channel) {
    this.channel = channel;
  }

  /** Starts closing; returns false if it had started already (the first code and reason stand). */
  boolean request() {
    return CLOSING.compareAndSet(this, 0, 1);
  }

  /** The channel is gone: nothing more to send. */
  void closed() {
    closing = 1;
  }

  /** Whether the connection is closing or closed: what the client sends now is dropped, nothing more is sent. */
  boolean isClosing() {
    return closing != 0;
  }

  /** Sends the close frame (on the event loop). */
  void sendFrame(int code, String reason) {
    // Read on (messages are dropped now) until the client answers with its close frame, which closes the channel:
    // closing a socket with unread input resets it, and the client could lose our close frame and its reason.
    channel.config().setAutoRead(true);
    channel.writeAndFlush(new CloseWebSocketFrame(code, CloseReasons.fit(reason)));
    ScheduledFuture<?> unanswered = channel.eventLoop().schedule(() -> channel.close(), ANSWER_MILLIS,
        TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> unanswered.cancel(false));
  }
}
