package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TailReportTest {
  private static final Pattern MAX_LAG = Pattern.compile("max ([0-9.]+) ms late");

  private final EventLoopGroup loops = new DefaultEventLoopGroup(1);

  @AfterEach
  void stopLoops() throws Exception {
    loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
  }

  @Test
  void take_classifiesSlowUpdatesByWhereTheyWereLate_andIgnoresTheOthers() {
    TailReport report = new TailReport(100);
    long sent = System.nanoTime() - TimeUnit.SECONDS.toNanos(60); // long before any stall of the generator's
    report.delivered(sent, 0, 60_000, 120_000, -1, -1); // late on its sender's node
    report.delivered(sent, 0, 1_000, 2_000, 60_000, 150_000); // late only across nodes
    report.delivered(sent, 1, 1_000, 130_000, 1_000, 2_000); // one slow receiver
    report.delivered(sent, 1, 1_000, 99_000, 1_000, 99_000); // not slow

    assertThat(report.take()).startsWith("3 updates delivered 100 ms or more late: 1 late on the sender's node too,"
        + " 1 late only on the other nodes, 1 late for some receivers only; 0 of them in flight during a generator"
        + " stall");
    assertThat(report.take()).startsWith("0 updates delivered");
  }

  /** Round 18's probe (a fixed-rate task) read every lag after its first stall as 0. */
  @Test
  void watch_measuresEveryStallOfALoop_notOnlyTheFirst() throws Exception {
    TailReport report = new TailReport(100);
    report.watch(loops);
    block(300);
    report.take();
    block(150);

    assertThat(maxLagMillis(report.take())).isGreaterThanOrEqualTo(100);
  }

  @Test
  void take_countsASlowUpdateInFlightDuringAGeneratorStall() throws Exception {
    TailReport report = new TailReport(100);
    report.watch(loops);
    long sent = System.nanoTime();
    block(200);
    report.delivered(sent, 0, 210_000, 220_000, 210_000, 220_000);
    report.delivered(sent - TimeUnit.SECONDS.toNanos(60), 0, 210_000, 220_000, 210_000, 220_000);

    String taken = report.take();
    assertThat(taken).contains("2 updates delivered").contains("1 of them in flight during a generator stall");
    assertThat(taken).contains("(generator stalled meanwhile)");
  }

  /**
   * Holds the loop for {@code millis}, then waits until the probe's timer, due meanwhile, has run: a loop runs its
   * timers in the order of their deadlines, and the one scheduled here is due after it.
   */
  private void block(long millis) throws Exception {
    loops.submit(() -> {
      Thread.sleep(millis);
      return null;
    }).get();
    loops.schedule(() -> null, 1, TimeUnit.MILLISECONDS).get();
  }

  private static double maxLagMillis(String report) {
    Matcher m = MAX_LAG.matcher(report);
    assertThat(m.find()).as(report).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
