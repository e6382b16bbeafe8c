package ai.candlefish.collab.core;

import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a seeded property run after run, each with its own seed (the base seed plus the run's index), so that a
 * failure names the one seed that replays it: {@code -D<name>.seed=<seed> -D<name>.runs=1}. {@code -D<name>.seed} and
 * {@code -D<name>.runs} also explore other or longer histories. With a time budget ({@link #within}) the runs stop once
 * it is spent, after at least three, so a slow machine shortens the search instead of stalling the build;
 * {@code -D<name>.budgetMillis=<ms>} changes it.
 *
 * <p>Not thread-safe; one per test method.
 */
final class SeededRuns {
  private static final int MIN_RUNS_IN_BUDGET = 3;

  /** One run of a property: throws {@link AssertionError} (or any runtime exception) when it does not hold. */
  @FunctionalInterface
  interface Property {
    void check(long seed, int run);
  }

  private final String name;
  private final long baseSeed;
  private final int runs;
  private long budgetMillis = Long.MAX_VALUE;

  private SeededRuns(String name, long baseSeed, int runs) {
    this.name = name;
    this.baseSeed = baseSeed;
    this.runs = runs;
  }

  /** Runs named {@code name} (the prefix of their system properties), by default {@code runs} from {@code seed}. */
  static SeededRuns named(String name, long seed, int runs) {
    return new SeededRuns(name, Long.getLong(name + ".seed", seed), Integer.getInteger(name + ".runs", runs));
  }

  /** Stops starting runs after {@code millis} of wall time (unless {@code -D<name>.budgetMillis} says otherwise). */
  SeededRuns within(long millis) {
    budgetMillis = Long.getLong(name + ".budgetMillis", millis);
    return this;
  }

  /** How many runs {@link #forEach} starts at most. */
  int count() {
    return runs;
  }

  /**
   * Checks the property once per seed, first failure first; returns the number of runs done.
   *
   * @throws AssertionError naming the failing seed and how to rerun it alone
   */
  int forEach(Property property) {
    long deadline = budgetMillis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + budgetMillis;
    int done = 0;
    while (done < runs && (done < MIN_RUNS_IN_BUDGET || System.currentTimeMillis() < deadline)) {
      long seed = baseSeed + done;
      try {
        property.check(seed, done);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(name + " run failed with seed " + seed + " (rerun: -D" + name + ".seed=" + seed
            + " -D" + name + ".runs=1): " + e.getMessage(), e);
      }
      done++;
    }
    System.out.printf("%s: %d runs from seed %d%n", name, done, baseSeed);
    return done;
  }

  /** {@code failure} with the last {@code count} steps of a run's log appended to its message. */
  static AssertionError withLastSteps(Throwable failure, List<String> log, int count) {
    List<String> last = log.subList(Math.max(0, log.size() - count), log.size());
    return new AssertionError(failure.getMessage() + "\nlast steps:\n  " + String.join("\n  ", last), failure);
  }

  /** Fisher–Yates with the run's own random source, so that the order replays with the seed. */
  static <T> void shuffle(List<T> list, SplittableRandom rnd) {
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, rnd.nextInt(i + 1));
    }
  }
}
