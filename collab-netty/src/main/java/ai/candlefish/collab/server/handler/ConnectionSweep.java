package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of one server's connections on one event loop: every eighth of the shortest of the upgrade timeout and half the idle
 * timeout (at least a millisecond, at most a second), each {@link ConnectionGuard} of the loop looks at its deadlines.
 * Runs only while the loop has connections. The guards form a list through their own fields: no node per connection.
 *
 * <p>Event loop only; {@link Sweeps} finds a loop's sweep on any thread.
 */
final class ConnectionSweep {
  private final EventLoop loop;
  private final long periodNanos;
  private final long idleNanos;
  private ConnectionGuard first;
  private ScheduledFuture<?> timer;

  /** One server's sweeps, by event loop. Thread-safe. */
  static final class Sweeps {
    private final ServerRuntime runtime;
    private final ConcurrentHashMap<EventLoop, ConnectionSweep> byLoop = new ConcurrentHashMap<>();

    Sweeps(ServerRuntime runtime) {
      this.runtime = runtime;
    }

    /** The server's runtime (its guards ask here rather than keep a field of their own: 10,000s of them). */
    ServerRuntime runtime() {
      return runtime;
    }

    ConnectionSweep of(EventLoop loop) {
      return byLoop.computeIfAbsent(loop, l -> new ConnectionSweep(l, runtime));
    }
  }

  private ConnectionSweep(EventLoop loop, ServerRuntime runtime) {
    this.loop = loop;
    Duration idle = runtime.config().idleTimeout().dividedBy(2);
    Duration upgrade = runtime.config().upgradeTimeout();
    this.idleNanos = idle.toNanos();
    long shortest = Math.min(idleNanos, upgrade.toNanos());
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 8));
  }

  void add(ConnectionGuard guard) {
    guard.next = first;
    if (first != null) {
      first.previous = guard;
    }
    first = guard;
    if (timer == null) {
      timer = loop.scheduleAtFixedRate(this::sweep, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  void remove(ConnectionGuard guard) {
    if (guard.previous != null) {
      guard.previous.next = guard.next;
    } else if (first == guard) {
      first = guard.next;
    }
    if (guard.next != null) {
      guard.next.previous = guard.previous;
    }
    guard.previous = null;
    guard.next = null;
  }

  private void sweep() {
    if (first == null) {
      timer.cancel(false);
      timer = null;
      return;
    }
    long now = System.nanoTime();
    ConnectionGuard guard = first;
    while (guard != null) {
      ConnectionGuard following = guard.next; // check may close the channel, which removes the guard later
      guard.check(now, idleNanos);
      guard = following;
    }
  }
}
