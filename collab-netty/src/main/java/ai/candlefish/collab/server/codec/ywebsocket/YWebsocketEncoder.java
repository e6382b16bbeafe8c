package ai.candlefish.collab.server.codec.ywebsocket;

import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.AUTH_PERMISSION_DENIED;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AUTH;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AWARENESS;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_SYNC;

import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * {@link ServerMessage}s to binary WebSocket messages of y-websocket, each allocated at its exact size. The
 * document name is implied by the socket and not written. Stateless and shared.
 */
@ChannelHandler.Sharable
final class YWebsocketEncoder extends MessageToMessageEncoder<ServerMessage> {
  static final YWebsocketEncoder INSTANCE = new YWebsocketEncoder();

  private YWebsocketEncoder() {
    super(ServerMessage.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ServerMessage message, List<Object> out) {
    out.add(new BinaryWebSocketFrame(encode(ctx.alloc(), message, 0)));
  }

  /**
   * {@code message} as a y-websocket message in a buffer from {@code alloc} of exactly its size plus
   * {@code headroom} free bytes before it (its reader index).
   */
  static ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    ByteBuf buf;
    if (message instanceof ServerMessage.Sync sync) {
      byte[] payload = sync.payload();
      buf = Lib0Buf.allocate(alloc, headroom, 1 + Lib0Buf.varUintSize(sync.type()) + Lib0Buf.varUintSize(payload.length)
          + payload.length);
      buf.writeByte(MESSAGE_SYNC);
      Lib0Buf.writeVarUint(buf, sync.type());
      Lib0Buf.writeVarUint8Array(buf, payload);
    } else if (message instanceof ServerMessage.Awareness awareness) {
      byte[] update = awareness.update();
      buf = Lib0Buf.allocate(alloc, headroom, 1 + Lib0Buf.varUintSize(update.length) + update.length);
      buf.writeByte(MESSAGE_AWARENESS);
      Lib0Buf.writeVarUint8Array(buf, update);
    } else if (message instanceof ServerMessage.Refused denied) {
      buf = Lib0Buf.allocate(alloc, headroom, 2 + Lib0Buf.varStringSize(denied.reason()));
      buf.writeByte(MESSAGE_AUTH);
      buf.writeByte(AUTH_PERMISSION_DENIED);
      Lib0Buf.writeVarString(buf, denied.reason());
    } else {
      throw new IllegalArgumentException("y-websocket cannot say " + message.getClass().getSimpleName());
    }
    return buf;
  }
}
