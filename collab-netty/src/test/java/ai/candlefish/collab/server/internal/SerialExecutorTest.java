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
}
