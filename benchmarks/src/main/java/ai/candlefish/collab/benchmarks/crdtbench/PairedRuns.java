package ai.candlefish.collab.benchmarks.crdtbench;

import ai.candlefish.collab.benchmarks.Measure;
import ai.candlefish.collab.benchmarks.Replays;
import ai.candlefish.collab.benchmarks.Trace;
import ai.candlefish.collab.core.Doc;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Two or more builds of collab-core compared on one row's work in one JVM: each build's benchmarks.jar in its own
 * class loader, their runs interleaved (A B B A, A B B A, ...), so that the JVM's own state (heap layout, page
 * placement, the JIT's luck), which moved one jar's CPU medians between 15 and 23 ms from one JVM to the next on
 * this machine, and the machine's load of the moment are the same for both sides of a pair. Figures are this
 * thread's CPU time and allocated bytes per run, which other processes' load does not add to (wall time it does).
 *
 * <p>{@code --warmup} rounds first (not counted), then {@code --rounds} rounds of one run of each build. A build's
 * ratio is the median over rounds of its run's CPU time over the first build's run in the same round, with the
 * quartiles of those ratios: name the first jar twice ({@code --jars old.jar,new.jar,old.jar,new.jar}) and the A/A
 * ratio shows the sitting's resolution beside the A/B ratios.
 *
 * <p>Rows: a B1 or B2 id of the crdt-benchmarks inputs (B2: the whole run, including its untimed first insert), B4,
 * or {@code trace:NAME} (a real trace of testdata/traces, one transaction per trace transaction) and
 * {@code trace:NAME:one} (the whole trace in one transaction); each run checks its result as CrdtBench and
 * TraceReplay do.
 *
 * <pre>
 * flock /work/bench.lock java -Xms3g -Xmx3g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar \
 *     ai.candlefish.collab.benchmarks.crdtbench.PairedRuns --jars old.jar,new.jar,old.jar,new.jar \
 *     --inputs benchmarks/target/crdtbench-inputs.json --rows B1.7,B2.2 [--warmup 100] [--rounds 200] [--smoke]
 * </pre>
 *
 * <p>Every jar must contain this class (a benchmarks.jar built at or after the commit that added it): the build to
 * compare against is the old collab-core with today's benchmarks module. Prints one JSON line per row and build.
 * Single-threaded; run one per JVM.
 */
public final class PairedRuns {
  private static final String WORKER = PairedRuns.class.getName();

  private PairedRuns() {}

  public static void main(String[] args) throws Exception {
    List<String> jars = null;
    List<String> rows = null;
    String inputs = null;
    int warmup = 100;
    int rounds = 200;
    boolean smoke = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jars" -> jars = Arrays.asList(args[++i].split(","));
        case "--rows" -> rows = Arrays.asList(args[++i].split(","));
        case "--inputs" -> inputs = args[++i];
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--smoke" -> smoke = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --jars A,B, --rows ID,ID, --inputs FILE, --warmup N, --rounds N, --smoke)");
      }
    }
    if (jars == null || jars.size() < 2 || rows == null) {
      throw new IllegalArgumentException("--jars needs two jars or more (A,B) and --rows one row or more");
    }
    if (warmup < 0 || rounds < 1) {
      throw new IllegalArgumentException("--warmup must be 0 or more and --rounds 1 or more: " + warmup + ", "
          + rounds);
    }
    if (smoke) {
      warmup = 1;
      rounds = 2;
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    for (String row : rows) {
      List<Supplier<Object>> runs = new ArrayList<>();
      for (String jar : jars) {
        // The platform loader as parent: nothing of collab-core or of this module comes from the application's path.
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
            ClassLoader.getPlatformClassLoader());
        Method prepare = loader.loadClass(WORKER).getMethod("prepare", String.class, String.class, boolean.class);
        runs.add(call(prepare, inputs, row, smoke));
      }
      double[][] cpu = new double[jars.size()][rounds];
      double[][] allocated = new double[jars.size()][rounds];
      for (int r = -warmup; r < rounds; r++) {
        for (int k = 0; k < jars.size(); k++) {
          int j = (r & 1) == 0 ? k : jars.size() - 1 - k;
          long c0 = threads.getCurrentThreadCpuTime();
          long a0 = threads.getThreadAllocatedBytes(self);
          sink = runs.get(j).get();
          long c1 = threads.getCurrentThreadCpuTime();
          long a1 = threads.getThreadAllocatedBytes(self);
          if (r >= 0) {
            cpu[j][r] = (c1 - c0) / 1e6;
            allocated[j][r] = a1 - a0;
          }
        }
      }
      sink = null;
      for (int j = 0; j < jars.size(); j++) {
        System.out.println(line(row, j, jars.get(j), cpu, allocated));
      }
    }
  }

  private static volatile Object sink;

  @SuppressWarnings("unchecked")
  private static Supplier<Object> call(Method prepare, String inputs, String row, boolean smoke) throws Exception {
    try {
      return (Supplier<Object>) prepare.invoke(null, inputs, row, smoke);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** One build's JSON line: its runs' CPU and allocation, and the ratios of its runs to the first build's. */
  static String line(String row, int j, String jar, double[][] cpu, double[][] allocated) {
    double[] ratios = new double[cpu[j].length];
    for (int r = 0; r < ratios.length; r++) {
      ratios[r] = cpu[j][r] / cpu[0][r];
    }
    return String.format(Locale.ROOT, "{\"row\":\"%s\",\"jar\":\"%s\",\"cpuMs\":%s,\"allocatedBytes\":%s,"
        + "\"cpuRatio\":%s}", row, jar.replace("\\", "/"), stats(cpu[j]), stats(allocated[j]), stats(ratios));
  }

  /** Median and quartiles (the values at a quarter and three quarters of the sorted list). */
  private static String stats(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    double median = v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    return String.format(Locale.ROOT, "{\"median\":%.4f,\"q1\":%.4f,\"q3\":%.4f,\"n\":%d}", median,
        v[v.length / 4], v[(v.length * 3) / 4], v.length);
  }

  /**
   * The run of {@code row}'s work in this class's build (called reflectively in each build's class loader): each
   * {@code get()} runs it once.
   *
   * @throws java.io.IOException if the inputs cannot be read
   * @throws IllegalArgumentException if there is no such row
   */
  public static Supplier<Object> prepare(String inputs, String row, boolean smoke) throws java.io.IOException {
    Measure.Work work = work(inputs, row, smoke);
    return () -> work.run();
  }

  private static Measure.Work work(String inputs, String row, boolean smoke) throws java.io.IOException {
    if (row.startsWith("trace:")) {
      String[] parts = row.split(":");
      Trace trace = Trace.load(parts[1]);
      boolean one = parts.length > 2 && parts[2].equals("one");
      return () -> {
        Doc doc = Doc.create();
        if (one) {
          Replays.replayOneTransaction(trace, doc);
        } else {
          Replays.replayPerTransaction(trace, doc);
        }
        Replays.check(trace, doc);
        return Double.NaN;
      };
    }
    if (inputs == null) {
      throw new IllegalArgumentException("row " + row + " needs --inputs FILE (benchmarks/js/crdt-bench-inputs.mjs)");
    }
    return CrdtBench.forWork(Path.of(inputs), smoke).work(row);
  }
}
