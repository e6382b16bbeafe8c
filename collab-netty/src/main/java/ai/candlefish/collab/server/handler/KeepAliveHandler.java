package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CloseCodes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Keeps connections honest: after half the idle timeout without a byte from the client, sends a ping (every
 * WebSocket client answers with a pong); after the other half still without one, closes with 1001. A connection
 * still in its HTTP phase is simply closed.
 *
 * <p>One instance per channel.
 */
final class KeepAliveHandler extends ChannelInboundHandlerAdapter {
  private boolean upgraded;

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      upgraded = true;
    } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      if (!upgraded) {
        ctx.close();
      } else if (idle.isFirst()) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else {
        ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "idle timeout"));
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
