package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactRecvByteBufAllocator} against the allocator it stands in for, Netty's
 * {@link AdaptiveRecvByteBufAllocator} with the same {@code maxMessagesPerRead}: both handles are driven through
 * the same read loops (as Netty's transports drive them: reset, then per read the attempted size, the bytes read,
 * the message count, whether to read on; then read complete), with reads that fill the buffer, fall short, read
 * nothing or hit the end of the stream, and must give the same buffer sizes and decisions throughout.
 */
class CompactRecvByteBufAllocatorPropertyTest {
  private static final int LOOPS = 100_000;

  @Test
  void handle_oneReadPerEvent_behavesAsNettysAdaptiveHandle() {
    compare(1, System.nanoTime());
  }

  @Test
  void handle_severalReadsPerEvent_behavesAsNettysAdaptiveHandle() {
    compare(16, System.nanoTime());
  }

  @Test
  void constructor_noReadPerEvent_isRefused() {
    assertThatThrownBy(() -> new CompactRecvByteBufAllocator(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessagesPerRead must be positive: 0");
  }

  private static void compare(int maxMessagesPerRead, long seed) {
    Random random = new Random(seed);
    String context = "seed " + seed + ", maxMessagesPerRead " + maxMessagesPerRead;
    ExtendedHandle netty =
        (ExtendedHandle) new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(maxMessagesPerRead).newHandle();
    ExtendedHandle ours = (ExtendedHandle) new CompactRecvByteBufAllocator(maxMessagesPerRead).newHandle();
    EmbeddedChannel channel = new EmbeddedChannel();
    ChannelConfig config = channel.config();
    // Phases of mostly large or mostly small reads, so that the size climbs to the top and falls to the bottom.
    boolean large = false;
    for (int loop = 0; loop < LOOPS; loop++) {
      if (random.nextInt(200) == 0) {
        large = !large;
      }
      config.setAutoRead(random.nextInt(10) != 0);
      netty.reset(config);
      ours.reset(config);
      boolean more;
      do {
        assertThat(ours.guess()).as(context).isEqualTo(netty.guess());
        ByteBuf buffer = ours.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertThat(buffer.capacity()).as(context).isEqualTo(netty.guess());
        buffer.release();
        int attempted = netty.guess();
        netty.attemptedBytesRead(attempted);
        ours.attemptedBytesRead(attempted);
        assertThat(ours.attemptedBytesRead()).as(context).isEqualTo(netty.attemptedBytesRead());
        int read = bytesRead(random, attempted, large);
        netty.lastBytesRead(read);
        ours.lastBytesRead(read);
        assertThat(ours.lastBytesRead()).as(context).isEqualTo(netty.lastBytesRead());
        if (read <= 0) {
          break;
        }
        netty.incMessagesRead(1);
        ours.incMessagesRead(1);
        boolean maybeMore = random.nextBoolean();
        assertThat(ours.continueReading(() -> maybeMore)).as(context)
            .isEqualTo(netty.continueReading(() -> maybeMore));
        more = netty.continueReading();
        assertThat(ours.continueReading()).as(context).isEqualTo(more);
      } while (more);
      netty.readComplete();
      ours.readComplete();
      assertThat(ours.guess()).as(context).isEqualTo(netty.guess());
    }
    channel.finishAndReleaseAll();
  }

  /** A read's result: the end of the stream, nothing, the whole buffer, or part of it. */
  private static int bytesRead(Random random, int attempted, boolean large) {
    int kind = random.nextInt(20);
    if (kind == 0) {
      return -1;
    }
    if (kind == 1) {
      return 0;
    }
    if (large ? kind < 14 : kind < 4) {
      return attempted;
    }
    return large ? 1 + random.nextInt(attempted) : 1 + random.nextInt(Math.min(attempted, 80));
  }
}
