package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.protocol.v1.ServerFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * The last handler of a client channel: hands the handshake, every {@link ServerFrame} and the end of the connection
 * (with the server's close code, or the failure) to the {@link ClientEngine}, which works on its own thread.
 *
 * <p>One instance per channel; its fields belong to the event loop.
 */
final class ClientConnectionHandler extends ChannelInboundHandlerAdapter {
  /** The close code when the connection ended without a close frame. */
  static final int ABNORMAL_CLOSURE = 1006;

  private final ClientEngine engine;
  private boolean handshaken;
  private int closeCode = ABNORMAL_CLOSURE;
  private String closeReason = "connection lost";
  private Throwable failure;

  ClientConnectionHandler(ClientEngine engine) {
    this.engine = engine;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      handshaken = true;
      engine.onHandshake(ctx.channel());
    } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      // A half-open connection (the server's host vanished) shows no error: ask, and give up if still silent.
      if (handshaken && idle.isFirst()) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else if (handshaken) {
        exceptionCaught(ctx, new IOException("the server was silent for " + 2 * ClientEngine.SILENCE_MILLIS
            + " ms"));
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ServerFrame frame) {
      engine.onFrame(ctx.channel(), frame);
    } else if (msg instanceof CloseWebSocketFrame close) {
      try {
        closeCode = close.statusCode() < 0 ? 1005 : close.statusCode();
        closeReason = close.statusCode() < 0 ? "" : close.reasonText();
      } finally {
        close.release();
      }
      // Answer the close handshake, then close: the server waits for our close frame.
      ctx.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    engine.onClosed(ctx.channel(), handshaken, closeCode, closeReason, failure);
    ctx.fireChannelInactive();
  }

  /**
   * Ends {@code channel} on the client's own account: {@code why} reaches the engine as the connection's failure,
   * as any error the pipeline caught would. Any thread.
   */
  static void abort(Channel channel, Throwable why) {
    ChannelHandlerContext ctx = channel.pipeline().context(ClientConnectionHandler.class);
    if (ctx == null) {
      channel.close();
      return;
    }
    ctx.executor().execute(() -> ((ClientConnectionHandler) ctx.handler()).exceptionCaught(ctx, why));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
    ctx.close();
  }
}
