package ai.candlefish.collab.server.internal;

import io.netty.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Decides, message by message as they are decoded, whether one client's next message may be handled now: not while
 * it is over its message rate, its authentication rate (token messages) or its document-open rate (messages that
 * open a document), or has too many messages, or too many bytes of them, waiting in documents (or behind a
 * document's token); and never once
 * the server shuts down. A message that may not be handled yet is held by the {@link Connection} with everything
 * after it, and reading pauses (TCP
 * pushes back; nothing is dropped) until {@link #admit} would say yes: then the connection's {@code admitHeld} runs
 * and reading resumes. So a read full of messages is handled at the rates, not first and paid for after; what is
 * held is at most what one read decoded.
 *
 * <p>The rates are token buckets ({@link RateLimiter}): one {@code long} each here, the rates shared by the server.
 * The channel, the configuration and the metrics are its connection's (not fields of its own, nor lambdas for what it
 * asks the connection: ~50 bytes for each of a server's 10,000s of connections).
 *
 * <p>Threads: the event loop, except {@link #handled} (documents' threads) and {@link #stop} (any thread).
 */
final class ReadThrottle {
  /** Messages handed to documents and not handled yet, at which reading pauses (and resumes at half). */
  static final int MAX_IN_FLIGHT = 64;
  /**
   * Bytes of messages handed to documents and not handled yet, at which reading pauses (and resumes below half): 64
   * messages of up to {@code maxMessageSize} (16 MiB) each would be a gigabyte per connection. A message is admitted
   * while the bytes are below this, so one larger than it still goes through, alone.
   */
  static final long MAX_IN_FLIGHT_BYTES = 8 << 20;
  /** What a message costs besides its payload (the record, its document's name), in {@link #inFlightBytes}. */
  private static final int MESSAGE_OVERHEAD = 64;
  private static final int PAUSED_BY_RATE = 1;
  private static final int PAUSED_BY_IN_FLIGHT = 2;
  private static final int PAUSED_BY_SHUTDOWN = 4;

  private final Connection connection;
  private long messages;
  private long authentications;
  private long opens;
  private static final AtomicIntegerFieldUpdater<ReadThrottle> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ReadThrottle.class, "inFlight");
  /** Messages handed to documents and not handled yet (a field, not an AtomicInteger: 10,000s of connections). */
  private volatile int inFlight;
  private static final AtomicLongFieldUpdater<ReadThrottle> IN_FLIGHT_BYTES =
      AtomicLongFieldUpdater.newUpdater(ReadThrottle.class, "inFlightBytes");
  /** What the messages in {@link #inFlight} hold ({@link #bytes}). */
  private volatile long inFlightBytes;
  private ScheduledFuture<?> rateResume;
  private int pauses;

  /**
   * @param connection whose reading this throttles: once the throttle resumes, it handles the messages held back
   *     ({@link Connection#admitHeld}), unless it is closing (then reading is left to the close handshake)
   */
  ReadThrottle(Connection connection) {
    this.connection = connection;
    ServerConfig config = connection.config();
    long now = System.nanoTime();
    this.messages = config.messageRate.full(now);
    this.authentications = config.authenticationRate.full(now);
    this.opens = config.openRate.full(now);
  }

  /**
   * Whether the next message may be handled now; if so, it is counted against the rates. If not, reading pauses until
   * it may, and the caller holds it (and what follows it).
   *
   * @param checksToken whether handling it calls the authenticator
   * @param opens whether handling it opens a document
   */
  boolean admit(boolean checksToken, boolean opens) {
    if ((pauses & (PAUSED_BY_SHUTDOWN | PAUSED_BY_IN_FLIGHT)) != 0) {
      return false;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      pause(PAUSED_BY_IN_FLIGHT);
      connection.metrics().throttled("in-flight");
      return false;
    }
    if (inFlightBytes >= MAX_IN_FLIGHT_BYTES) {
      pause(PAUSED_BY_IN_FLIGHT);
      connection.metrics().throttled("in-flight-bytes");
      return false;
    }
    ServerConfig config = connection.config();
    long now = System.nanoTime();
    long wait = config.messageRate.delay(messages, now);
    String limit = "messages";
    if (checksToken && config.authenticationRate.delay(authentications, now) > wait) {
      wait = config.authenticationRate.delay(authentications, now);
      limit = "authentications";
    }
    if (opens && config.openRate.delay(this.opens, now) > wait) {
      wait = config.openRate.delay(this.opens, now);
      limit = "opens";
    }
    if (wait > 0) {
      pauseFor(wait);
      connection.metrics().throttled(limit);
      return false;
    }
    messages = config.messageRate.take(messages, now, 1);
    if (checksToken) {
      authentications = config.authenticationRate.take(authentications, now, 1);
    }
    if (opens) {
      this.opens = config.openRate.take(this.opens, now, 1);
    }
    return true;
  }

  /**
   * {@code message} was handed to its document, or queued behind its document's token while that is checked; each is
   * {@link #handled} once.
   */
  void submitted(ClientMessage message) {
    IN_FLIGHT.incrementAndGet(this);
    IN_FLIGHT_BYTES.addAndGet(this, bytes(message));
  }

  /**
   * A document handled {@code message} (on the document's thread), or it waited for its document's token and was let
   * go (on the event loop).
   */
  void handled(ClientMessage message) {
    long bytes = bytes(message);
    long bytesLeft = IN_FLIGHT_BYTES.addAndGet(this, -bytes);
    boolean bytesBelowHalf = bytesLeft < MAX_IN_FLIGHT_BYTES / 2 && bytesLeft + bytes >= MAX_IN_FLIGHT_BYTES / 2;
    if (IN_FLIGHT.decrementAndGet(this) == MAX_IN_FLIGHT / 2 || bytesBelowHalf) {
      connection.channel().eventLoop().execute(() -> resume(PAUSED_BY_IN_FLIGHT));
    }
  }

  /** What {@code message} holds while in flight: its size on the wire and what it costs besides. */
  private static long bytes(ClientMessage message) {
    return message.size() + MESSAGE_OVERHEAD;
  }

  /**
   * Stops reading for good (the server is closing and about to store everything); on any thread. When the returned
   * future is done, every message admitted before has been handed on; what was held back is dropped unanswered (no
   * acknowledgement was sent for it).
   */
  Future<?> stop() {
    return connection.channel().eventLoop().submit(() -> pause(PAUSED_BY_SHUTDOWN));
  }

  /** The channel closed: no more timers. */
  void cancel() {
    if (rateResume != null) {
      rateResume.cancel(false);
    }
  }

  /** Pauses reading for {@code nanos}, until the bucket that said no has a token again. */
  private void pauseFor(long nanos) {
    pause(PAUSED_BY_RATE);
    if (rateResume != null) {
      return; // already waiting for a token; the held message is looked at again then
    }
    rateResume = connection.channel().eventLoop().schedule(() -> {
      rateResume = null;
      resume(PAUSED_BY_RATE);
    }, nanos, TimeUnit.NANOSECONDS);
  }

  private void pause(int reason) {
    if (pauses == 0) {
      connection.channel().config().setAutoRead(false);
    }
    pauses |= reason;
  }

  private void resume(int reason) {
    if ((pauses & reason) == 0) {
      return;
    }
    pauses &= ~reason;
    if (pauses != 0 || connection.isClosing()) {
      return;
    }
    connection.admitHeld(); // may pause again
    if (pauses == 0 && !connection.isClosing()) {
      connection.channel().config().setAutoRead(true);
    }
  }
}
