package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * Binary WebSocket messages as the server puts them on the wire: one final frame, unmasked, no extension (the
 * server accepts none). A connection writes these bytes past Netty's frame encoder, so that a message for many
 * connections is encoded once ({@link SharedFrames}). Stateless.
 *
 * <p>A message over {@link #POOLED_MAX} bytes (a document's full state, a large update) gets a buffer of its own from
 * {@link UnpooledByteBufAllocator}, freed as soon as it is written, instead of one from the channel's pooled
 * allocator: Netty's adaptive allocator carves a buffer of more than 16 KiB from a chunk of about eight times the largest
 * such buffer it has seen (8 MiB for states of ~800 KB), one chunk per magazine, and adds magazines when two threads
 * allocate at the same moment (documents encode on their own threads). A few large states sent at once then left
 * 8 MiB chunks reserved for good, one per thread that happened to collide: the +8 and +17 MiB that
 * {@code HostileSessionsTest}'s non-reader measured in some runs and not in others, for the same ~2 MB of frames.
 */
public final class BinaryFrames {
  /** The longest header: 2 bytes, plus 2 for a length above 125, or 8 for one above 65,535. */
  static final int MAX_HEADER = 10;
  private static final int FIN_BINARY = 0x82;
  /** The largest message encoded into a pooled buffer: 64 KiB keeps the adaptive allocator's chunks at 512 KiB. */
  static final int POOLED_MAX = 64 * 1024;

  private BinaryFrames() {}

  /**
   * {@code message} in {@code protocol} as one complete binary frame, in a buffer from {@code alloc} (from
   * {@link UnpooledByteBufAllocator#DEFAULT} if the message is over {@link #POOLED_MAX} bytes).
   */
  public static ByteBuf encode(WireProtocol protocol, ByteBufAllocator alloc, ServerMessage message) {
    ByteBufAllocator from = message.size() > POOLED_MAX ? UnpooledByteBufAllocator.DEFAULT : alloc;
    ByteBuf buf = protocol.encode(from, message, MAX_HEADER);
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
