package ai.candlefish.collab.server.codec.ywebsocket;

import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AUTH;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_AWARENESS;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_QUERY_AWARENESS;
import static ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol.MESSAGE_SYNC;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * Binary WebSocket messages of y-websocket to {@link ClientMessage}s of the socket's document. The whole message is
 * checked before anything is emitted: a malformed one (truncated, a length beyond its end, an unknown sync step)
 * raises a {@link ProtocolException} with close code 1002; a text frame or an unknown message type, 1003. Bytes after
 * a message are ignored, as y-websocket's server ({@code @y/websocket-server}'s {@code messageListener}, which reads
 * with y-protocols' {@code readSyncMessage}) ignores them. Auth messages from clients mean nothing to the server and
 * are skipped (y-websocket's server does the same).
 *
 * <p>One instance per connection (it knows the socket's document).
 */
final class YWebsocketDecoder implements MessageDecoder {
  private final String document;

  YWebsocketDecoder(String document) {
    this.document = document;
  }

  @Override
  public @Nullable ClientMessage decode(WebSocketFrame frame) {
    if (!(frame instanceof BinaryWebSocketFrame)) {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA, "y-websocket messages are binary");
    }
    ByteBuf in = frame.content();
    long type = Lib0Buf.readVarUint(in);
    if (type == MESSAGE_SYNC) {
      long step = Lib0Buf.readVarUint(in);
      if (step != SyncMessage.STEP1 && step != SyncMessage.STEP2 && step != SyncMessage.UPDATE) {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "unknown sync message type " + step);
      }
      return new ClientMessage.Sync(document, (int) step, Lib0Buf.readVarUint8Array(in));
    } else if (type == MESSAGE_AWARENESS) {
      return new ClientMessage.Awareness(document, Lib0Buf.readVarUint8Array(in));
    } else if (type == MESSAGE_QUERY_AWARENESS) {
      return new ClientMessage.QueryAwareness(document);
    } else if (type != MESSAGE_AUTH) {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA, "unknown message type " + type);
    }
    return null;
  }
}
