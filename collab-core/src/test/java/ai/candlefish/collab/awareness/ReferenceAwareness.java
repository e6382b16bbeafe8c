package ai.candlefish.collab.awareness;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * The reference model of {@link Awareness}: y-protocols' {@code awareness.js} transcribed as directly as Java allows,
 * with its two maps ({@code states} of parsed values, {@code meta} of clocks) and every state parsed, as
 * {@link Awareness} kept them before its states were kept as text (d76ef79). Instead of calling listeners it writes
 * each {@code change} and {@code update} event into {@link #events}, as {@link AwarenessPropertyTest} records those
 * of {@link Awareness}. Valid input only (the property test sends no malformed update).
 *
 * <p>Not thread-safe.
 */
final class ReferenceAwareness {
  private record Meta(long clock, long lastUpdated) {}

  /** A state as its parsed value (encoded as JSON.stringify writes it). */
  private record State(Object value) {}

  private final long clientId;
  private final LongSupplier now;
  /** The states by client, in the order they were set after the client had none. */
  private final Map<Long, State> states = new LinkedHashMap<>();
  private final Map<Long, Meta> meta = new LinkedHashMap<>();
  /** Every event, as {@code "change " + AwarenessChange} or {@code "update " + AwarenessChange}. */
  final List<String> events = new ArrayList<>();

  ReferenceAwareness(long clientId, LongSupplier now) {
    this.clientId = clientId;
    this.now = now;
    setLocalState(Map.of());
  }

  /** y-protocols' {@code getLocalState()}: {@code states.get(clientID) || null}. */
  Object localState() {
    State s = states.get(clientId);
    return s == null || falsy(s.value) ? null : s.value;
  }

  /** JavaScript's falsiness of a parsed JSON value other than null. */
  static boolean falsy(Object v) {
    return Boolean.FALSE.equals(v) || "".equals(v) || (v instanceof Number n && n.doubleValue() == 0);
  }

  /** The states' values by client, in y-protocols' order. */
  List<Map.Entry<Long, Object>> states() {
    List<Map.Entry<Long, Object>> out = new ArrayList<>();
    states.forEach((client, s) -> out.add(Map.entry(client, s.value)));
    return out;
  }

  void setLocalState(Object state) {
    String json = state == null ? null : Json.stringify(state);
    Object value = json == null ? null : Json.parse(json);
    Meta current = meta.get(clientId);
    State prevState = states.get(clientId);
    Object prev = prevState == null ? null : prevState.value;
    boolean had = prevState != null;
    if (value == null) {
      states.remove(clientId);
    } else {
      states.put(clientId, new State(value));
    }
    meta.put(clientId, new Meta(current == null ? 0 : current.clock + 1, now.getAsLong()));
    List<Long> none = List.of();
    List<Long> self = List.of(clientId);
    if (value == null) {
      emit(none, none, none, self, "local");
    } else if (!had) {
      emit(self, none, none, none, "local");
    } else {
      emit(none, self, Objects.equals(prev, value) ? none : self, none, "local");
    }
  }

  /** {@code {...state, [field]: value}}: a list's or string's elements under their indexes, a number's nothing. */
  void setLocalStateField(String field, Object value) {
    Object state = localState();
    if (state == null) {
      return;
    }
    Map<String, Object> next = new LinkedHashMap<>();
    if (state instanceof Map<?, ?> map) {
      map.forEach((k, v) -> next.put((String) k, v));
    } else if (state instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        next.put(String.valueOf(i), list.get(i));
      }
    } else if (state instanceof String str) {
      for (int i = 0; i < str.length(); i++) {
        next.put(String.valueOf(i), str.substring(i, i + 1));
      }
    }
    next.put(field, value);
    setLocalState(JsObjects.ordered(next));
  }

  List<Long> knownClients() {
    return List.copyOf(meta.keySet());
  }

  long clockOf(long client) {
    return meta.get(client).clock;
  }

  byte[] encodeUpdate() {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(meta.size());
    meta.forEach((client, m) -> {
      out.writeVarUint(client);
      out.writeVarUint(m.clock);
      State s = states.get(client);
      out.writeVarString(s == null || falsy(s.value) ? "null" : Json.stringify(s.value)); // as JSON.stringify
    });
    return out.toByteArray();
  }

  void applyUpdate(byte[] update, Object origin, LongPredicate mayChange) {
    Lib0Decoder in = new Lib0Decoder(update);
    long time = now.getAsLong();
    List<Long> added = new ArrayList<>();
    List<Long> updated = new ArrayList<>();
    List<Long> filteredUpdated = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    for (long n = in.readVarUint(); n > 0; n--) {
      long client = in.readVarUint();
      long clock = in.readVarUint();
      String json = in.readVarString();
      Object state = Json.parse(json);
      Meta m = meta.get(client);
      long currentClock = m == null ? 0 : m.clock;
      if (!mayChange.test(client)
          || !(currentClock < clock || (currentClock == clock && state == null && states.containsKey(client)))) {
        continue;
      }
      State prev = states.get(client);
      boolean had = prev != null;
      if (state == null) {
        if (client == clientId && had && !falsy(prev.value)) {
          clock++; // we are not gone
        } else {
          states.remove(client);
        }
      } else {
        states.put(client, new State(state));
      }
      meta.put(client, new Meta(clock, time));
      if (m == null && state != null) {
        added.add(client);
      } else if (m != null && state == null) {
        removed.add(client);
      } else if (state != null) {
        if (!had || !Objects.equals(state, prev.value)) {
          filteredUpdated.add(client);
        }
        updated.add(client);
      }
    }
    emit(added, updated, filteredUpdated, removed, origin);
  }

  void removeStates(List<Long> clients, Object origin) {
    List<Long> removed = new ArrayList<>();
    for (Long client : clients) {
      if (states.remove(client) != null) {
        if (client == clientId) {
          meta.put(client, new Meta(meta.get(client).clock + 1, now.getAsLong()));
        }
        removed.add(client);
      }
    }
    emit(List.of(), List.of(), List.of(), removed, origin);
  }

  void checkTimeouts() {
    long time = now.getAsLong();
    if (localState() != null
        && Awareness.OUTDATED_TIMEOUT_MS / 2 <= time - meta.get(clientId).lastUpdated) {
      setLocalState(localState());
    }
    List<Long> outdated = new ArrayList<>();
    meta.forEach((client, m) -> {
      if (client != clientId && Awareness.OUTDATED_TIMEOUT_MS <= time - m.lastUpdated && states.containsKey(client)) {
        outdated.add(client);
      }
    });
    if (!outdated.isEmpty()) {
      removeStates(outdated, "timeout");
    }
  }

  private void emit(List<Long> added, List<Long> updated, List<Long> filteredUpdated, List<Long> removed,
      Object origin) {
    if (!added.isEmpty() || !filteredUpdated.isEmpty() || !removed.isEmpty()) {
      events.add("change " + new AwarenessChange(added, filteredUpdated, removed, origin));
    }
    if (!added.isEmpty() || !updated.isEmpty() || !removed.isEmpty()) {
      events.add("update " + new AwarenessChange(added, updated, removed, origin));
    }
  }
}
