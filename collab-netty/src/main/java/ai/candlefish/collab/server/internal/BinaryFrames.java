package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Binary WebSocket messages as the server puts them on the wire: one final frame, unmasked, no extension (the
 * server accepts none). A connection writes these bytes past Netty's frame encoder, so that a message for many
 * connections is encoded once ({@link SharedFrames}). Stateless.
 */
public final class BinaryFrames {
  /** The longest header: 2 bytes, plus 2 for a length above 125, or 8 for one above 65,535. */
  static final int MAX_HEADER = 10;
  private static final int FIN_BINARY = 0x82;

  private BinaryFrames() {}

  /** {@code message} in {@code protocol} as one complete binary frame, in a buffer from {@code alloc}. */
  public static ByteBuf encode(WireProtocol protocol, ByteBufAllocator alloc, ServerMessage message) {
    ByteBuf buf = protocol.encode(alloc, message, MAX_HEADER);
    int length = buf.readableBytes();
    int start = buf.readerIndex() - headerLength(length);
    buf.setByte(start, FIN_BINARY);
    if (length <= 125) {
      buf.setByte(start + 1, length);
    } else if (length <= 0xFFFF) {
      buf.setByte(start + 1, 126);
      buf.setShort(start + 2, length);
    } else {
      buf.setByte(start + 1, 127);
      buf.setLong(start + 2, length);
    }
    return buf.readerIndex(start);
  }

  /** The length of the message in {@code frame} (one that {@link #encode} built), without its header. */
  public static int payloadLength(ByteBuf frame) {
    int length = frame.getUnsignedByte(frame.readerIndex() + 1) & 0x7F;
    return frame.readableBytes() - (length <= 125 ? 2 : length == 126 ? 4 : 10);
  }

  private static int headerLength(int payloadLength) {
    return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }
}
