package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void execute_runsOneAtATimeInSubmissionOrder_fromManySubmitters() throws Exception {
    SerialExecutor serial = new SerialExecutor(pool, "test", false);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int perSubmitter = 2000;
    CountDownLatch done = new CountDownLatch(4 * perSubmitter);
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t * perSubmitter;
      submitters.add(new Thread(() -> {
        for (int i = 0; i < perSubmitter; i++) {
          int n = base + i;
          serial.execute(() -> {
            if (running.incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            seen.add(n);
            running.decrementAndGet();
            done.countDown();
          });
        }
      }));
    }
    submitters.forEach(Thread::start);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(overlaps.get()).isZero();
    for (int t = 0; t < 4; t++) {
      int base = t * perSubmitter;
      List<Integer> mine = seen.stream().filter(n -> n >= base && n < base + perSubmitter).toList();
      assertThat(mine).as("submitter %d's order", t).isSorted().hasSize(perSubmitter);
    }
  }

  @Test
  void paused_queuesUntilResume_whichRunsItsTaskFirst() throws Exception {
    SerialExecutor serial = new SerialExecutor(pool, "test", true);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    serial.execute(() -> seen.add("queued 1"));
    serial.execute(() -> seen.add("queued 2"));
    serial.execute(done::countDown);
    Thread.sleep(50);
    assertThat(seen).isEmpty();
    serial.resume(() -> seen.add("first"));
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).containsExactly("first", "queued 1", "queued 2");
    assertThatThrownBy(() -> serial.resume(() -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailingTask_doesNotStopTheNext() throws Exception {
    SerialExecutor serial = new SerialExecutor(pool, "test", false);
    CountDownLatch done = new CountDownLatch(1);
    serial.execute(() -> {
      throw new IllegalStateException("expected by the test");
    });
    serial.execute(done::countDown);
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aShutDownPool_dropsTasksWithoutThrowing_andTellsTheRejectableOnes() {
    SerialExecutor serial = new SerialExecutor(pool, "test", false);
    pool.shutdown();
    serial.execute(() -> {});
    AtomicInteger rejected = new AtomicInteger();
    serial.execute(new SerialExecutor.Rejectable() {
      @Override
      public void run() {}

      @Override
      public void rejected() {
        rejected.incrementAndGet();
      }
    });
    assertThat(rejected).hasValue(1);
  }

  /**
   * A hand-off runs its work on the other executor once the task that asked for it returned, nothing else of the
   * executor meanwhile (what was queued, and what is queued while the work runs, waits), then its continuation first.
   */
  @Test
  void handOff_runsTheWorkElsewhere_aloneAfterTheTask_thenItsContinuationBeforeTheQueue() throws Exception {
    ExecutorService elsewhere = Executors.newSingleThreadExecutor(r -> new Thread(r, "elsewhere"));
    try {
      SerialExecutor serial = new SerialExecutor(pool, "test", false);
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch working = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(1);
      serial.execute(() -> {
        serial.handOff(elsewhere, () -> {
          seen.add("work on " + Thread.currentThread().getName());
          working.countDown();
          awaitQuietly(release);
          seen.add("work returns");
        }, () -> seen.add("then"));
        seen.add("task returns");
      });
      serial.execute(() -> seen.add("queued before"));
      assertThat(working.await(30, TimeUnit.SECONDS)).isTrue();
      serial.execute(() -> seen.add("queued during"));
      serial.execute(done::countDown);
      // Had anything of the executor run beside the work, it would have within this wait.
      Thread.sleep(100);
      assertThat(seen).containsExactly("task returns", "work on elsewhere");
      release.countDown();
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).containsExactly("task returns", "work on elsewhere", "work returns", "then", "queued before",
          "queued during");
      AtomicReference<RuntimeException> second = new AtomicReference<>();
      CountDownLatch continued = new CountDownLatch(1);
      serial.execute(() -> {
        serial.handOff(elsewhere, () -> {}, continued::countDown);
        try {
          serial.handOff(elsewhere, () -> {}, () -> {});
        } catch (IllegalStateException e) {
          second.set(e);
        }
      });
      assertThat(continued.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(second.get()).hasMessageContaining("one hand-off per task");
    } finally {
      elsewhere.shutdownNow();
    }
  }

  @Test
  void handOff_toAShutDownExecutor_runsTheWorkAndItsContinuationHere() throws Exception {
    ExecutorService elsewhere = Executors.newSingleThreadExecutor();
    elsewhere.shutdown();
    SerialExecutor serial = new SerialExecutor(pool, "test", false);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    serial.execute(() -> serial.handOff(elsewhere, () -> seen.add("work"), () -> seen.add("then")));
    serial.execute(done::countDown);
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).containsExactly("work", "then");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
