package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The first handler of every connection: counts it against the server's connection limits (in total and per remote
 * address) and closes it at once when it is one too many, before anything of it is read or decrypted; gives it the
 * upgrade timeout to complete its WebSocket upgrade, the whole HTTP request included, so that a client dripping its
 * headers cannot hold a socket for long (slowloris); and watches it for silence: after half the idle timeout without
 * a byte read it fires {@link IdleStateEvent}s as Netty's {@code IdleStateHandler} would (the session handler pings,
 * then closes).
 *
 * <p>No timer of its own: its event loop's {@link ConnectionSweep} looks at the deadlines of all its connections a few
 * times per timeout (so a deadline passes up to an eighth of the shortest timeout late). A server holds 10,000s of
 * connections, and a scheduled task each, with an idle handler's and an upgrade deadline's objects, cost about 400
 * bytes per connection.
 *
 * <p>One instance per channel; event loop only.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  private final ServerRuntime runtime;
  private final ConnectionSweep.Sweeps sweeps;
  private ChannelHandlerContext ctx;
  private InetAddress counted;
  /** Its neighbours in its sweep's list. */
  ConnectionGuard previous;
  ConnectionGuard next;
  private ConnectionSweep sweep;
  /** When the upgrade must be done by; checked once. */
  private long upgradeDeadline;
  private boolean upgradeChecked;
  /** Since when the connection has been silent (the last read, or the last idle event). */
  private long silentSince;
  private boolean idleEventFired;
  private boolean reading;

  ConnectionGuard(ServerRuntime runtime, ConnectionSweep.Sweeps sweeps) {
    this.runtime = runtime;
    this.sweeps = sweeps;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress address = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    if (address != null) {
      String refused = runtime.connectionOpened(address);
      if (refused != null) {
        runtime.metrics().connectionRefused(refused);
        ctx.close();
        return;
      }
      counted = address;
    }
    this.ctx = ctx;
    long now = System.nanoTime();
    upgradeDeadline = now + runtime.config().upgradeTimeout().toNanos();
    silentSince = now;
    sweep = sweeps.of(ctx.channel().eventLoop());
    sweep.add(this);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (reading) {
      reading = false;
      silentSince = System.nanoTime();
      idleEventFired = false;
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted != null) {
      runtime.connectionClosed(counted);
      counted = null;
    }
    if (sweep != null) {
      sweep.remove(this);
      sweep = null;
    }
    ctx.fireChannelInactive();
  }

  /** Looks at this connection's deadlines ({@link ConnectionSweep}, on the event loop). */
  void check(long now, long idleNanos) {
    if (!upgradeChecked && now - upgradeDeadline >= 0) {
      upgradeChecked = true;
      SessionHandler session = ctx.pipeline().get(SessionHandler.class);
      if (session == null || session.connection() == null) {
        runtime.metrics().connectionRefused("upgrade-timeout");
        ctx.close();
        return;
      }
    }
    if (!reading && now - silentSince >= idleNanos) {
      IdleStateEvent event = idleEventFired ? IdleStateEvent.READER_IDLE_STATE_EVENT
          : IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT;
      idleEventFired = true;
      silentSince = now;
      ctx.fireUserEventTriggered(event);
    }
  }
}
