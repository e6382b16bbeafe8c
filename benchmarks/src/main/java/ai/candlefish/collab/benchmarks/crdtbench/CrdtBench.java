package ai.candlefish.collab.benchmarks.crdtbench;

import ai.candlefish.collab.benchmarks.Measure;
import ai.candlefish.collab.benchmarks.Measure.Stats;
import ai.candlefish.collab.benchmarks.Trace;
import ai.candlefish.collab.core.Doc;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The crdt-benchmarks suite for collab-core, with the suite's definitions (js-lib/b1.js … b4.js of
 * dmonad/crdt-benchmarks) and metrics, on the inputs that benchmarks/js/crdt-bench-inputs.mjs generates with the
 * suite's own generator, so that every system gets exactly the same input. Prints one JSON line per benchmark, the
 * shape benchmarks/js/crdt-bench.mjs prints for the peers:
 *
 * <ul>
 *   <li>{@code time}: the suite's measured part (B1: make the changes, each its own transaction, and apply every
 *       update to a second document; B2: both documents' concurrent transactions, each update applied to the other
 *       at once; B3: one document applying the 20√N clients' updates in one transaction; B4: the automerge-paper
 *       trace, every edit its own transaction), median of whole runs (the suite runs each once) after a warm-up
 *       that lasts until run times settle ({@link Measure#timing});
 *   <li>{@code cpu}, {@code allocated}: this thread's CPU milliseconds and allocated bytes in the same runs (null
 *       for B2, which times part of its run), the figures to compare versions by on a loaded machine;
 *   <li>{@code updateSize}: B1 bytes per change, B2 half the bytes of all updates, B3 the bytes of all updates;
 *   <li>{@code encode}, {@code docSize}: encoding the final state (Yjs update V1, the bytes Yjs produces) and its size;
 *   <li>{@code parse}: loading that state into a fresh document and the suite's check;
 *   <li>{@code memory}: the retained heap of the loaded document ({@link Measure#retainedHeap}).
 * </ul>
 *
 * <pre>
 * node benchmarks/js/crdt-bench-inputs.mjs benchmarks/target/crdtbench-inputs.json
 * java -Xms3g -Xmx3g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar \
 *     ai.candlefish.collab.benchmarks.crdtbench.CrdtBench \
 *     --inputs benchmarks/target/crdtbench-inputs.json [--runs N] [--only B1.1,B4] [--b4x100] [--smoke]
 * </pre>
 *
 * <p>The heap committed and touched up front (as run-peers.mjs runs it): a heap that grows while a row runs makes
 * that row pay the page faults of the new memory in its own CPU time (B1.11 4-6x slower in such phases).
 *
 * <p>Single-threaded; run one per JVM.
 */
public final class CrdtBench {
  private final JsonNode inputs;
  private final int runs;
  private final int warmups;
  private final boolean smoke;

  private CrdtBench(JsonNode inputs, int runs, boolean smoke) {
    this.inputs = inputs;
    this.runs = smoke ? 1 : runs;
    this.warmups = smoke ? 0 : 1;
    this.smoke = smoke;
  }

  public static void main(String[] args) throws IOException {
    Path inputsFile = null;
    int runs = 5;
    boolean smoke = false;
    boolean b4x100 = false;
    Set<String> only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--inputs" -> inputsFile = Path.of(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--only" -> only = new HashSet<>(Arrays.asList(args[++i].split(",")));
        case "--b4x100" -> b4x100 = true;
        case "--smoke" -> smoke = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --inputs FILE, --runs N, --only ID,ID, --b4x100, --smoke)");
      }
    }
    if (inputsFile == null) {
      throw new IllegalArgumentException("--inputs FILE is required (made by benchmarks/js/crdt-bench-inputs.mjs)");
    }
    CrdtBench bench = new CrdtBench(new ObjectMapper().readTree(inputsFile.toFile()), runs, smoke);
    Set<String> selected = only;
    boolean withB4x100 = b4x100;
    java.util.function.Predicate<String> wanted =
        id -> selected != null ? selected.contains(id) : !id.equals("B4x100") || withB4x100;
    for (Iterator<Map.Entry<String, JsonNode>> it = bench.inputs.get("benchmarks").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!wanted.test(e.getKey())) {
        continue;
      }
      System.out.println(e.getKey().startsWith("B1") ? bench.b1(e.getKey(), e.getValue())
          : bench.b2(e.getKey(), e.getValue()));
    }
    int sqrtN = bench.inputs.get("sqrtN").asInt();
    if (wanted.test("B3.1")) {
      System.out.println(bench.b3("B3.1", (d, i) -> d.getMap("map").set("v", i), CrdtBench::map));
    }
    if (wanted.test("B3.2")) {
      System.out.println(bench.b3("B3.2",
          (d, i) -> d.getMap("map").set("v", user(i)), CrdtBench::map));
    }
    if (wanted.test("B3.3")) {
      System.out.println(bench.b3("B3.3", (d, i) -> d.getMap("map").set("v", Integer.toString(i).repeat(sqrtN)),
          CrdtBench::map));
    }
    if (wanted.test("B3.4")) {
      System.out.println(bench.b3("B3.4", (d, i) -> d.getArray("array").insert(0, List.of(Integer.toString(i))),
          CrdtBench::array));
    }
    if (wanted.test("B3.5")) {
      System.out.println(bench.b3("B3.5", (d, i) -> d.getText("text").insert(0, Integer.toString(i)), CrdtBench::text));
    }
    if (wanted.test("B4")) {
      System.out.println(bench.b4("B4", 1));
    }
    if (wanted.test("B4x100")) {
      System.out.println(bench.b4("B4x100", 100));
    }
  }

  /** B3.2's value, its keys in the order JavaScript writes them (so that the bytes are Yjs's). */
  private static Map<String, Object> user(int i) {
    Map<String, Object> user = new java.util.LinkedHashMap<>();
    user.put("name", Integer.toString(i));
    user.put("address", "here");
    return user;
  }

  private static Object text(Doc d) {
    return d.getText("text").toString();
  }

  private static Object array(Doc d) {
    return d.getArray("array").toJson();
  }

  private static Object map(Doc d) {
    return d.getMap("map").toJson();
  }

  /**
   * A document with its text, array and map, as every peer's adapter makes one (benchmarks/js/adapters: Yjs's
   * constructor calls {@code getText}, {@code getArray} and {@code getMap}): a root first asked for after updates
   * arrived adopts their items (Yjs walks them too, re-parenting each), which the peers' runs never do.
   */
  private static Doc newDoc() {
    Doc d = Doc.create();
    d.getText("text");
    d.getArray("array");
    d.getMap("map");
    return d;
  }

  // ---- operations: ["ti", index, string], ["td", index, length], ["ai", index, [values]] ----

  /** An input operation decoded once, so that the timed part does no JSON work. */
  private record Op(char kind, int index, String text, int length, List<Object> values) {
    static Op of(JsonNode op) {
      String kind = op.get(0).asText();
      int index = op.get(1).asInt();
      return switch (kind) {
        case "ti" -> new Op('i', index, op.get(2).asText(), 0, null);
        case "td" -> new Op('d', index, null, op.get(2).asInt(), null);
        case "ai" -> {
          List<Object> values = new ArrayList<>();
          for (JsonNode v : op.get(2)) {
            values.add(v.isInt() ? (Object) v.asInt() : v.isLong() ? (Object) v.asLong() : v.asText());
          }
          yield new Op('a', index, null, 0, List.copyOf(values));
        }
        default -> throw new IllegalArgumentException("unknown operation " + kind);
      };
    }

    void applyTo(Doc doc) {
      switch (kind) {
        case 'i' -> doc.getText("text").insert(index, text);
        case 'd' -> doc.getText("text").delete(index, length);
        default -> doc.getArray("array").insert(index, values);
      }
    }
  }

  private static List<Op> ops(JsonNode list, int limit) {
    List<Op> out = new ArrayList<>();
    for (JsonNode op : list) {
      if (out.size() == limit) {
        break;
      }
      out.add(Op.of(op));
    }
    return out;
  }

  // ---- B1 ----

  private String b1(String id, JsonNode input) {
    BiConsumer<Doc, Doc> check = b1Check(id, input);
    Doc[] kept = new Doc[2];
    long[] updateBytes = {0};
    List<List<Op>> items = b1Items(input);
    Measure.Timing time = Measure.timing(warmups, runs, b1Work(items, check, kept, updateBytes));
    return line(id, time, Math.round((double) updateBytes[0] / items.size()),
        state(kept[0], d -> check.accept(kept[1], d)));
  }

  private List<List<Op>> b1Items(JsonNode input) {
    List<List<Op>> items = new ArrayList<>();
    for (JsonNode item : input.get("items")) {
      if (smoke && items.size() == 100) {
        break;
      }
      items.add(ops(item, Integer.MAX_VALUE));
    }
    return items;
  }

  private BiConsumer<Doc, Doc> b1Check(String id, JsonNode input) {
    boolean isText = input.has("text");
    Object expected = smoke ? null : isText ? input.get("text").asText() : numbers(input.get("array"));
    Function<Doc, Object> get = isText ? CrdtBench::text : CrdtBench::array;
    return (d1, d2) -> {
      if (!get.apply(d1).equals(get.apply(d2))) {
        throw new IllegalStateException(id + ": the documents differ");
      }
      if (expected != null && !get.apply(d1).equals(expected)) {
        throw new IllegalStateException(id + ": wrong content");
      }
    };
  }

  /** B1's measured part; leaves both documents in {@code kept} and the updates' bytes in {@code updateBytes}. */
  private static Measure.Work b1Work(List<List<Op>> items, BiConsumer<Doc, Doc> check, Doc[] kept,
      long[] updateBytes) {
    return () -> {
      List<byte[]> updates = new ArrayList<>();
      Doc d2 = newDoc();
      Doc d1 = newDoc();
      d1.onUpdate((u, origin, txn) -> updates.add(u));
      for (List<Op> item : items) {
        for (Op op : item) {
          op.applyTo(d1);
        }
      }
      for (byte[] u : updates) {
        d2.applyUpdate(u);
      }
      check.accept(d1, d2);
      updateBytes[0] = updates.stream().mapToLong(u -> u.length).sum();
      kept[0] = d1;
      kept[1] = d2;
      return Double.NaN;
    };
  }

  private static List<Object> numbers(JsonNode array) {
    List<Object> out = new ArrayList<>();
    for (JsonNode v : array) {
      out.add(v.isInt() ? (Object) v.asInt() : (Object) v.asLong());
    }
    return out;
  }

  // ---- B2 ----

  private String b2(String id, JsonNode input) {
    BiConsumer<Doc, Doc> check = b2Check(id, input);
    Doc[] kept = new Doc[2];
    long[] updateBytes = {0};
    Measure.Timing time = Measure.timing(warmups, runs, b2Work(input, check, kept, updateBytes));
    return line(id, time, Math.round(updateBytes[0] / 2.0), state(kept[0], d -> check.accept(d, kept[1])));
  }

  private BiConsumer<Doc, Doc> b2Check(String id, JsonNode input) {
    int length = input.has("length") && !smoke ? input.get("length").asInt() : -1;
    return (d1, d2) -> {
      String t1 = d1.getText("text").toString();
      if (!t1.equals(d2.getText("text").toString())) {
        throw new IllegalStateException(id + ": the documents differ");
      }
      if (length >= 0 && t1.length() != length) {
        throw new IllegalStateException(id + ": wrong length " + t1.length());
      }
    };
  }

  /**
   * B2's run: returns the wall milliseconds of its measured part (both documents' concurrent transactions and the
   * check; the initial text before it is not timed, as in the suite).
   */
  private Measure.Work b2Work(JsonNode input, BiConsumer<Doc, Doc> check, Doc[] kept, long[] updateBytes) {
    int limit = smoke ? 100 : Integer.MAX_VALUE;
    List<Op> ops1 = ops(input.get("ops1"), limit);
    List<Op> ops2 = ops(input.get("ops2"), limit);
    String initText = inputs.get("initText").asText();
    return () -> {
      Doc d1 = newDoc();
      Doc d2 = newDoc();
      long[] bytes = {0};
      boolean[] busy = {false}; // the suite's mutex: an update applied from the other side is not sent back
      d1.onUpdate((u, origin, txn) -> relay(u, d2, bytes, busy));
      d2.onUpdate((u, origin, txn) -> relay(u, d1, bytes, busy));
      d1.getText("text").insert(0, initText);
      long t0 = System.nanoTime();
      d1.transact(txn -> ops1.forEach(op -> op.applyTo(d1)));
      d2.transact(txn -> ops2.forEach(op -> op.applyTo(d2)));
      check.accept(d1, d2);
      double ms = (System.nanoTime() - t0) / 1e6;
      updateBytes[0] = bytes[0];
      kept[0] = d1;
      kept[1] = d2;
      return ms;
    };
  }

  /**
   * One row's measured work (a B1 or B2 id of the inputs, or B4), for {@link PairedRuns}: the work of the row's
   * runs above, without the state metrics. A B2 run here includes its untimed first insert of the initial text.
   *
   * @throws IllegalArgumentException if the inputs have no such row
   */
  Measure.Work work(String id) {
    Doc[] kept = new Doc[2];
    long[] updateBytes = {0};
    if (id.equals("B4")) {
      Trace trace = Trace.load("automerge-paper");
      return b4Work(trace, b4Check(trace, 1), 1, kept);
    }
    JsonNode input = inputs.get("benchmarks").get(id);
    if (input == null || !(id.startsWith("B1") || id.startsWith("B2"))) {
      throw new IllegalArgumentException("no B1, B2 or B4 row " + id + " in the inputs");
    }
    return id.startsWith("B1") ? b1Work(b1Items(input), b1Check(id, input), kept, updateBytes)
        : b2Work(input, b2Check(id, input), kept, updateBytes);
  }

  /** The inputs of {@code file}, for runs of single rows' work ({@link #work}). */
  static CrdtBench forWork(Path file, boolean smoke) throws IOException {
    return new CrdtBench(new ObjectMapper().readTree(file.toFile()), 1, smoke);
  }

  private static void relay(byte[] update, Doc to, long[] bytes, boolean[] busy) {
    if (!busy[0]) {
      busy[0] = true;
      bytes[0] += update.length;
      to.applyUpdate(update);
      busy[0] = false;
    }
  }

  // ---- B3 ----

  private String b3(String id, BiConsumer<Doc, Integer> change, Function<Doc, Object> get) {
    int clients = smoke ? 20 : inputs.get("sqrtN").asInt();
    List<byte[]> updates = new ArrayList<>();
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Doc d = newDoc();
      d.onUpdate((u, origin, txn) -> updates.add(u));
      docs.add(d);
    }
    for (int i = 0; i < clients; i++) {
      change.accept(docs.get(i), i);
    }
    Doc reference = docs.get(0);
    List<byte[]> all = List.copyOf(updates);
    reference.transact(txn -> all.forEach(reference::applyUpdate));
    Object expected = get.apply(reference);
    docs.clear();
    Measure.Timing time = Measure.timing(warmups, runs, () -> {
      Doc target = newDoc();
      target.transact(txn -> all.forEach(target::applyUpdate));
      if (!Objects.equals(get.apply(target), expected)) {
        throw new IllegalStateException(id + ": the documents differ");
      }
      return Double.NaN;
    });
    long bytes = all.stream().mapToLong(u -> u.length).sum();
    return line(id, time, bytes, state(reference, d -> {
      if (!Objects.equals(get.apply(d), expected)) {
        throw new IllegalStateException(id + ": the loaded document differs");
      }
    }));
  }

  // ---- B4 ----

  private String b4(String id, int times) {
    Doc[] kept = new Doc[1];
    Trace trace = Trace.load("automerge-paper"); // parsed once: for the work and for its check
    java.util.function.Consumer<Doc> check = b4Check(trace, times);
    Measure.Work work = b4Work(trace, check, times, kept);
    // B4x100 runs once, as in the suite.
    Measure.Timing time = times == 1 ? Measure.timing(warmups, runs, work) : Measure.timing(0, 1, work);
    State s = times == 1 ? state(kept[0], check) : stateOnce(kept[0]);
    kept[0] = null;
    return line(id, time, -1, s);
  }

  private java.util.function.Consumer<Doc> b4Check(Trace trace, int times) {
    String endContent = trace.endContent();
    return d -> {
      if (!smoke && times == 1 && !d.getText("text").toString().equals(endContent)) {
        throw new IllegalStateException("B4: wrong end content");
      }
    };
  }

  private Measure.Work b4Work(Trace trace, java.util.function.Consumer<Doc> check, int times, Doc[] kept) {
    List<Trace.Edit> edits = new ArrayList<>();
    trace.txns().forEach(t -> edits.addAll(Arrays.asList(t)));
    List<Trace.Edit> used = smoke ? edits.subList(0, 2000) : edits;
    return () -> {
      Doc d = newDoc();
      d.onUpdate((u, origin, txn) -> { }); // the suite's documents always compute their updates
      var text = d.getText("text");
      for (int k = 0; k < times; k++) {
        for (Trace.Edit e : used) {
          if (e.deleteLength() > 0) {
            text.delete(e.index(), e.deleteLength());
          }
          if (!e.insert().isEmpty()) {
            text.insert(e.index(), e.insert());
          }
        }
      }
      check.accept(d);
      kept[0] = d;
      return Double.NaN;
    };
  }

  // ---- the state metrics ----

  private record State(int docSize, Stats encode, Stats parse, Stats memory) {}

  private State state(Doc doc, java.util.function.Consumer<Doc> check) {
    byte[] state = doc.encodeStateAsUpdate();
    Stats encode = Measure.time(warmups, runs, () -> {
      sink = doc.encodeStateAsUpdate();
      return Double.NaN;
    });
    Stats parse = Measure.time(warmups, runs, () -> {
      Doc d = newDoc();
      d.applyUpdate(state);
      check.accept(d);
      return Double.NaN;
    });
    return new State(state.length, encode, parse, smoke ? null : memory(state));
  }

  private State stateOnce(Doc doc) {
    byte[] state = doc.encodeStateAsUpdate();
    Stats encode = Measure.time(0, 1, () -> {
      sink = doc.encodeStateAsUpdate();
      return Double.NaN;
    });
    Stats parse = Measure.time(0, 1, () -> {
      Doc d = newDoc();
      d.applyUpdate(state);
      sink = d;
      return Double.NaN;
    });
    return new State(state.length, encode, parse, smoke ? null : memory(state));
  }

  private static Stats memory(byte[] state) {
    return Measure.retainedHeap(() -> {
      Doc d = Doc.create();
      d.applyUpdate(state);
      d.getText("text");
      d.getArray("array");
      d.getMap("map");
      return d;
    }, state.length);
  }

  private static volatile Object sink;

  private static String line(String id, Measure.Timing time, long updateSize, State s) {
    return String.format(Locale.ROOT,
        "{\"system\":\"collab-core\",\"id\":\"%s\",\"time\":%s%s,\"updateSize\":%s,\"docSize\":%d,"
            + "\"encode\":%s,\"parse\":%s,\"memory\":%s}",
        id, time.wall().json(), time.jsonFields(), updateSize < 0 ? "null" : Long.toString(updateSize), s.docSize(),
        s.encode().json(), s.parse().json(), s.memory() == null ? "null" : s.memory().json());
  }
}
