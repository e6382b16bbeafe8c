package ai.candlefish.collab.awareness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * Random histories of local states, remote updates (new, stale and equal clocks, removals, the local client's id,
 * updates a host filters), removals and timeouts, applied to {@link Awareness} and to {@link ReferenceAwareness} (the
 * implementation that kept every state parsed, in y-protocols' two maps): after every step both must hold the same
 * states in the same order, know the same clients, encode the same bytes and have told their listeners the same
 * changes and updates. The states include equal values in other text (whitespace, key order, {@code 1.0}), other
 * values with equal hash codes ({@code "Aa"} and {@code "BB"}) and non-object states.
 *
 * <p>Seeded: a failure prints the seed; {@code -Dawareness.seed=S -Dawareness.runs=1} replays it.
 */
class AwarenessPropertyTest {
  private static final long LOCAL = 1;
  private static final String[] STATES = {
    "{\"a\":1}", "{ \"a\" : 1 }", "{\"a\":1.0}", "{\"a\":2}", "{\"x\":\"Aa\"}", "{\"x\":\"BB\"}",
    "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", "{\"u\":{\"name\":\"Ann\",\"c\":[1,2.5,true,null]}}", "[1,2]", "\"s\"",
    "3", "0", "-0", "{}", "null"};

  @Test
  void randomHistories_matchTheReferenceModel() {
    long base = Long.getLong("awareness.seed", 0x5eed_a3a7L);
    int runs = Integer.getInteger("awareness.runs", 300);
    for (int run = 0; run < runs; run++) {
      long seed = base + run;
      try {
        history(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay: -Dawareness.seed=" + seed + " -Dawareness.runs=1)", e);
      }
    }
  }

  @Test
  void applyUpdate_malformedAfterAGoodEntry_appliesNone() {
    AtomicLong now = new AtomicLong(1_000_000);
    Awareness a = new Awareness(LOCAL, now::get);
    a.applyUpdate(update(List.of(new long[] {2, 1}), List.of("{\"a\":1}")), "net");
    byte[] before = a.encodeUpdate();
    byte[] bad = update(List.of(new long[] {2, 2}, new long[] {3, 1}), List.of("{\"a\":2}", "{x}"));
    assertThatThrownBy(() -> a.applyUpdate(bad, "net")).isInstanceOf(DecodingException.class);
    assertThat(a.encodeUpdate()).isEqualTo(before);
    assertThat(a.states()).containsEntry(2L, Map.of("a", 1));
  }

  private static void history(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    AtomicLong now = new AtomicLong(1_000_000);
    Awareness actual = new Awareness(LOCAL, now::get);
    ReferenceAwareness expected = new ReferenceAwareness(LOCAL, now::get);
    expected.events.clear(); // what the constructor's first state told nobody: actual had no listener yet either
    List<String> actualEvents = new ArrayList<>();
    actual.onChange(c -> actualEvents.add("change " + c));
    actual.onUpdate(c -> actualEvents.add("update " + c));
    int steps = 1 + random.nextInt(60);
    for (int step = 0; step < steps; step++) {
      String what;
      switch (random.nextInt(10)) {
        case 0, 1 -> {
          String json = STATES[random.nextInt(STATES.length)];
          Object value = json.equals("null") ? null : Json.parse(json);
          what = "setLocalState " + json;
          actual.setLocalState(value);
          expected.setLocalState(value);
        }
        case 2 -> {
          Object value = random.nextBoolean() ? random.nextInt(3) : "v" + random.nextInt(2);
          what = "setLocalStateField f " + value;
          actual.setLocalStateField("f", value);
          expected.setLocalStateField("f", value);
        }
        case 3 -> {
          List<Long> clients = new ArrayList<>();
          for (long c = LOCAL; c <= 5; c++) {
            if (random.nextInt(3) == 0) {
              clients.add(c);
            }
          }
          what = "removeStates " + clients;
          actual.removeStates(clients, "gone");
          expected.removeStates(clients, "gone");
        }
        case 4 -> {
          now.addAndGet(random.nextInt(3) * Awareness.OUTDATED_TIMEOUT_MS / 2 + random.nextInt(1000));
          what = "checkTimeouts at " + now.get();
          actual.checkTimeouts();
          expected.checkTimeouts();
        }
        default -> {
          List<long[]> entries = new ArrayList<>();
          List<String> texts = new ArrayList<>();
          int n = 1 + random.nextInt(3);
          for (int i = 0; i < n; i++) {
            long client = LOCAL + random.nextInt(5);
            long known = expected.knownClients().contains(client) ? expected.clockOf(client) : 0;
            long clock = Math.max(0, known + random.nextInt(4) - 1);
            entries.add(new long[] {client, clock});
            texts.add(random.nextInt(5) == 0 ? "null" : STATES[random.nextInt(STATES.length)]);
          }
          byte[] update = update(entries, texts);
          long refused = random.nextInt(4) == 0 ? LOCAL + 1 + random.nextInt(4) : -1;
          LongPredicate mayChange = client -> client != refused;
          now.addAndGet(random.nextInt(100));
          what = "applyUpdate " + texts + " refusing " + refused;
          actual.applyUpdate(update, "net", mayChange);
          expected.applyUpdate(update, "net", mayChange);
        }
      }
      String at = "after step " + step + ": " + what;
      assertThat(new ArrayList<>(actual.states().entrySet())).as(at).isEqualTo(expected.states());
      assertThat(actual.clientsWithState()).as(at)
          .isEqualTo(expected.states().stream().map(Map.Entry::getKey).toList());
      assertThat(actual.knownClients()).as(at).isEqualTo(expected.knownClients());
      assertThat(actual.encodeUpdate()).as(at).isEqualTo(expected.encodeUpdate());
      assertThat(actual.localState()).as(at).isEqualTo(expected.localState());
      assertThat(actualEvents).as(at).isEqualTo(expected.events);
    }
  }

  /** An awareness update of {@code entries} (client, clock) with the states {@code texts}. */
  private static byte[] update(List<long[]> entries, List<String> texts) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      out.writeVarUint(entries.get(i)[0]);
      out.writeVarUint(entries.get(i)[1]);
      out.writeVarString(texts.get(i));
    }
    return out.toByteArray();
  }

  @Test
  void states_keepYProtocolsOrder_whenAClientComesBack() {
    AtomicLong now = new AtomicLong(1_000_000);
    Awareness a = new Awareness(LOCAL, now::get);
    a.applyUpdate(update(List.of(new long[] {2, 1}, new long[] {3, 1}), List.of("{\"n\":2}", "{\"n\":3}")), "net");
    a.applyUpdate(update(List.of(new long[] {2, 2}), List.of("null")), "net");
    a.applyUpdate(update(List.of(new long[] {2, 3}), List.of("{\"n\":2}")), "net");
    Map<Long, Object> expected = new LinkedHashMap<>();
    expected.put(LOCAL, Map.of());
    expected.put(3L, Map.of("n", 3));
    expected.put(2L, Map.of("n", 2));
    assertThat(new ArrayList<>(a.states().entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
    assertThat(a.clientsWithState()).containsExactly(LOCAL, 3L, 2L);
    assertThat(a.knownClients()).containsExactly(LOCAL, 2L, 3L);
  }

  @Test
  void applyUpdate_otherValueWithTheSameHashCode_isAChange() {
    AtomicLong now = new AtomicLong(1_000_000);
    Awareness a = new Awareness(LOCAL, now::get);
    List<AwarenessChange> changes = new ArrayList<>();
    a.onChange(changes::add);
    a.applyUpdate(update(List.of(new long[] {2, 1}), List.of("{\"x\":\"Aa\"}")), "net");
    a.applyUpdate(update(List.of(new long[] {2, 2}), List.of("{ \"x\": \"Aa\" }")), "net");
    a.applyUpdate(update(List.of(new long[] {2, 3}), List.of("{\"x\":\"BB\"}")), "net");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).updated()).containsExactly(2L);
    assertThat(a.states()).containsEntry(2L, Map.of("x", "BB"));
  }
}
