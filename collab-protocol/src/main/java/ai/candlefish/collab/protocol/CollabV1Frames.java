package ai.candlefish.collab.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What both ends of collab/1 share besides the messages of {@code collab/v1/collab.proto}: the WebSocket subprotocol
 * that selects it and the framing of one protobuf message per binary WebSocket message. Stateless.
 */
public final class CollabV1Frames {
  /** The WebSocket subprotocol ({@code Sec-WebSocket-Protocol}) that selects collab/1. */
  public static final String SUBPROTOCOL = "collab.v1";

  private CollabV1Frames() {}

  /**
   * {@code message} serialised into a buffer of exactly its size, as one binary WebSocket message.
   *
   * @param alloc the channel's allocator
   * @param message a {@code ClientFrame} or {@code ServerFrame}
   * @return the frame, owning its buffer
   */
  public static BinaryWebSocketFrame binaryFrame(ByteBufAllocator alloc, MessageLite message) {
    int size = message.getSerializedSize();
    ByteBuf buf = alloc.buffer(size, size);
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(buf.nioBuffer(0, size));
      message.writeTo(coded);
      coded.checkNoSpaceLeft();
      buf.writerIndex(size);
      BinaryWebSocketFrame frame = new BinaryWebSocketFrame(buf);
      buf = null;
      return frame;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the buffer has exactly the size
    } finally {
      if (buf != null) {
        buf.release();
      }
    }
  }
}
