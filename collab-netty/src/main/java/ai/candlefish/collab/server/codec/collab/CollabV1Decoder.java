package ai.candlefish.collab.server.codec.collab;

import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.sync.SyncMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Binary WebSocket messages of collab/1 (one {@link ClientFrame} each) to {@link ClientMessage}s. The whole frame
 * is parsed and checked before anything is emitted: malformed protobuf (truncated, bad lengths, invalid UTF-8 in a
 * string) or a frame about document "" raises a {@link ProtocolException} with close code 1002; a text frame or a
 * frame of a kind this server does not know (empty, or from a newer protocol), 1003. The frame's size is bounded by
 * the WebSocket layer's maximum message size before it gets here.
 *
 * <p>Stateless: one instance serves every connection.
 */
final class CollabV1Decoder implements MessageDecoder {
  /** The only instance. */
  static final CollabV1Decoder INSTANCE = new CollabV1Decoder();

  private CollabV1Decoder() {}

  @Override
  public ClientMessage decode(WebSocketFrame frame) {
    if (!(frame instanceof BinaryWebSocketFrame)) {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA, "collab/1 frames are binary");
    }
    ClientFrame f;
    try {
      f = ClientFrame.parseFrom(frame.content().nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "malformed collab/1 frame: " + e.getMessage(), e);
    }
    return toMessage(f);
  }

  static ClientMessage toMessage(ClientFrame f) {
    return switch (f.getFrameCase()) {
      case HELLO -> {
        String token = f.getHello().getToken();
        yield new ClientMessage.Authenticate("", token.isEmpty() ? null : token);
      }
      case OPEN -> new ClientMessage.Open(document(f.getOpen().getDocument(), "open"));
      case CLOSE -> new ClientMessage.Close(document(f.getClose().getDocument(), "close"));
      case SYNC_STEP1 -> new ClientMessage.Sync(document(f.getSyncStep1().getDocument(), "sync step 1"),
          SyncMessage.STEP1, f.getSyncStep1().getStateVector().toByteArray());
      case SYNC_STEP2 -> new ClientMessage.Sync(document(f.getSyncStep2().getDocument(), "sync step 2"),
          SyncMessage.STEP2, f.getSyncStep2().getUpdate().toByteArray());
      case UPDATE -> new ClientMessage.Sync(document(f.getUpdate().getDocument(), "update"), SyncMessage.UPDATE,
          f.getUpdate().getUpdate().toByteArray(), f.getUpdate().getAckId());
      case AWARENESS -> new ClientMessage.Awareness(document(f.getAwareness().getDocument(), "awareness"),
          f.getAwareness().getUpdate().toByteArray());
      case QUERY_AWARENESS -> new ClientMessage.QueryAwareness(
          document(f.getQueryAwareness().getDocument(), "query awareness"));
      case CUSTOM -> new ClientMessage.Stateless(document(f.getCustom().getDocument(), "custom"),
          f.getCustom().getPayload());
      case FRAME_NOT_SET -> throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA,
          "empty or unknown collab/1 frame");
    };
  }

  private static String document(String document, String frame) {
    if (document.isEmpty()) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "a " + frame + " frame needs a document");
    }
    return document;
  }
}
