package ai.candlefish.collab.server.internal;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Pauses reading from one client (TCP pushes back; nothing is dropped) while it is over its message rate, its
 * authentication or document-open rate, or has too many messages waiting in documents; and for good when the server
 * shuts down. The rates are token buckets: a message over the rate is still handled, then reading pauses until the
 * bucket has a token again.
 *
 * <p>Threads: the event loop, except {@link #handled} (documents' threads) and {@link #stop} (any thread).
 */
final class ReadThrottle {
  /** Messages handed to documents and not handled yet, above which reading pauses (and resumes at half). */
  static final int MAX_IN_FLIGHT = 64;
  private static final int PAUSED_BY_RATE = 1;
  private static final int PAUSED_BY_IN_FLIGHT = 2;
  private static final int PAUSED_BY_SHUTDOWN = 4;

  private final Channel channel;
  private final BooleanSupplier closing;
  private final RateLimiter messages;
  private final RateLimiter authentications;
  private final RateLimiter opens;
  private final AtomicInteger inFlight = new AtomicInteger();
  private ScheduledFuture<?> rateResume;
  private int pauses;

  /** @param closing whether the connection is closing (then reading is left to the close handshake) */
  ReadThrottle(Channel channel, ServerConfig config, BooleanSupplier closing) {
    this.channel = channel;
    this.closing = closing;
    long now = System.nanoTime();
    this.messages = new RateLimiter(config.messagesPerSecond(), config.messageBurst(), now);
    this.authentications = new RateLimiter(config.authenticationsPerSecond(), config.authenticationBurst(), now);
    this.opens = new RateLimiter(config.documentOpensPerSecond(), config.documentOpenBurst(), now);
  }

  /** The client sent a message. */
  void message() {
    slowDown(messages);
  }

  /** The connection calls the authenticator. */
  void authentication() {
    slowDown(authentications);
  }

  /** The connection opens a document. */
  void open() {
    slowDown(opens);
  }

  /** A message was handed to its document. */
  void submitted() {
    if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) {
      pause(PAUSED_BY_IN_FLIGHT);
    }
  }

  /** A document handled a message handed to it (on the document's thread). */
  void handled() {
    if (inFlight.decrementAndGet() == MAX_IN_FLIGHT / 2) {
      channel.eventLoop().execute(() -> resume(PAUSED_BY_IN_FLIGHT));
    }
  }

  /**
   * Stops reading for good (the server is closing and about to store everything); on any thread. When the returned
   * future is done, every message read before has been handed on.
   */
  Future<?> stop() {
    return channel.eventLoop().submit(() -> pause(PAUSED_BY_SHUTDOWN));
  }

  /** The channel closed: no more timers. */
  void cancel() {
    if (rateResume != null) {
      rateResume.cancel(false);
    }
  }

  private void slowDown(RateLimiter rate) {
    long wait = rate.take(System.nanoTime());
    if (wait > 0) {
      pauseFor(wait);
    }
  }

  /** Pauses reading for {@code nanos}: the debt only grows within one read, so the latest pause is the longest. */
  private void pauseFor(long nanos) {
    pause(PAUSED_BY_RATE);
    if (rateResume != null) {
      rateResume.cancel(false);
    }
    rateResume = channel.eventLoop().schedule(() -> {
      rateResume = null;
      resume(PAUSED_BY_RATE);
    }, nanos, TimeUnit.NANOSECONDS);
  }

  private void pause(int reason) {
    if (pauses == 0) {
      channel.config().setAutoRead(false);
    }
    pauses |= reason;
  }

  private void resume(int reason) {
    if (pauses == 0) {
      return;
    }
    pauses &= ~reason;
    if (pauses == 0 && !closing.getAsBoolean()) {
      channel.config().setAutoRead(true);
    }
  }
}
