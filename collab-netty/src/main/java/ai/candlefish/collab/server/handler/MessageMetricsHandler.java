package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.BinaryFrames;
import ai.candlefish.collab.server.internal.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;

/**
 * Counts whole data messages (binary and text frames, after aggregation) in and out, by the protocol the upgrade
 * chose. Sits between the frame aggregator and the protocol codec; only installed when metrics are on.
 */
final class MessageMetricsHandler extends ChannelDuplexHandler {
  private final ServerMetrics metrics;
  private String protocol;

  MessageMetricsHandler(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HandshakeComplete) {
      // The session handler, further up, takes the route off the channel when it sees this event.
      UpgradeRouter.Route route = ctx.channel().attr(UpgradeRouter.ROUTE).get();
      protocol = route == null ? "unknown" : route.protocol().name();
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (protocol != null && isData(msg)) {
      metrics.messageReceived(protocol, ((WebSocketFrame) msg).content().readableBytes());
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (protocol != null && isData(msg)) {
      metrics.messageSent(protocol, ((WebSocketFrame) msg).content().readableBytes());
    } else if (protocol != null && msg instanceof ByteBuf frame) {
      metrics.messageSent(protocol, BinaryFrames.payloadLength(frame)); // a whole frame, see Connection
    }
    super.write(ctx, msg, promise);
  }

  private static boolean isData(Object msg) {
    return msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame;
  }
}
