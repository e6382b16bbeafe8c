package ai.candlefish.collab.server.codec.collab;

import ai.candlefish.collab.protocol.CollabV1Frames;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.server.internal.SessionPolicy;
import ai.candlefish.collab.server.internal.WireProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * collab/1: chosen for every upgrade under the prefix that asks for the WebSocket subprotocol {@value #SUBPROTOCOL}
 * (whatever the path). The client authenticates with its first frame ({@code Hello}) and opens documents by name.
 * Stateless singleton.
 */
public final class CollabV1Protocol implements WireProtocol {
  /** The only instance. */
  public static final CollabV1Protocol INSTANCE = new CollabV1Protocol();
  /** The WebSocket subprotocol ({@code Sec-WebSocket-Protocol}) that selects collab/1. */
  public static final String SUBPROTOCOL = CollabV1Frames.SUBPROTOCOL;

  private CollabV1Protocol() {}

  @Override
  public String name() {
    return SUBPROTOCOL;
  }

  @Override
  public boolean accepts(String relativePath, HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      for (String requested : value.split(",")) {
        if (requested.trim().equals(SUBPROTOCOL)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public MessageDecoder decoder(String relativePath) {
    return CollabV1Decoder.INSTANCE;
  }

  @Override
  public void installEncoder(ChannelPipeline pipeline, String before) {
    pipeline.addBefore(before, "collab-v1-encoder", CollabV1Encoder.INSTANCE);
  }

  @Override
  public ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    return CollabV1Encoder.encode(alloc, message, headroom);
  }

  @Override
  public SessionPolicy sessionPolicy() {
    return SessionPolicy.COLLAB_V1;
  }

  @Override
  public String toString() {
    return name();
  }
}
