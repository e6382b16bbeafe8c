package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.Arrays;

/**
 * What Netty's {@link AdaptiveRecvByteBufAllocator} with its default sizes (64 bytes to 64 KiB, 2 KiB at first) and
 * {@code maxMessagesPerRead(n)} does, with a smaller handle: every channel has its own handle, and Netty's is three
 * objects of 112 bytes in all (the handle, a lambda-like supplier and an {@code AdaptiveCalculator} with its bounds),
 * where this one is one object of 40 bytes (the size as an index into the same table, the bounds constants); a server
 * holds 10,000s of channels. Same buffer sizes, same growth and shrinking, same decision whether to read on
 * ({@code CompactRecvByteBufAllocatorTest} drives both with the same reads).
 *
 * <p>The size algorithm (Netty's): sizes are 16 to 496 in steps of 16, then powers of two. After a read that filled
 * its buffer, and after a read loop that read at least the current size, the next size is four steps larger; after
 * two read loops in a row that read no more than the size one step smaller, it is one step smaller.
 *
 * <p>Thread-safe allocator (immutable); each handle is confined to its channel's event loop.
 */
public final class CompactRecvByteBufAllocator implements RecvByteBufAllocator {
  private static final int[] SIZES = sizes();
  private static final int MIN_INDEX = indexOf(AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM);
  private static final int MAX_INDEX = indexOf(AdaptiveRecvByteBufAllocator.DEFAULT_MAXIMUM);
  private static final int INITIAL_INDEX = indexOf(AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL);
  private static final int INDEX_INCREMENT = 4;
  private static final int INDEX_DECREMENT = 1;

  private final int maxMessagesPerRead;

  /**
   * @param maxMessagesPerRead how many reads a channel gets per event (1: one read per turn of the event loop, so
   *     that a busy client cannot keep the loop from the others)
   * @throws IllegalArgumentException if {@code maxMessagesPerRead} is not positive
   */
  public CompactRecvByteBufAllocator(int maxMessagesPerRead) {
    if (maxMessagesPerRead < 1) {
      throw new IllegalArgumentException("maxMessagesPerRead must be positive: " + maxMessagesPerRead);
    }
    this.maxMessagesPerRead = maxMessagesPerRead;
  }

  @Override
  public Handle newHandle() {
    return new CompactHandle();
  }

  private static int[] sizes() {
    int[] sizes = new int[31 + 31];
    int n = 0;
    for (int size = 16; size < 512; size += 16) {
      sizes[n++] = size;
    }
    for (int size = 512; size > 0; size <<= 1) {
      sizes[n++] = size;
    }
    return Arrays.copyOf(sizes, n);
  }

  /** The index of {@code size}, which must be in the table (Netty's defaults are). */
  private static int indexOf(int size) {
    int i = Arrays.binarySearch(SIZES, size);
    if (i < 0) {
      throw new IllegalStateException("not a size of the table: " + size);
    }
    return i;
  }

  /** One channel's handle: the next buffer size, and the counts of the read loop under way. */
  private final class CompactHandle implements ExtendedHandle {
    private ChannelConfig config;
    private int totalMessages;
    private int totalBytesRead;
    private int attemptedBytesRead;
    private int lastBytesRead;
    /** The next buffer's size, as an index into {@link #SIZES}. */
    private byte index = (byte) INITIAL_INDEX;
    /** Whether the last read loop read little: if the next one does too, the size shrinks. */
    private boolean decreaseNow;

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return alloc.ioBuffer(guess());
    }

    @Override
    public int guess() {
      return SIZES[index];
    }

    @Override
    public void reset(ChannelConfig config) {
      this.config = config;
      totalMessages = 0;
      totalBytesRead = 0;
    }

    @Override
    public void incMessagesRead(int numMessages) {
      totalMessages += numMessages;
    }

    @Override
    public void lastBytesRead(int bytes) {
      if (bytes == attemptedBytesRead) {
        record(bytes); // the buffer was filled: grow at once
      }
      lastBytesRead = bytes;
      if (bytes > 0) {
        totalBytesRead += bytes;
      }
    }

    @Override
    public int lastBytesRead() {
      return lastBytesRead;
    }

    @Override
    public boolean continueReading() {
      return config.isAutoRead() && attemptedBytesRead == lastBytesRead && withinRead();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return config.isAutoRead() && maybeMoreDataSupplier.get() && withinRead();
    }

    private boolean withinRead() {
      return totalMessages < maxMessagesPerRead && totalBytesRead > 0;
    }

    @Override
    public void readComplete() {
      record(totalBytesRead < 0 ? Integer.MAX_VALUE : totalBytesRead);
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      attemptedBytesRead = bytes;
    }

    @Override
    public int attemptedBytesRead() {
      return attemptedBytesRead;
    }

    private void record(int size) {
      if (size <= SIZES[Math.max(0, index - INDEX_DECREMENT)]) {
        if (decreaseNow) {
          index = (byte) Math.max(index - INDEX_DECREMENT, MIN_INDEX);
          decreaseNow = false;
        } else {
          decreaseNow = true;
        }
      } else if (size >= SIZES[index]) {
        index = (byte) Math.min(index + INDEX_INCREMENT, MAX_INDEX);
        decreaseNow = false;
      }
    }
  }
}
