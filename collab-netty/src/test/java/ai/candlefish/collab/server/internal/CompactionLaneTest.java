package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lane on the calling thread, a clock that the compactions move and a timer that the test fires. */
class CompactionLaneTest {
  private long now;
  private final List<Runnable> timerTasks = new ArrayList<>();
  private final List<Long> timerDelays = new ArrayList<>();
  private boolean timerClosed;
  private final List<String> ran = new ArrayList<>();

  private final CompactionLane lane = new CompactionLane(Runnable::run, (task, nanos) -> {
    if (timerClosed) {
      throw new RejectedExecutionException("closed");
    }
    timerTasks.add(task);
    timerDelays.add(nanos);
  }, () -> now);

  private Runnable compaction(String name, long millis) {
    return () -> {
      ran.add(name);
      now += TimeUnit.MILLISECONDS.toNanos(millis);
    };
  }

  @Test
  void execute_restsThreeTimesTheCompactionsDuration_beforeTheNext() {
    lane.execute(compaction("a", 40));
    lane.execute(compaction("b", 10));

    assertThat(ran).containsExactly("a");
    assertThat(timerDelays).containsExactly(TimeUnit.MILLISECONDS.toNanos(120));

    timerTasks.get(0).run();

    assertThat(ran).containsExactly("a", "b");
    assertThat(timerDelays).containsExactly(TimeUnit.MILLISECONDS.toNanos(120), TimeUnit.MILLISECONDS.toNanos(30));
  }

  @Test
  void execute_duringARest_waitsForItsEnd() {
    lane.execute(compaction("a", 5));
    lane.execute(compaction("b", 5));
    lane.execute(compaction("c", 5));

    assertThat(ran).containsExactly("a");
    timerTasks.get(0).run();
    assertThat(ran).containsExactly("a", "b");
    timerTasks.get(1).run();
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void execute_afterACompactionThatFailed_stillRests() {
    lane.execute(() -> {
      now += TimeUnit.MILLISECONDS.toNanos(20);
      throw new IllegalStateException("the database is down");
    });
    lane.execute(compaction("b", 1));

    assertThat(ran).isEmpty();
    assertThat(timerDelays).containsExactly(TimeUnit.MILLISECONDS.toNanos(60));
    timerTasks.get(0).run();
    assertThat(ran).containsExactly("b");
  }

  @Test
  void execute_whenTheTimerIsClosed_dropsWhatIsQueued() {
    timerClosed = true;
    lane.execute(compaction("a", 5));
    lane.execute(compaction("b", 5));

    assertThat(ran).containsExactly("a");
    assertThat(timerTasks).isEmpty();
  }
}
