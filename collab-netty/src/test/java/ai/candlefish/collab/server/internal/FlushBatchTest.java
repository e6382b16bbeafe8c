package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When what {@link OutboundBudget} writes is flushed ({@link FlushBatch}): on an {@link EmbeddedChannel} with its
 * clock frozen, so that "5 ms later" is exact. The socket is a handler that records each flush and what it carried.
 */
class FlushBatchTest {
  private static final Duration INTERVAL = Duration.ofMillis(5);

  /** What each flush carried, in order: one entry per system call a socket would make. */
  private final List<List<String>> flushes = new ArrayList<>();
  private final List<String> unflushed = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      unflushed.add(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (!unflushed.isEmpty()) {
        flushes.add(List.copyOf(unflushed));
        unflushed.clear();
      }
      ctx.flush();
    }
  });

  FlushBatchTest() {
    channel.freezeTime();
  }

  @AfterEach
  void release() {
    after(1000); // a write still held would fail at the close below
    channel.finishAndReleaseAll();
  }

  private static ByteBuf message(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  private static void write(OutboundBudget budget, String text) {
    budget.write(message(text), text.length());
  }

  private void after(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
  }

  @Test
  void write_withoutAnInterval_isFlushedAtTheEndOfTheTurn_withTheTurnsOtherWrites() {
    OutboundBudget budget = new OutboundBudget(channel, 1 << 20, Duration.ZERO);
    write(budget, "a");
    write(budget, "b"); // (EmbeddedChannel runs its queued tasks after each write: the turn ends here)

    channel.runPendingTasks();

    assertThat(flushes).containsExactly(List.of("a", "b"));
  }

  @Test
  void writes_withinTheInterval_goOutInOneFlush_inOrder_whenTheIntervalEnds() {
    OutboundBudget budget = new OutboundBudget(channel, 1 << 20, INTERVAL);
    write(budget, "a");
    channel.runPendingTasks(); // the turn ends: held
    after(2);
    write(budget, "b");
    after(2);
    write(budget, "c");
    assertThat(flushes).as("4 ms after the first write").isEmpty();

    after(1);

    assertThat(flushes).containsExactly(List.of("a", "b", "c"));
  }

  @Test
  void write_afterAFlush_waitsOneIntervalFromItself_notFromTheFlush() {
    OutboundBudget budget = new OutboundBudget(channel, 1 << 20, INTERVAL);
    write(budget, "a");
    after(5);
    after(3);
    write(budget, "b");
    after(4);
    assertThat(flushes).containsExactly(List.of("a"));

    after(1);

    assertThat(flushes).as("5 ms after b, its own interval").containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void closeFrame_isNotHeldBack_andWhatWasWrittenBeforeGoesFirst() {
    OutboundBudget budget = new OutboundBudget(channel, 1 << 20, INTERVAL);
    write(budget, "a");
    write(budget, "b");

    // As CloseHandshake sends its frame: writeAndFlush, which takes what waits with it.
    channel.writeAndFlush(message("close"));

    assertThat(flushes).containsExactly(List.of("a", "b", "close"));
    after(5);
    assertThat(flushes).as("the interval's flush finds nothing left").hasSize(1);
  }

  @Test
  void exceeded_countsWhatWaitsForTheFlush() {
    OutboundBudget budget = new OutboundBudget(channel, 1024, INTERVAL);
    write(budget, "x".repeat(2000));

    assertThat(budget.exceeded()).as("held for the interval, still counted against the limit").isTrue();
  }
}
