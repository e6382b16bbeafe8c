package ai.candlefish.collab.server.codec.ywebsocket;

import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.AUTH_PERMISSION_DENIED;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AUTH;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AWARENESS;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_SYNC;

import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ServerMessage;
import io.netty.buffer.ByteBuf;
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
    ByteBuf buf;
    if (message instanceof ServerMessage.Sync sync) {
      byte[] payload = sync.payload();
      buf = ctx.alloc().buffer(1 + Lib0Buf.varUintSize(sync.type()) + Lib0Buf.varUintSize(payload.length)
          + payload.length);
      buf.writeByte(MESSAGE_SYNC);
      Lib0Buf.writeVarUint(buf, sync.type());
      Lib0Buf.writeVarUint8Array(buf, payload);
    } else if (message instanceof ServerMessage.Awareness awareness) {
      byte[] update = awareness.update();
      buf = ctx.alloc().buffer(1 + Lib0Buf.varUintSize(update.length) + update.length);
      buf.writeByte(MESSAGE_AWARENESS);
      Lib0Buf.writeVarUint8Array(buf, update);
    } else if (message instanceof ServerMessage.Refused denied) {
      buf = ctx.alloc().buffer(2 + Lib0Buf.varStringSize(denied.reason()));
      buf.writeByte(MESSAGE_AUTH);
      buf.writeByte(AUTH_PERMISSION_DENIED);
      Lib0Buf.writeVarString(buf, denied.reason());
    } else {
      throw new IllegalArgumentException("y-websocket cannot say " + message.getClass().getSimpleName());
    }
    out.add(new BinaryWebSocketFrame(buf));
  }
}
