package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of every connection: counts it against the server's connection limits (in total and per remote
 * address) and closes it at once when it is one too many, before anything of it is read or decrypted; and gives it
 * the upgrade timeout to complete its WebSocket upgrade, the whole HTTP request included, so that a client dripping
 * its headers cannot hold a socket for long (slowloris).
 *
 * <p>One instance per channel; event loop only.
 */
final class AdmissionHandler extends ChannelInboundHandlerAdapter {
  private final ServerRuntime runtime;
  private InetAddress counted;
  private ScheduledFuture<?> deadline;

  AdmissionHandler(ServerRuntime runtime) {
    this.runtime = runtime;
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
    deadline = ctx.executor().schedule(() -> {
      SessionHandler session = ctx.pipeline().get(SessionHandler.class);
      if (session == null || session.connection() == null) {
        runtime.metrics().connectionRefused("upgrade-timeout");
        ctx.close();
      }
    }, runtime.config().upgradeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted != null) {
      runtime.connectionClosed(counted);
      counted = null;
    }
    if (deadline != null) {
      deadline.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
