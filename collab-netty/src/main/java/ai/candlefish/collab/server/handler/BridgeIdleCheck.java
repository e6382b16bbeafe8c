package ai.candlefish.collab.server.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The idle check of a bridged connection, as {@link ConnectionGuard}'s on the embedded port: after half the idle
 * timeout without a message or pong from the client it fires a first {@link IdleStateEvent} (the session handler
 * pings through the host), after the other half a second one (it closes), unless the host's socket is taking what the
 * server sends it ({@link HostSide#takingOutput}). A client downloading a large document's state slowly sends nothing
 * meanwhile, and its pong waits behind the state. Before, Netty's {@code IdleStateHandler} here counted only what
 * the client sent, and cut a download longer than the idle timeout through Tomcat, Jetty or WebFlux; the client
 * downloaded it again, for ever.
 *
 * <p>One timer per channel, as the {@code IdleStateHandler} it replaces. One instance per channel; event loop only.
 */
final class BridgeIdleCheck extends ChannelInboundHandlerAdapter {
  private final long idleNanos;
  private ChannelHandlerContext ctx;
  /** Whether the host's socket took some of what waits for it since the last look; known from the upgrade on. */
  private BooleanSupplier takingOutput = () -> false;
  /** Since when the connection has been silent (the last read, or the last look). */
  private long silentSince;
  private boolean reading;
  private boolean idleEventFired;
  private ScheduledFuture<?> timer;

  /** @param idleTimeout the server's: a first event after half of it, a second after the other half */
  BridgeIdleCheck(Duration idleTimeout) {
    this.idleNanos = idleTimeout.toNanos() / 2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start();
    ctx.fireChannelActive();
  }

  private void start() {
    if (timer == null) {
      silentSince = System.nanoTime();
      schedule(idleNanos);
    }
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this::look, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    if (msg instanceof BridgeInitializer.Upgrade upgrade) {
      takingOutput = upgrade.takingOutput();
    }
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
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void look() {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long now = System.nanoTime();
    long wait = silentSince + idleNanos - now;
    if (reading || wait > 0) {
      schedule(reading ? idleNanos : wait);
      return;
    }
    boolean taking = takingOutput.getAsBoolean();
    silentSince = now;
    schedule(idleNanos);
    if (taking) {
      idleEventFired = false;
      return;
    }
    IdleStateEvent event = idleEventFired ? IdleStateEvent.READER_IDLE_STATE_EVENT
        : IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT;
    idleEventFired = true;
    ctx.fireUserEventTriggered(event);
  }
}
