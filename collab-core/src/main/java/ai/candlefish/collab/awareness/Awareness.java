package ai.candlefish.collab.awareness;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Presence: who is here and what they are doing (cursor, selection, name, color), byte-compatible with
 * {@code y-protocols/awareness.js}. Each client has a JSON state (or none when offline) and a clock; a newer clock
 * wins. States are not part of the document and are never stored.
 *
 * <p>A client renews its state at least every 15 s; a remote state not renewed for {@link #OUTDATED_TIMEOUT_MS}
 * is removed. This class owns no thread: the host calls {@link #checkTimeouts()} periodically (every few seconds).
 *
 * <p>States cross the API as JSON-like values ({@code Map}, {@code List}, {@code String}, numbers, booleans,
 * null). A remote state is kept with its exact JSON text, so that relaying it re-encodes the same bytes.
 *
 * <p>Thread-safe. Listeners are called on the calling thread, after the state has changed, outside any lock.
 */
public final class Awareness {
  /** A remote state not renewed for this long is removed (y-protocols' {@code outdatedTimeout}). */
  public static final long OUTDATED_TIMEOUT_MS = 30_000;

  private record Meta(long clock, long lastUpdated) {}

  private record State(Object value, String json) {}

  private final long clientId;
  private final LongSupplier clock;
  private final Map<Long, State> states = new LinkedHashMap<>();
  private final Map<Long, Meta> meta = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<Consumer<AwarenessChange>> changeListeners = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<AwarenessChange>> updateListeners = new CopyOnWriteArrayList<>();

  /** Awareness for {@code doc}'s client, with an empty local state (as y-protocols starts). */
  public Awareness(Doc doc) {
    this(Objects.requireNonNull(doc, "doc").clientId(), System::currentTimeMillis);
  }

  /**
   * Awareness for the given client id with a custom clock (milliseconds), for hosts and tests.
   *
   * @throws IllegalArgumentException if {@code clientId} is negative
   */
  public Awareness(long clientId, LongSupplier clockMillis) {
    if (clientId < 0) {
      throw new IllegalArgumentException("clientId must not be negative but was " + clientId);
    }
    this.clientId = clientId;
    this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
    setLocalState(Map.of());
  }

  /** The local client's id. */
  public long clientId() {
    return clientId;
  }

  /** The local state, or null when offline. */
  public synchronized @Nullable Object localState() {
    State s = states.get(clientId);
    return s == null ? null : s.value;
  }

  /**
   * Sets the local state ({@code null}: offline, which peers see as a removal).
   *
   * @throws IllegalArgumentException if the state is not JSON-like
   */
  public void setLocalState(@Nullable Object state) {
    State next = state == null ? null : new State(copy(state), Json.stringify(state));
    List<Long> added = new ArrayList<>();
    List<Long> updated = new ArrayList<>();
    List<Long> filteredUpdated = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      Meta current = meta.get(clientId);
      long nextClock = current == null ? 0 : current.clock + 1;
      State prev = states.get(clientId);
      if (next == null) {
        states.remove(clientId);
      } else {
        states.put(clientId, next);
      }
      meta.put(clientId, new Meta(nextClock, clock.getAsLong()));
      if (next == null) {
        removed.add(clientId);
      } else if (prev == null) {
        added.add(clientId);
      } else {
        updated.add(clientId);
        if (!Objects.equals(prev.value, next.value)) {
          filteredUpdated.add(clientId);
        }
      }
    }
    emit(added, updated, filteredUpdated, removed, "local");
  }

  /** Sets one field of the local state (nothing happens while offline). */
  public void setLocalStateField(String field, @Nullable Object value) {
    Objects.requireNonNull(field, "field");
    Object current = localState();
    if (current instanceof Map<?, ?> map) {
      Map<String, Object> next = new LinkedHashMap<>();
      map.forEach((k, v) -> next.put((String) k, v));
      next.put(field, value);
      setLocalState(next);
    }
  }

  /** Every known state, by client id (offline clients are absent). */
  public synchronized Map<Long, Object> states() {
    Map<Long, Object> out = new LinkedHashMap<>();
    states.forEach((k, v) -> out.put(k, v.value));
    return Collections.unmodifiableMap(out);
  }

  /** The clients this instance knows (with or without state): what {@link #encodeUpdate()} encodes. */
  public synchronized List<Long> knownClients() {
    return List.copyOf(meta.keySet());
  }

  /** An update with the states of every known client (removed ones as removals). */
  public byte[] encodeUpdate() {
    return encodeUpdate(knownClients());
  }

  /**
   * An update with the states of {@code clients} (y-protocols {@code encodeAwarenessUpdate}).
   *
   * @throws IllegalArgumentException if a client is unknown
   */
  public synchronized byte[] encodeUpdate(Collection<Long> clients) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(clients.size());
    for (Long client : clients) {
      Meta m = meta.get(client);
      if (m == null) {
        throw new IllegalArgumentException("client " + client + " is not known to this awareness instance");
      }
      State s = states.get(client);
      out.writeVarUint(client);
      out.writeVarUint(m.clock);
      out.writeVarString(s == null ? "null" : s.json);
    }
    return out.toByteArray();
  }

  private record Entry(long client, long clock, Object state, String json) {}

  /**
   * Applies a remote awareness update (y-protocols {@code applyAwarenessUpdate}).
   *
   * @throws DecodingException if the update is malformed; nothing of it is applied then
   */
  public void applyUpdate(byte[] update, @Nullable Object origin) {
    applyUpdate(update, origin, client -> true);
  }

  /**
   * Applies the entries of a remote awareness update whose client {@code mayChange} accepts, and ignores the
   * others: a server uses it so that one connection cannot overwrite or remove the presence of another's clients.
   *
   * @throws DecodingException if the update is malformed; nothing of it is applied then
   */
  public void applyUpdate(byte[] update, @Nullable Object origin, LongPredicate mayChange) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(mayChange, "mayChange");
    List<Entry> entries = decode(update);
    long now = clock.getAsLong();
    List<Long> added = new ArrayList<>();
    List<Long> updated = new ArrayList<>();
    List<Long> filteredUpdated = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      for (Entry e : entries) {
        long client = e.client;
        if (!mayChange.test(client)) {
          continue;
        }
        long clk = e.clock;
        Meta clientMeta = meta.get(client);
        State prev = states.get(client);
        long currClock = clientMeta == null ? 0 : clientMeta.clock;
        if (currClock < clk || (currClock == clk && e.state == null && states.containsKey(client))) {
          if (e.state == null) {
            if (client == clientId && states.get(clientId) != null) {
              // A peer says we are gone: we are not. Bump our clock so that the next update says so.
              clk++;
            } else {
              states.remove(client);
            }
          } else {
            states.put(client, new State(e.state, e.json));
          }
          meta.put(client, new Meta(clk, now));
          if (clientMeta == null && e.state != null) {
            added.add(client);
          } else if (clientMeta != null && e.state == null) {
            removed.add(client);
          } else if (e.state != null) {
            if (prev == null || !Objects.equals(e.state, prev.value)) {
              filteredUpdated.add(client);
            }
            updated.add(client);
          }
        }
      }
    }
    emit(added, updated, filteredUpdated, removed, origin);
  }

  private static List<Entry> decode(byte[] update) {
    Lib0Decoder in = new Lib0Decoder(update);
    int n = in.readVarUintAsInt();
    if (n > in.remaining() / 3) {
      throw new DecodingException("awareness update claims " + n + " clients but only " + in.remaining()
          + " bytes remain", in.offset());
    }
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long client = in.readVarUint();
      long clk = in.readVarUint();
      int at = in.offset();
      String json = in.readVarString();
      Object state;
      try {
        state = Json.parse(json);
      } catch (DecodingException e) {
        throw new DecodingException("awareness state of client " + client + " is not JSON: " + e.getMessage(), at, e);
      }
      entries.add(new Entry(client, clk, state, json));
    }
    return entries;
  }

  /** Removes the states of {@code clients} (y-protocols {@code removeAwarenessStates}). */
  public void removeStates(Collection<Long> clients, @Nullable Object origin) {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      for (Long client : clients) {
        if (states.containsKey(client)) {
          states.remove(client);
          if (client == clientId) {
            Meta m = meta.get(client);
            meta.put(client, new Meta(m.clock + 1, clock.getAsLong()));
          }
          removed.add(client);
        }
      }
    }
    emit(List.of(), List.of(), List.of(), removed, origin);
  }

  /**
   * Renews the local state when half the timeout has passed and removes remote states older than the timeout
   * (origin {@code "timeout"}). Call every few seconds.
   */
  public void checkTimeouts() {
    long now = clock.getAsLong();
    Object local = null;
    boolean renew;
    List<Long> outdated = new ArrayList<>();
    synchronized (this) {
      State s = states.get(clientId);
      renew = s != null && OUTDATED_TIMEOUT_MS / 2 <= now - meta.get(clientId).lastUpdated;
      if (renew) {
        local = s.value;
      }
      meta.forEach((client, m) -> {
        if (client != clientId && OUTDATED_TIMEOUT_MS <= now - m.lastUpdated && states.containsKey(client)) {
          outdated.add(client);
        }
      });
    }
    if (renew) {
      setLocalState(local);
    }
    if (!outdated.isEmpty()) {
      removeStates(outdated, "timeout");
    }
  }

  /** Goes offline: removes the local state, as y-protocols' {@code destroy()}. */
  public void close() {
    setLocalState(null);
  }

  /** Called when states were added, removed, or updated to a different value. */
  public Subscription onChange(Consumer<AwarenessChange> listener) {
    changeListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> changeListeners.remove(listener);
  }

  /** Called on every update, including renewals of an unchanged state (what a provider forwards to peers). */
  public Subscription onUpdate(Consumer<AwarenessChange> listener) {
    updateListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> updateListeners.remove(listener);
  }

  private void emit(List<Long> added, List<Long> updated, List<Long> filteredUpdated, List<Long> removed,
      Object origin) {
    if (!added.isEmpty() || !filteredUpdated.isEmpty() || !removed.isEmpty()) {
      AwarenessChange change = new AwarenessChange(added, filteredUpdated, removed, origin);
      changeListeners.forEach(l -> l.accept(change));
    }
    if (!added.isEmpty() || !updated.isEmpty() || !removed.isEmpty()) {
      AwarenessChange change = new AwarenessChange(added, updated, removed, origin);
      updateListeners.forEach(l -> l.accept(change));
    }
  }

  /** A JSON round trip: the stored state is an immutable copy with JavaScript's number types and key order. */
  private static Object copy(Object state) {
    return Json.parse(Json.stringify(state));
  }
}
