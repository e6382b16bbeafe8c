package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Awareness} against real y-protocols ({@code peer-extras.mjs}'s {@code awareness}): random histories of
 * local states and fields, remote updates (new, equal and stale clocks, removals, the local client's own id) and
 * removals, applied to both. After every step both must have told the same changes and updates, hold the same states
 * in the same order, know the same clients, encode the same bytes and give the same local state. The states include
 * those JavaScript finds false ({@code 0}, {@code false}, {@code ""}, which y-protocols encodes and reads locally as
 * no state) and states that are not objects (which {@code setLocalStateField} spreads into one). Timeouts are left
 * out (y-protocols reads the wall clock); {@code AwarenessPropertyTest} covers them against a model.
 *
 * <p>Seeded; a failure names its seed ({@code -Dawareness.diff.seed=<seed> -Dawareness.diff.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class AwarenessDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 8_000;
  private static final long LOCAL = 1;
  /** Remote states as JSON.stringify writes them (a relayed text is kept as it came: see Awareness). */
  private static final List<String> TEXTS = List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}",
      "{\"u\":{\"n\":\"Ann\",\"c\":[1,2.5,true,null]}}", "{}", "null", "[1,2]", "\"s\"", "\"\"", "3", "0", "false",
      "true", "{\"2\":1,\"a\":0}");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomHistories_actAsYProtocols() {
    SeededRuns.named("awareness.diff", 0xA3A7_D1FFL, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "aw" + run).execute());
  }

  /** Texts that y-protocols would not have written (a hand-made client's): modifyAwarenessUpdate rewrites them. */
  private static final List<String> ODD_TEXTS = List.of("{ \"a\" : 1.0 }", "{\"a\":1,\"2\":0}", "[1e400, -0]",
      "{\"__proto__\":{\"x\":1},\"a\":{\"b\":[]}}", "\"\\u00e9\\ud800\"", "{\"a\":1,\"a\":2}", "12345678901234567890");
  private static final Map<String, UnaryOperator<Object>> MODIFIERS = Map.of(
      "identity", s -> s,
      "none", s -> null,
      "wrap", s -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s);
        m.put("n", 1);
        return m;
      },
      "dropA", s -> {
        if (!(s instanceof Map<?, ?> m)) {
          return s;
        }
        Map<Object, Object> rest = new LinkedHashMap<>(m);
        rest.remove("a");
        return rest;
      });

  @Test
  void modifyUpdate_randomUpdates_asYProtocols() {
    SeededRuns.named("awareness.modify", 0x30D1_F7L, 40).within(BUDGET_MILLIS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      Lib0Encoder out = new Lib0Encoder();
      int n = rnd.nextInt(4);
      out.writeVarUint(n);
      for (int i = 0; i < n; i++) {
        out.writeVarUint(rnd.nextLong(1L << 32));
        out.writeVarUint(rnd.nextInt(1000));
        List<String> texts = rnd.nextBoolean() ? TEXTS : ODD_TEXTS;
        out.writeVarString(texts.get(rnd.nextInt(texts.size())));
      }
      byte[] update = out.toByteArray();
      for (Map.Entry<String, UnaryOperator<Object>> m : MODIFIERS.entrySet()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", "modifyAwarenessUpdate");
        c.put("update", YjsInterop.base64(update));
        c.put("modify", m.getKey());
        assertThat(YjsInterop.base64(Awareness.modifyUpdate(update, m.getValue())))
            .as("modifyAwarenessUpdate(%s, %s)", YjsInterop.base64(update), m.getKey())
            .isEqualTo(peer.request(c).get("update"));
      }
    });
  }

  /**
   * Updates at the edges of the format, each applied to a fresh pair: both take it, or y-protocols throws and we
   * throw {@link DecodingException} having changed nothing (y-protocols keeps the entries before the bad one, without
   * telling its listeners; we check a whole update first).
   */
  @Test
  void edgeUpdates_asYProtocols() {
    long maxSafe = (1L << 53) - 1;
    List<byte[]> edges = List.of(
        update(2, "{\"a\":1}"), concat(update(2, "{\"a\":1}"), new byte[] {5, 0, 7}), // trailing bytes
        update(2, " null "), update(2, "{ \"a\" : 1.0 , \"1\": [ ] }"), update(2, "1E3"), update(2, "\"\\u00e9\""),
        update(maxSafe, "{}"), update(1, "{\"me\":0}"), update(1, "null"), update(3, "null"), // others' and our own id
        new byte[] {0}, new byte[] {0, 1, 2}, // no entries, then bytes after them
        new byte[] {}, new byte[] {1}, new byte[] {1, 2}, new byte[] {1, 2, 1}, new byte[] {2, 2, 1, 4, 'n', 'u', 'l', 'l'},
        new byte[] {1, 2, 1, 3, '{', '}'}, // a string longer than what is left
        new byte[] {1, 2, 1, 1, (byte) 0xff}, new byte[] {1, 2, 1, 3, (byte) 0xef, (byte) 0xbb, (byte) 0xbf}, // bad UTF-8, BOM
        update(2, ""), update(2, "{\"a\":1,}"), update(2, "undefined"), update(2, "{'a':1}"), // not JSON
        new byte[] {1, 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, 0x7f, 4, 'n', 'u', 'l', 'l'}); // a clock beyond 2^53
    for (int i = 0; i < edges.size(); i++) {
      Run run = new Run(0, "edge" + i);
      run.start();
      run.applyEdge(edges.get(i));
      peer.request(run.command("drop"));
    }
  }

  private static byte[] update(long client, String json) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(client);
    out.writeVarUint(3);
    out.writeVarString(json);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static final class Run {
    private final SplittableRandom rnd;
    private final String id;
    private final Awareness awareness = new Awareness(LOCAL, () -> 1_000L);
    private final List<Object> log = new ArrayList<>();
    private final List<String> steps = new ArrayList<>();
    private final Map<Long, Long> remoteClocks = new HashMap<>();

    Run(long seed, String id) {
      this.rnd = new SplittableRandom(seed);
      this.id = id;
      awareness.onChange(c -> log.add(Arrays.asList("change", c.added(), c.updated(), c.removed(), c.origin())));
      awareness.onUpdate(c -> log.add(Arrays.asList("update", c.added(), c.updated(), c.removed(), c.origin())));
    }

    void start() {
      Map<String, Object> c = command("new");
      c.put("clientId", LOCAL);
      compare(peer.request(c));
    }

    void applyEdge(byte[] update) {
      Map<String, Object> c = command("apply");
      c.put("update", YjsInterop.base64(update));
      c.put("origin", "remote");
      steps.add(Json.stringify(c));
      Map<String, Object> yjs;
      try {
        yjs = peer.request(c);
      } catch (YjsPeer.PeerException e) {
        byte[] before = awareness.encodeUpdate();
        assertThatThrownBy(() -> awareness.applyUpdate(update, "remote"))
            .as("%s: y-protocols threw %s", steps.get(steps.size() - 1), e.getMessage()).isInstanceOf(DecodingException.class);
        assertThat(awareness.encodeUpdate()).as("after the error").isEqualTo(before);
        assertThat(log).as("events after the error").isEmpty();
        return;
      }
      awareness.applyUpdate(update, "remote");
      compare(yjs);
    }

    void execute() {
      try {
        start();
        for (int i = 0; i < 30; i++) {
          step();
        }
      } catch (AssertionError | RuntimeException e) {
        throw SeededRuns.withLastSteps(e, steps, 8);
      } finally {
        peer.request(command("drop"));
      }
    }

    private void step() {
      Map<String, Object> c;
      int dice = rnd.nextInt(10);
      if (dice < 2) {
        Object value = randomValue();
        c = command("set");
        c.put("value", value);
        awareness.setLocalState(value);
      } else if (dice < 4) {
        c = command("field");
        c.put("field", rnd.nextBoolean() ? "f" + rnd.nextInt(2) : "1");
        c.put("value", rnd.nextInt(3));
        awareness.setLocalStateField((String) c.get("field"), c.get("value"));
      } else if (dice < 8) {
        byte[] update = randomUpdate();
        c = command("apply");
        c.put("update", YjsInterop.base64(update));
        c.put("origin", "remote");
        awareness.applyUpdate(update, "remote");
      } else {
        List<Long> clients = List.of(List.of(2L), List.of(LOCAL), List.of(3L, 2L), List.of(4L, LOCAL))
            .get(rnd.nextInt(4));
        c = command("remove");
        c.put("clients", clients);
        c.put("origin", "rm");
        awareness.removeStates(clients, "rm");
      }
      steps.add(Json.stringify(c));
      compare(peer.request(c));
    }

    private Object randomValue() {
      String text = TEXTS.get(rnd.nextInt(TEXTS.size()));
      return Json.parse(text);
    }

    /**
     * One to three entries of clients 1 to 4 (1 is the local one) around their last clocks, some with states that
     * y-protocols would not have written, some followed by bytes that are not part of the update.
     */
    private byte[] randomUpdate() {
      Lib0Encoder out = new Lib0Encoder();
      int n = 1 + rnd.nextInt(3);
      out.writeVarUint(n);
      for (int i = 0; i < n; i++) {
        long client = 1 + rnd.nextInt(4);
        long last = remoteClocks.getOrDefault(client, 0L);
        long clock = Math.max(0, last + rnd.nextInt(3) - 1);
        remoteClocks.put(client, Math.max(last, clock));
        out.writeVarUint(client);
        out.writeVarUint(clock);
        List<String> texts = rnd.nextInt(4) == 0 ? ODD_TEXTS : TEXTS;
        out.writeVarString(texts.get(rnd.nextInt(texts.size())));
      }
      if (rnd.nextInt(4) == 0) {
        out.writeVarUint(rnd.nextInt(1000)); // y-protocols reads the entries it was told of and ignores what follows
      }
      return out.toByteArray();
    }

    private Map<String, Object> command(String action) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", action.equals("drop") ? "drop" : "awareness");
      c.put("id", id);
      c.put("action", action);
      return c;
    }

    private void compare(Map<String, Object> yjs) {
      String when = steps.isEmpty() ? "at the start" : "after " + steps.get(steps.size() - 1);
      assertThat(Json.stringify(log)).as("change and update events %s", when).isEqualTo(Json.stringify(yjs.get("log")));
      log.clear();
      List<Object> states = new ArrayList<>();
      awareness.states().forEach((client, state) -> states.add(Arrays.asList(client, state)));
      assertThat(Json.stringify(states)).as("states %s", when).isEqualTo(Json.stringify(yjs.get("states")));
      assertThat(Json.stringify(awareness.knownClients())).as("known clients %s", when)
          .isEqualTo(Json.stringify(yjs.get("known")));
      assertThat(YjsInterop.base64(awareness.encodeUpdate())).as("encodeAwarenessUpdate %s", when)
          .isEqualTo(yjs.get("encoded"));
      assertThat(Json.stringify(awareness.localState())).as("local state %s", when)
          .isEqualTo(Json.stringify(yjs.get("local")));
    }
  }
}
