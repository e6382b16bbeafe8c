package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.internal.ServerMetrics;
import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The pipeline of a bridged connection (one socket of the host's web server, see {@link BridgeConnector}). The host
 * did the HTTP upgrade, the WebSocket framing, and the close handshake; what follows is the embedded port's:
 *
 * <pre>
 *   idle                  as on the embedded port: any message or pong is a sign of life, and so is the host's
 *                         socket taking what the server sends ({@link BridgeIdleCheck})
 *   bridge                the upgrade (as {@link Upgrade}): connection limits, then HandshakeComplete;
 *                         afterwards drops pongs and ends the channel at the client's close frame
 *   [unauthenticated-budget]  added by the session handler until the client is authenticated
 *   message-metrics       (only with metrics)
 *   [protocol encoder]    added at the handshake by the chosen WireProtocol (the connection writes messages)
 *   session               as on the embedded port (the session's pings go to the host)
 * </pre>
 */
final class BridgeInitializer extends ChannelInitializer<LocalChannel> {
  /** The name of the bridge handler, after which the unauthenticated budget goes. */
  static final String BRIDGE = "bridge";
  /** The client's address as the host saw it (the channel's own remote address is an in-VM one). */
  static final AttributeKey<InetSocketAddress> REMOTE = AttributeKey.valueOf(BridgeInitializer.class, "remote");

  /**
   * The first message on a bridged channel: the upgrade the host accepted, whom to tell the size of each message the
   * server reads (the host side counts what waits for the server), and whether the host's socket is taking what the
   * server sends (for the idle check: {@link BridgeIdleCheck}).
   */
  record Upgrade(UpgradeRouter.Route route, String uri, HttpHeaders headers, InetSocketAddress remote,
      IntConsumer consumed, BooleanSupplier takingOutput) {}

  /** Sent by the host side when a message grows past the maximum size. */
  static final Object TOO_BIG = new Object();

  private final ServerRuntime runtime;

  BridgeInitializer(ServerRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  protected void initChannel(LocalChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("idle", new BridgeIdleCheck(runtime.config().idleTimeout()));
    p.addLast(BRIDGE, new Bridge(runtime));
    if (runtime.metrics() != ServerMetrics.NONE) {
      p.addLast("message-metrics", new MessageMetricsHandler(runtime.metrics()));
    }
    p.addLast(SessionHandler.NAME, new SessionHandler(runtime));
    runtime.channels().add(ch);
  }

  /** One instance per channel; event loop only. */
  private static final class Bridge extends ChannelInboundHandlerAdapter {
    private final ServerRuntime runtime;
    private boolean upgraded;
    private InetAddress counted;
    private IntConsumer consumed;

    Bridge(ServerRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!upgraded) {
        if (msg instanceof Upgrade upgrade) {
          upgrade(ctx, upgrade);
        } else {
          ReferenceCountUtil.release(msg);
          ctx.close();
        }
      } else if (msg == TOO_BIG) {
        ctx.fireExceptionCaught(new TooLongFrameException("message too big"));
      } else if (msg instanceof CloseWebSocketFrame || msg instanceof PongWebSocketFrame) {
        // The host answered the close handshake (or the client closed): the connection ends here.
        boolean close = msg instanceof CloseWebSocketFrame;
        ReferenceCountUtil.release(msg);
        if (close) {
          ctx.close();
        }
      } else {
        if (msg instanceof BinaryWebSocketFrame frame) {
          consumed.accept(frame.content().readableBytes());
        }
        ctx.fireChannelRead(msg);
      }
    }

    private void upgrade(ChannelHandlerContext ctx, Upgrade upgrade) {
      upgraded = true;
      consumed = upgrade.consumed();
      InetAddress address = upgrade.remote() == null ? null : upgrade.remote().getAddress();
      if (address != null) {
        String refused = runtime.connectionOpened(address);
        if (refused != null) {
          runtime.metrics().connectionRefused(refused);
          ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.TRY_AGAIN_LATER, "too many connections"));
          ctx.close();
          return;
        }
        counted = address;
      }
      ctx.channel().attr(REMOTE).set(upgrade.remote());
      ctx.channel().attr(UpgradeRouter.ROUTE).set(upgrade.route());
      String subprotocol = upgrade.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
      ctx.fireUserEventTriggered(new HandshakeComplete(upgrade.uri(), upgrade.headers(), subprotocol));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (counted != null) {
        runtime.connectionClosed(counted);
        counted = null;
      }
      ctx.fireChannelInactive();
    }
  }
}
