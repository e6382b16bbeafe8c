package ai.candlefish.collab.server.codec.ywebsocket;

import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.server.internal.SessionPolicy;
import ai.candlefish.collab.server.internal.WireProtocol;
import ai.candlefish.collab.spi.DocumentKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * y-websocket: chosen for every upgrade whose path names a document below the prefix. Connecting opens that
 * document. Stateless singleton.
 */
public final class YWebsocketProtocol implements WireProtocol {
  /** The only instance. */
  public static final YWebsocketProtocol INSTANCE = new YWebsocketProtocol();

  /** Outer message type: a sync message follows. */
  static final int MESSAGE_SYNC = 0;
  /** Outer message type: an awareness update follows. */
  static final int MESSAGE_AWARENESS = 1;
  /** Outer message type: an auth message follows (server to client: permission denied). */
  static final int MESSAGE_AUTH = 2;
  /** Outer message type: the peer asks for every awareness state. */
  static final int MESSAGE_QUERY_AWARENESS = 3;
  /** Auth message: permission denied, with a reason. */
  static final int AUTH_PERMISSION_DENIED = 0;

  private YWebsocketProtocol() {}

  @Override
  public String name() {
    return "y-websocket";
  }

  @Override
  public boolean accepts(String relativePath, HttpHeaders headers) {
    return DocumentKey.isValidName(relativePath);
  }

  @Override
  public MessageDecoder decoder(String relativePath) {
    return new YWebsocketDecoder(relativePath);
  }

  @Override
  public void installEncoder(ChannelPipeline pipeline, String before) {
    pipeline.addBefore(before, "y-websocket-encoder", YWebsocketEncoder.INSTANCE);
  }

  @Override
  public ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    return YWebsocketEncoder.encode(alloc, message, headroom);
  }

  @Override
  public SessionPolicy sessionPolicy() {
    return SessionPolicy.Y_WEBSOCKET;
  }

  /** y-websocket has sync, awareness and "permission denied"; acknowledgements and application messages it has not. */
  @Override
  public boolean canSend(ServerMessage message) {
    return message instanceof ServerMessage.Sync || message instanceof ServerMessage.Awareness
        || message instanceof ServerMessage.Refused;
  }

  @Override
  public List<ClientMessage> onConnect(String relativePath) {
    return List.of(new ClientMessage.Open(relativePath));
  }

  @Override
  public String toString() {
    return name();
  }
}
