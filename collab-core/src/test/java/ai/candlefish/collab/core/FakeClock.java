package ai.candlefish.collab.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * One clock for the Java undo managers of a test and their Yjs twins: {@link #millis()} is what
 * {@link UndoManager.Builder#clock} reads, and every {@link #set} fixes the peer's {@code Date.now} (its {@code clock}
 * command, {@code fake-clock.mjs}), which Yjs's {@code captureTimeout} reads. {@link #close()} gives the peer back its
 * wall clock, for the tests that run after. Not thread-safe (one test's thread).
 */
final class FakeClock implements AutoCloseable {
  private final YjsPeer peer;
  private final List<String> log;
  private long now;

  /** A clock at {@code millis}; each change is added to {@code log} (a run's steps, printed when it fails). */
  FakeClock(YjsPeer peer, List<String> log, long millis) {
    this.peer = peer;
    this.log = log;
    set(millis);
  }

  /** The clock as a Java undo manager reads it. */
  LongSupplier millis() {
    return () -> now;
  }

  /** Sets both clocks to {@code millis}. */
  void set(long millis) {
    now = millis;
    log.add("clock " + millis);
    peer.request(command(millis));
  }

  /** Moves both clocks on by one of {@code steps} (ms), every other call on average. */
  void maybeAdvance(SplittableRandom rnd, long... steps) {
    if (rnd.nextBoolean()) {
      set(now + steps[rnd.nextInt(steps.length)]);
    }
  }

  @Override
  public void close() {
    peer.request(command(null));
  }

  private static Map<String, Object> command(Long millis) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "clock");
    c.put("now", millis);
    return c;
  }
}
