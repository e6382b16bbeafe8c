package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.protocol.CollabV1Frames;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * The client's side of collab/1's framing: {@link ClientFrame}s out as binary messages, binary messages in as
 * {@link ServerFrame}s. Close frames pass through to the connection handler; a text frame or malformed protobuf is a
 * {@link CorruptedFrameException} (the connection is dropped and the client reconnects).
 *
 * <p>One instance per channel.
 */
final class ClientFrameCodec extends MessageToMessageCodec<WebSocketFrame, ClientFrame> {
  @Override
  protected void encode(ChannelHandlerContext ctx, ClientFrame frame, List<Object> out) {
    out.add(CollabV1Frames.binaryFrame(ctx.alloc(), frame));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    if (frame instanceof BinaryWebSocketFrame) {
      try {
        out.add(ServerFrame.parseFrom(frame.content().nioBuffer()));
      } catch (InvalidProtocolBufferException e) {
        throw new CorruptedFrameException("malformed collab/1 frame from the server: " + e.getMessage(), e);
      }
    } else if (frame instanceof CloseWebSocketFrame) {
      out.add(frame.retain());
    } else if (!(frame instanceof PingWebSocketFrame) && !(frame instanceof PongWebSocketFrame)) {
      throw new CorruptedFrameException("collab/1 frames are binary, the server sent a "
          + frame.getClass().getSimpleName());
    }
  }
}
