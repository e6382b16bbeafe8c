package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket's handler: a connection it fails to accept (the process out of file descriptors, EMFILE,
 * under a connection flood) is reported by {@link ServerRuntime#acceptFailed} at most once a minute with a count,
 * where Netty logged a WARN with a stack trace for each, and accepting pauses for a second, as Netty's own acceptor
 * does, so that a full table is not retried in a busy loop; the connections already open are served meanwhile, and
 * the waiting ones are accepted once descriptors are free. Other errors go on down the pipeline.
 *
 * <p>One per listening socket; on its event loop.
 */
public final class AcceptErrors extends ChannelInboundHandlerAdapter {
  private static final long PAUSE_MILLIS = 1000;

  private final ServerRuntime runtime;

  public AcceptErrors(ServerRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    runtime.acceptFailed(cause);
    ChannelConfig config = ctx.channel().config();
    if (config.isAutoRead()) {
      config.setAutoRead(false);
      ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
