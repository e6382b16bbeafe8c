package ai.candlefish.collab.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a server in the test's JVM while a test attacks it, and fails the test when the attack cost more than it
 * may: the proof, for each attack, that the server's heap and threads stay bounded and that other clients keep their
 * latency.
 *
 * <pre>{@code
 * ServerWatch watch = ServerWatch.of("awareness flood")
 *     .roundTrip("other document", () -> edit(bystander, "plans"))   // each call is one sample
 *     .roundTrip("document thread", () -> handle.read(d -> null).join())
 *     .threads("collab-", 40)                                         // the server's threads, by name
 *     .start();                                                       // settles the heap: the baseline
 * ...the attack...
 * watch.check();                                                      // fails with every figure
 * }</pre>
 *
 * <p>What it measures, between {@link #start()} and {@link #check()}:
 * <ul>
 *   <li><b>Heap</b>: used heap after a full collection ({@link System#gc()} until it stops shrinking) at the start,
 *       every {@value #HEAP_SAMPLE_MILLIS} ms during the attack and at the end; the growth over the start must stay
 *       within {@link #heapBound}. Live objects only: a server that holds what the attacker sends (queued, pending,
 *       buffered) fails it once the attack sends more than the bound.</li>
 *   <li><b>Other memory</b> ({@link #gauge}): any reading, such as Netty's direct memory, sampled with the heap;
 *       its growth over the start must stay within its bound.</li>
 *   <li><b>Threads</b> ({@link #threads}): live threads whose names start with a prefix (the server's pools, which
 *       start their threads as work comes); the most seen at once must stay within a maximum (what the pools may
 *       hold): a server that gave each attacker a thread fails it.</li>
 *   <li><b>Round trips</b> ({@link #roundTrip}): each is called again and again on a thread of the watch (one after
 *       another, round robin) for the whole attack and timed: the 90th percentile of each must stay below
 *       {@link #latencyBound} (other clients keep their latency) and the slowest below {@link #stallBound} (nobody
 *       waits for the attack to end). A test gets tens of samples, not the hundreds a 99th percentile needs to
 *       differ from the slowest one, and on a loaded machine one sample in tens may be a scheduling hiccup of
 *       seconds. One still running when the attack ends counts with the time it has taken so far; one that throws
 *       fails the check. {@link #check()} first waits (up to 60 s, or until one fails) until each has
 *       {@value #MIN_SAMPLES} samples, for an attack that is over in an instant.</li>
 * </ul>
 * {@link #check()} prints every figure on one line (prefix {@code [ServerWatch]}), whether it passes or not.
 *
 * <p>Default bounds, for a test JVM on a shared, loaded 2-core machine (load 10-30): heap +64 MiB, round trips p90
 * below 2 s and all below 10 s. An edit's round trip through an idle server on loopback takes milliseconds, and up
 * to a few hundred at load 30 (with the watch's own full collections pausing the JVM); an attack that stalls a
 * document thread or the event loops costs seconds for every sample after it (issue 12 measured 26 s for one
 * update nested 40,000 deep), and a server that stops serving fails them all.
 *
 * <p>Not thread-safe: one test thread configures, starts and checks it.
 */
public final class ServerWatch {
  /** Something the watch calls again and again: one call is one sample. */
  @FunctionalInterface
  public interface RoundTrip {
    /** Does one round trip; returns when it is complete, throws when it cannot be. */
    void run() throws Exception;
  }

  static final long HEAP_SAMPLE_MILLIS = 500;
  static final int MIN_SAMPLES = 10;
  private static final Logger LOG = LoggerFactory.getLogger(ServerWatch.class);
  private static final long MIB = 1 << 20;
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final String attack;
  private final Map<String, RoundTrip> roundTrips = new LinkedHashMap<>();
  private final Map<String, Gauge> gauges = new LinkedHashMap<>();
  private final Map<String, List<Long>> samples = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private long heapBound = 64 * MIB;
  private int threadMax;
  private Duration latencyBound = Duration.ofSeconds(2);
  private Duration stallBound = Duration.ofSeconds(10);
  private String threadPrefix;

  private long heapAtStart;
  private long heapPeak;
  private long heapAtEnd;
  private int threadsAtStart;
  private int threadsPeak;
  private volatile boolean running;
  private Thread sampler;
  /** When the round trip in progress began (nanoTime), and which; 0 when none is. */
  private volatile long inProgressSince;
  private volatile String inProgress;

  private static final class Gauge {
    final LongSupplier reading;
    final long bound;
    long atStart;
    long peak;

    Gauge(LongSupplier reading, long bound) {
      this.reading = reading;
      this.bound = bound;
    }
  }

  private ServerWatch(String attack) {
    this.attack = attack;
  }

  /** A watch for the attack named {@code attack} (the name starts its printed figures). */
  public static ServerWatch of(String attack) {
    return new ServerWatch(attack);
  }

  /** How much the heap may grow over its size at the start, in bytes. Default 64 MiB. */
  public ServerWatch heapBound(long bytes) {
    this.heapBound = bytes;
    return this;
  }

  /** How far the 90th percentile of each round trip may go. Default 2 s. */
  public ServerWatch latencyBound(Duration bound) {
    this.latencyBound = bound;
    return this;
  }

  /** How long the slowest round trip may take. Default 10 s. */
  public ServerWatch stallBound(Duration bound) {
    this.stallBound = bound;
    return this;
  }

  /**
   * Counts the live threads whose names start with {@code prefix} (the server's, such as "collab-"): at most
   * {@code max} may be alive at once.
   */
  public ServerWatch threads(String prefix, int max) {
    this.threadPrefix = prefix;
    this.threadMax = max;
    return this;
  }

  /** Samples {@code reading} with the heap; it may grow by at most {@code bound} over its reading at the start. */
  public ServerWatch gauge(String name, LongSupplier reading, long bound) {
    gauges.put(name, new Gauge(reading, bound));
    return this;
  }

  /** Times {@code roundTrip} again and again during the attack (see the class comment). */
  public ServerWatch roundTrip(String name, RoundTrip roundTrip) {
    roundTrips.put(name, roundTrip);
    samples.put(name, new ArrayList<>());
    return this;
  }

  /** Takes the baseline (a settled heap, the threads, each gauge) and starts sampling; returns this. */
  public ServerWatch start() {
    if (running) {
      throw new IllegalStateException("the watch of " + attack + " is already started");
    }
    heapAtStart = settledHeap();
    heapPeak = heapAtStart;
    threadsAtStart = serverThreads();
    threadsPeak = threadsAtStart;
    for (Gauge g : gauges.values()) {
      g.atStart = g.reading.getAsLong();
      g.peak = g.atStart;
    }
    running = true;
    sampler = new Thread(this::sample, "server-watch");
    sampler.setDaemon(true);
    sampler.start();
    return this;
  }

  /**
   * Stops sampling, takes the end's figures, prints them all, and fails when any is beyond its bound.
   *
   * @throws AssertionError naming every figure beyond its bound, and every round trip that failed
   */
  public void check() {
    if (sampler == null) {
      throw new IllegalStateException("the watch of " + attack + " was not started");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (sampler.isAlive() && fewestSamples() < MIN_SAMPLES && !failed() && System.nanoTime() < deadline) {
      sleep(20);
    }
    running = false;
    try {
      sampler.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long stuck = inProgressSince;
    String stuckName = inProgress;
    if (sampler.isAlive() && stuck != 0 && stuckName != null) {
      // A round trip that has not come back: it counts with what it took so far.
      record(stuckName, System.nanoTime() - stuck);
      sampler.interrupt();
    }
    heapAtEnd = settledHeap();
    heapPeak = Math.max(heapPeak, heapAtEnd);
    sampleOthers();
    String figures = figures();
    LOG.info("[ServerWatch] {}", figures);
    synchronized (failures) {
      if (!failures.isEmpty()) {
        throw new AssertionError(attack + ": " + String.join("; ", failures) + "\nfigures: " + figures);
      }
    }
  }

  /** The sampler: round trips one after another, and the memory every {@value #HEAP_SAMPLE_MILLIS} ms. */
  private void sample() {
    long nextMemory = System.nanoTime();
    List<Map.Entry<String, RoundTrip>> all = new ArrayList<>(roundTrips.entrySet());
    int next = 0;
    while (running) {
      if (System.nanoTime() - nextMemory >= 0) {
        long heap = settledHeap();
        synchronized (this) {
          heapPeak = Math.max(heapPeak, heap);
        }
        sampleOthers();
        nextMemory = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAP_SAMPLE_MILLIS);
      }
      if (all.isEmpty()) {
        sleep(50);
        continue;
      }
      Map.Entry<String, RoundTrip> trip = all.get(next++ % all.size());
      long began = System.nanoTime();
      inProgress = trip.getKey();
      inProgressSince = began;
      try {
        trip.getValue().run();
        record(trip.getKey(), System.nanoTime() - began);
      } catch (Exception | AssertionError e) {
        if (!running && e instanceof InterruptedException) {
          return;
        }
        synchronized (failures) {
          failures.add("round trip \"" + trip.getKey() + "\" failed after "
              + millis(System.nanoTime() - began) + " ms: " + e);
        }
      } finally {
        inProgressSince = 0;
      }
      sleep(20); // not a bound: spaces the samples so that the watch does not become a flood of its own
    }
  }

  private synchronized void sampleOthers() {
    threadsPeak = Math.max(threadsPeak, serverThreads());
    for (Gauge g : gauges.values()) {
      g.peak = Math.max(g.peak, g.reading.getAsLong());
    }
  }

  private synchronized void record(String name, long nanos) {
    samples.get(name).add(nanos);
  }

  private synchronized String figures() {
    StringBuilder out = new StringBuilder(attack).append(": heap ")
        .append(mib(heapAtStart)).append(" MiB at the start, peak +").append(mib(heapPeak - heapAtStart))
        .append(", end +").append(mib(heapAtEnd - heapAtStart)).append(" (bound +").append(mib(heapBound))
        .append(")");
    if (heapPeak - heapAtStart > heapBound) {
      failure("heap grew by " + mib(heapPeak - heapAtStart) + " MiB, beyond the bound of " + mib(heapBound) + " MiB");
    }
    for (Map.Entry<String, Gauge> e : gauges.entrySet()) {
      Gauge g = e.getValue();
      out.append("; ").append(e.getKey()).append(" peak +").append(mib(g.peak - g.atStart)).append(" MiB (bound +")
          .append(mib(g.bound)).append(")");
      if (g.peak - g.atStart > g.bound) {
        failure(e.getKey() + " grew by " + mib(g.peak - g.atStart) + " MiB, beyond the bound of " + mib(g.bound)
            + " MiB");
      }
    }
    if (threadPrefix != null) {
      out.append("; threads ").append(threadPrefix).append("* ").append(threadsAtStart).append(", peak ")
          .append(threadsPeak).append(" (bound ").append(threadMax).append(")");
      if (threadsPeak > threadMax) {
        failure("threads " + threadPrefix + "* grew from " + threadsAtStart + " to " + threadsPeak
            + ", beyond the bound of " + threadMax);
      }
    }
    for (Map.Entry<String, List<Long>> e : samples.entrySet()) {
      List<Long> sorted = new ArrayList<>(e.getValue());
      sorted.sort(null);
      out.append("; ").append(e.getKey()).append(" n=").append(sorted.size());
      if (sorted.isEmpty()) {
        failure("round trip \"" + e.getKey() + "\" was never sampled");
        continue;
      }
      long p50 = percentile(sorted, 50);
      long p90 = percentile(sorted, 90);
      long max = sorted.get(sorted.size() - 1);
      out.append(" p50 ").append(millis(p50)).append(" ms p90 ").append(millis(p90)).append(" ms max ")
          .append(millis(max)).append(" ms");
      if (p90 > latencyBound.toNanos()) {
        failure("round trip \"" + e.getKey() + "\" p90 " + millis(p90) + " ms, beyond the bound of "
            + latencyBound.toMillis() + " ms");
      }
      if (max > stallBound.toNanos()) {
        failure("round trip \"" + e.getKey() + "\" took " + millis(max) + " ms once, beyond the bound of "
            + stallBound.toMillis() + " ms");
      }
    }
    out.append(" (bounds p90 ").append(latencyBound.toMillis()).append(" ms, max ").append(stallBound.toMillis())
        .append(" ms)");
    return out.toString();
  }

  private synchronized int fewestSamples() {
    return samples.values().stream().mapToInt(List::size).min().orElse(MIN_SAMPLES);
  }

  private boolean failed() {
    synchronized (failures) {
      return !failures.isEmpty();
    }
  }

  private void failure(String message) {
    synchronized (failures) {
      failures.add(message);
    }
  }

  /** The nearest-rank percentile of sorted samples. */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Used heap after full collections, once another one no longer frees more than 1 MiB (at most five). */
  static long settledHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      long now = MEMORY.getHeapMemoryUsage().getUsed();
      if (used - now < MIB) {
        return Math.min(used, now);
      }
      used = now;
    }
    return used;
  }

  private int serverThreads() {
    if (threadPrefix == null) {
      return 0;
    }
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(threadPrefix)) {
        n++;
      }
    }
    return n;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (double) MIB);
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
