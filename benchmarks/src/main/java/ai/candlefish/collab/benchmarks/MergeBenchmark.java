package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.YText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Updates#merge} of a batch of one-transaction updates, the server's store writer's job: {@code count} updates
 * of four writers typing one character each into one text, synchronised every few keystrokes, merged in the order
 * they were made ({@code arrival}) or shuffled ({@code shuffled}, seeded), in format v1 and v2.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar MergeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Thread)
public class MergeBenchmark {
  @Param({"100", "2000"})
  int count;

  @Param({"arrival", "shuffled"})
  String order;

  private List<byte[]> v1;
  private List<byte[]> v2;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    List<Doc> writers = new ArrayList<>();
    List<byte[]> updates = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Doc doc = Doc.newBuilder().clientId(100 + i).build();
      doc.onUpdate((update, origin, txn) -> {
        if (origin == null) {
          updates.add(update.clone());
        }
      });
      writers.add(doc);
    }
    while (updates.size() < count) {
      Doc doc = writers.get(random.nextInt(writers.size()));
      if (random.nextInt(8) == 0) {
        for (Doc other : writers) {
          doc.applyUpdate(other.encodeStateAsUpdate(doc.encodeStateVector()), "sync");
        }
      }
      YText text = doc.getText("t");
      text.insert(random.nextInt(text.length() + 1), "x");
    }
    if (order.equals("shuffled")) {
      Collections.shuffle(updates, random);
    }
    v1 = updates;
    v2 = new ArrayList<>();
    for (byte[] u : updates) {
      v2.add(Updates.convertV1ToV2(u));
    }
  }

  @Benchmark
  public byte[] mergeV1() {
    return Updates.merge(v1);
  }

  @Benchmark
  public byte[] mergeV2() {
    return Updates.mergeV2(v2);
  }
}
