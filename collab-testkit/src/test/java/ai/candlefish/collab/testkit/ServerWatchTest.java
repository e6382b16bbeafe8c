package ai.candlefish.collab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The watch fails what it should: a "server" (here, the test itself) that holds the attack's bytes, answers slowly,
 * or starts a thread per attacker; and passes what stays within its bounds.
 */
class ServerWatchTest {
  /** Kept reachable while the watch checks, as a server that buffered an attack would keep it. */
  private byte[] held;

  @Test
  void check_withinEveryBound_passes() {
    ServerWatch watch = ServerWatch.of("nothing").roundTrip("quick", () -> { }).start();
    watch.check();
  }

  @Test
  void check_heapHeldBeyondTheBound_fails() {
    ServerWatch watch = ServerWatch.of("buffered flood").heapBound(8 << 20).start();
    held = new byte[32 << 20];
    assertThatThrownBy(watch::check).isInstanceOf(AssertionError.class)
        .hasMessageContaining("buffered flood: heap grew by").hasMessageContaining("beyond the bound of 8.0 MiB");
    assertThat(held).hasSize(32 << 20);
  }

  @Test
  void check_roundTripsSlowerThanTheBound_fail() {
    ServerWatch watch = ServerWatch.of("stalled document").latencyBound(Duration.ofMillis(10))
        .stallBound(Duration.ofMillis(30)).roundTrip("edit", () -> Thread.sleep(50)).start();
    assertThatThrownBy(watch::check).isInstanceOf(AssertionError.class)
        .hasMessageContaining("round trip \"edit\" p90").hasMessageContaining("took");
  }

  @Test
  void check_aRoundTripThatThrows_fails() {
    ServerWatch watch = ServerWatch.of("closed bystander").roundTrip("edit", () -> {
      throw new IllegalStateException("closed with 1013");
    }).start();
    assertThatThrownBy(watch::check).hasMessageContaining("round trip \"edit\" failed")
        .hasMessageContaining("closed with 1013");
  }

  @Test
  void check_threadsBeyondTheMaximum_fail() throws InterruptedException {
    ServerWatch watch = ServerWatch.of("thread per attacker").threads("watched-attacker-", 2).start();
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Thread t = new Thread(() -> {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "watched-attacker-" + i);
      t.start();
      threads.add(t);
    }
    try {
      assertThatThrownBy(watch::check).hasMessageContaining("threads watched-attacker-* grew from 0 to 5");
    } finally {
      release.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  @Test
  void percentile_isTheNearestRank() {
    List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(ServerWatch.percentile(sorted, 50)).isEqualTo(5);
    assertThat(ServerWatch.percentile(sorted, 90)).isEqualTo(9);
    assertThat(ServerWatch.percentile(sorted, 99)).isEqualTo(10);
  }
}
