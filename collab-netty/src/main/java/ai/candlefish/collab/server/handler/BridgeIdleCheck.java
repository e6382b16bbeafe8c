package ai.candlefish.collab.server.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The idle check of a bridged connection, the embedded port's rule ({@link IdleWatch}): after half the idle
 * timeout without a message or pong from the client it fires a first {@link IdleStateEvent} (the session handler
 * pings through the host), after the other half a second one (it closes), unless the host's socket is taking what the
 * server sends it ({@link HostSide#takingOutput}). A client downloading a large document's state slowly sends nothing
 * meanwhile, and its pong waits behind the state. Before, Netty's {@code IdleStateHandler} here counted only what
 * the client sent, and cut a download longer than the idle timeout through Tomcat, Jetty or WebFlux; the client
 * downloaded it again, for ever.
 *
 * <p>One timer per channel, as the {@code IdleStateHandler} it replaces. One instance per channel; event loop only.
 */
final class BridgeIdleCheck extends IdleWatch {
  private final long idleNanos;
  private ChannelHandlerContext ctx;
  /** Whether the host's socket took some of what waits for it since the last look; known from the upgrade on. */
  private BooleanSupplier takingOutput = () -> false;
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
      silentFrom(System.nanoTime());
      schedule(idleNanos);
    }
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this::look, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    read();
    if (msg instanceof BridgeInitializer.Upgrade upgrade) {
      takingOutput = upgrade.takingOutput();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readComplete();
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
    long wait = untilSilentFor(now, idleNanos);
    if (wait > 0) {
      schedule(wait);
      return;
    }
    IdleStateEvent event = idleEvent(now, idleNanos);
    schedule(idleNanos);
    if (event != null) {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  boolean takingOutput() {
    return takingOutput.getAsBoolean();
  }
}
