package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabBridge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * How a socket on Reactor Netty reads the client's frames: as the embedded port does. A message is joined from its
 * fragments from the first frame on, up to the maximum message size; a message over it, in one frame or in
 * fragments, is closed with 1009 and a reason that names the setting; a frame with a reserved bit set is closed with
 * 1002 (no extension is negotiated here; Reactor Netty's decoder let such frames through as if plain); a bad close
 * frame is answered with a close frame; a bad frame ends its socket without a stack trace in the log.
 *
 * <p>Thread-safe: one instance serves every socket of a handler.
 */
final class ReactiveFrames {
  private static final Logger log = LoggerFactory.getLogger(ReactiveFrames.class);
  /** Netty's names of the WebSocket decoder and encoder that its handshake puts in the pipeline. */
  private static final String DECODER = "wsdecoder";
  private static final String ENCODER = "wsencoder";
  private static final String GUARD = "collab.badFrames";
  private static final String REASON = "collab.tooBigReason";

  private final int maxMessageSize;
  private final Guard guard;
  private final TooBigReason reason;

  /** @param maxMessageSize the largest message a client may send */
  ReactiveFrames(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
    String tooBig = CollabBridge.tooBigReason(maxMessageSize);
    this.guard = new Guard(tooBig);
    this.reason = new TooBigReason(tooBig);
  }

  /** Before the upgrade, on the request's channel: the client's first frame may follow the 101 at once. */
  void beforeUpgrade(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(GUARD) == null && pipeline.get(NettyPipeline.ReactiveBridge) != null) {
      pipeline.addBefore(NettyPipeline.ReactiveBridge, GUARD, guard);
    }
  }

  /**
   * Right after the upgrade (Spring's socket handler is called once the 101 is written, on the channel's event loop,
   * before any frame of the client is decoded).
   *
   * <p>The frame aggregator goes in here, where Reactor Netty would put its own and under its name, so that Spring's
   * later request (in {@code receive()}, after the bridge has opened on another thread) finds it and adds none:
   * before, fragments that came meanwhile reached the socket unjoined and the socket ended without a close code
   * (1005). It goes before the guard, which answers its over-size error: without, that error reached Reactor Netty
   * before anything read the socket, which logged it at ERROR and dropped the connection without a close frame.
   */
  void afterUpgrade(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(GUARD) == null) {
      return; // not upgraded by this handler's request
    }
    if (pipeline.get(DECODER) instanceof WebSocket08FrameDecoder) {
      pipeline.replace(DECODER, DECODER, new Decoder(WebSocketDecoderConfig.newBuilder()
          .maxFramePayloadLength(maxMessageSize).allowExtensions(false).build()));
    }
    if (pipeline.get(REASON) == null && pipeline.get(ENCODER) != null) {
      pipeline.addAfter(ENCODER, REASON, reason);
    }
    if (pipeline.get(NettyPipeline.WsFrameAggregator) == null) {
      pipeline.addBefore(GUARD, NettyPipeline.WsFrameAggregator, new WebSocketFrameAggregator(maxMessageSize));
    }
  }

  /**
   * Netty's decoder, except that a close frame with a code no one may send, or a reason that is not UTF-8, is answered
   * with a close frame as on the embedded port (1002, 1007): Netty's takes any close frame for the client's half of
   * the handshake and answered a bad one with none, so that the client saw its connection dropped.
   */
  private static final class Decoder extends WebSocket13FrameDecoder {
    Decoder(WebSocketDecoderConfig config) {
      super(config);
    }

    @Override
    protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf body) {
      if (body != null && body.readableBytes() >= 2) {
        int code = body.getUnsignedShort(body.readerIndex());
        if (!WebSocketCloseStatus.isValidStatusCode(code)) {
          refuse(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "Invalid close frame getStatus code: " + code);
        }
        if (!ByteBufUtil.isText(body, body.readerIndex() + 2, body.readableBytes() - 2, StandardCharsets.UTF_8)) {
          refuse(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
        }
      }
      super.checkCloseFrameBody(ctx, body);
    }

    /** Answers with our close frame, then ends the socket (the {@link Guard} closes it, quietly). */
    private static void refuse(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
      ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
      throw new CorruptedWebSocketFrameException(status, reason);
    }
  }

  /**
   * Ends a socket whose client sent a bad frame, quietly: Reactor Netty logged each at ERROR with a stack trace
   * ({@code onUncaughtException}), so that one client could fill the log with a frame a second. A frame that
   * Netty's decoder refused (over the maximum: 1009, malformed: 1002) was closed by the decoder already; a message
   * the aggregator found over the maximum is closed here with 1009, through Reactor Netty's socket so that Spring's
   * session sees its close status (the bridged socket ends with it).
   */
  @ChannelHandler.Sharable
  private static final class Guard extends ChannelInboundHandlerAdapter {
    private final String tooBig;

    Guard(String tooBig) {
      this.tooBig = tooBig;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException) {
        log.debug("reactive collab socket: the client sent a bad frame: {}", cause.getMessage());
        ctx.close();
      } else if (cause instanceof TooLongFrameException) {
        log.debug("reactive collab socket: the client sent a message over the maximum: {}", cause.getMessage());
        Channel channel = ctx.channel();
        if (ChannelOperations.get(channel) instanceof WebsocketOutbound socket) {
          socket.sendClose(CloseCodes.MESSAGE_TOO_BIG, tooBig).subscribe(null, e -> channel.close());
        } else {
          channel.close();
        }
        // A client that reads nothing would keep the connection while the close frame waits.
        channel.eventLoop().schedule(() -> channel.close(), CollabBridge.CLOSE_TIMEOUT_MILLIS,
            TimeUnit.MILLISECONDS);
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }

  /**
   * Gives the close frame of a single frame over the maximum the embedded port's reason
   * ({@link CollabBridge#tooBigReason}):
   * Netty's WebSocket decoder closes it by itself, with "Max frame length of N has been exceeded.", which names the
   * number and not the setting. Sits between the socket's WebSocket encoder and decoder (the decoder's close passes
   * only the handlers before it).
   */
  @ChannelHandler.Sharable
  private static final class TooBigReason extends ChannelOutboundHandlerAdapter {
    /** How the decoder's reason starts (only its closes are changed: the server's other 1009s say what they are). */
    private static final String NETTYS = "Max frame length";
    private final String reason;

    TooBigReason(String reason) {
      this.reason = reason;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof CloseWebSocketFrame close && close.statusCode() == CloseCodes.MESSAGE_TOO_BIG
          && close.reasonText().startsWith(NETTYS)) {
        close.release();
        ctx.write(new CloseWebSocketFrame(CloseCodes.MESSAGE_TOO_BIG, reason), promise);
      } else {
        ctx.write(msg, promise);
      }
    }
  }
}
