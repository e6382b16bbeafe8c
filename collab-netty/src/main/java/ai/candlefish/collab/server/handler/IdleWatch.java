package ai.candlefish.collab.server.handler;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * The server's one idle rule, for connections on its own port ({@link ConnectionGuard}) and bridged ones
 * ({@link BridgeIdleCheck}): after half the idle timeout without a read from the client, a first
 * {@link IdleStateEvent} (the session handler pings), after the other half a second one (it closes), unless the client
 * is taking what the server sends it ({@link #takingOutput}). A client downloading a large document's state over a slow
 * link sends nothing meanwhile, and the server's ping waits behind the state. The subclass says when to look and what
 * taking output means on its socket.
 *
 * <p>A base class rather than an object of its own: the embedded port has one per connection, 10,000s of them, and a
 * field would cost each an object header and a reference.
 *
 * <p>Event loop only.
 */
abstract class IdleWatch extends ChannelInboundHandlerAdapter {
  /** Since when the connection has been silent (the last read, or the last look that found it silent). */
  private long silentSince;
  private boolean idleEventFired;
  private boolean reading;

  /** The connection is silent from {@code now} on (it opened). */
  final void silentFrom(long now) {
    silentSince = now;
  }

  /** Something was read. */
  void read() {
    reading = true;
  }

  /** A read completed: if it read anything, the connection is not silent. */
  void readComplete() {
    if (reading) {
      reading = false;
      silentSince = System.nanoTime();
      idleEventFired = false;
    }
  }

  /** How long from {@code now} until the connection can have been silent for {@code idleNanos}; at most 0 if it has. */
  final long untilSilentFor(long now, long idleNanos) {
    return reading ? idleNanos : silentSince + idleNanos - now;
  }

  /**
   * Looks at the connection: the event to fire if it has been silent for {@code idleNanos} and is not taking what it is
   * sent (the first, then the second of a silence), or null. A look that finds it silent starts the next period.
   */
  final IdleStateEvent idleEvent(long now, long idleNanos) {
    if (reading || now - silentSince < idleNanos) {
      return null;
    }
    silentSince = now;
    if (takingOutput()) {
      idleEventFired = false;
      return null;
    }
    IdleStateEvent event = idleEventFired ? IdleStateEvent.READER_IDLE_STATE_EVENT
        : IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT;
    idleEventFired = true;
    return event;
  }

  /** Whether the last look fired an idle event (the server pinged), and nothing was read since. */
  final boolean pinged() {
    return idleEventFired;
  }

  /**
   * Whether the client took some of what waits for it since the last look that asked. Only what it takes counts, not
   * what is added for it (the server's own pings, a document's edits piling up for a dead client).
   */
  abstract boolean takingOutput();
}
