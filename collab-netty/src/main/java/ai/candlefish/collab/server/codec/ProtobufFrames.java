package ai.candlefish.collab.server.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Protobuf messages as binary WebSocket messages (collab/1, both sides). Stateless. */
public final class ProtobufFrames {
  private ProtobufFrames() {}

  /** {@code message} serialised into a buffer of exactly its size, as one binary WebSocket message. */
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
