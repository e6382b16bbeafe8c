package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Whole-trace replays under JMH; each invocation replays a full trace.
 *
 * <pre>
 * ./mvnw -q package -DskipTests -Dbenchmarks.smoke.skip -pl benchmarks -am
 * java -Dtraces.dir=testdata/traces -jar benchmarks/target/benchmarks.jar TraceReplayBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class TraceReplayBenchmark {
  @Param({"automerge-paper", "seph-blog1", "rustcode", "sveltecomponent"})
  public String trace;

  private Trace loaded;
  private byte[] state;
  private Doc full;

  @Setup(Level.Trial)
  public void load() {
    loaded = Trace.load(trace);
    full = Doc.newBuilder().clientId(1).build();
    Replays.replayPerTransaction(loaded, full);
    Replays.check(loaded, full);
    state = full.encodeStateAsUpdate();
  }

  /** One transaction per trace transaction, collecting every update's bytes. */
  @Benchmark
  public long replayPerTransaction() {
    return Replays.replayPerTransaction(loaded, Doc.newBuilder().clientId(1).build());
  }

  @Benchmark
  public Doc replayOneTransaction() {
    Doc doc = Doc.newBuilder().clientId(1).build();
    Replays.replayOneTransaction(loaded, doc);
    return doc;
  }

  @Benchmark
  public byte[] encodeState() {
    return full.encodeStateAsUpdate();
  }

  @Benchmark
  public void loadState(Blackhole bh) {
    Doc doc = Doc.newBuilder().clientId(2).build();
    doc.applyUpdate(state);
    bh.consume(doc);
  }
}
