package ai.candlefish.collab.awareness;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.internal.codec.JsObjects;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
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
 * null). A remote state is kept as the JSON text it came in; it is encoded as y-protocols encodes it, in the text
 * {@code JSON.stringify} writes for it (the same text, from clients that wrote it with {@code JSON.stringify}).
 *
 * <p>Thread-safe. Listeners are called on the calling thread, after the state has changed, outside any lock.
 */
public final class Awareness {
  /** A remote state not renewed for this long is removed (y-protocols' {@code outdatedTimeout}). */
  public static final long OUTDATED_TIMEOUT_MS = 30_000;

  /**
   * What this instance knows of one client: its clock, when it was last heard of, and its state as the JSON text it
   * came in (null while the client has none). A server holds one of these for each of its 10,000s of connected
   * clients and only relays the text, so a remote state is kept as text alone: parsed, it also held a map with its
   * keys and values (~0.3 KiB for a short name), and the two maps that y-protocols keeps (states and meta) held a
   * second entry and boxed id per client. A change of state is told from a renewal by the texts, else by the parsed
   * values' hash codes (the new value is parsed anyway, to check it), and only when those are equal by parsing the
   * old text; {@link #states()} parses when asked.
   */
  private static final class Client {
    long clock;
    long lastUpdated;
    /** The state as JSON text, or null: offline (removed, or never had one). */
    @Nullable String json;
    /**
     * The text {@code JSON.stringify} writes for the state, which y-protocols encodes, where it is not {@link #json}
     * (a client that wrote {@code 1.0}, spaces, or a number beyond a double's precision); null otherwise (always, from
     * clients that use {@code JSON.stringify}). {@link #json} stays what {@link #states()} parses, as y-protocols
     * keeps the parsed value ({@code -0} stays {@code -0}).
     */
    @Nullable String stringified;
    /** The parsed state's hash code, while {@link #json} is not null. */
    int valueHash;
    /**
     * Whether the state is one JavaScript finds false ({@code 0}, {@code false}, {@code ""}): y-protocols reads such
     * a state as none ({@code states.get(client) || null}) when it encodes it and as the local state.
     */
    boolean falsy;
    /**
     * When the state was last set after the client had none: the order of y-protocols' {@code states} map, which
     * {@link #states()} keeps (a client that goes offline and comes back moves to the end there, not in the map of
     * all known clients).
     */
    long stateOrder;

    Client(long clock, long lastUpdated) {
      this.clock = clock;
      this.lastUpdated = lastUpdated;
    }
  }

  private final long clientId;
  private final LongSupplier clock;
  /** Every client this instance knows, with or without a state, in the order they became known (y-protocols' meta). */
  private final Map<Long, Client> clients = new LinkedHashMap<>();
  /** The local state as a value (an immutable copy), or null when offline. */
  private @Nullable Object localValue;
  private long nextStateOrder;
  /** Whether {@link #limitRemote} was called, and its bounds. */
  private volatile boolean limited;
  private volatile int maxRemoteClients = Integer.MAX_VALUE;
  private volatile int maxStateBytes = Integer.MAX_VALUE;
  /** Entries of remote updates ignored for the limits, ever. */
  private long ignoredEntries;
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

  /**
   * Bounds what remote updates can make this instance hold, for a host facing a server or peers it does not trust:
   * y-protocols keeps every state that arrives, and the clock of every client it ever heard of, so a hostile peer
   * could send states of any size (up to the message limit) and new client ids without end. From this call on:
   *
   * <ul>
   *   <li>an entry whose state takes more than {@code maxStateBytes} bytes of JSON is ignored (not parsed);
   *   <li>an entry about a client this instance does not know is ignored while it knows {@code maxRemoteClients}
   *       others (with a state, or without one for less than {@link #OUTDATED_TIMEOUT_MS}), and a removal of a client
   *       it does not know leaves nothing behind;
   *   <li>{@link #checkTimeouts()} forgets remote clients that have had no state for {@link #OUTDATED_TIMEOUT_MS}, so
   *       that clients who came and went make room (y-protocols remembers their clocks for ever: a removal that
   *       arrives that late, older than a forgotten one, shows a state again until it times out).
   * </ul>
   *
   * Ignored entries are counted ({@link #ignoredEntries()}); nothing else changes, and without this call this class
   * behaves exactly as y-protocols. {@code maxRemoteClients} {@link Integer#MAX_VALUE} bounds only the rest (a server
   * bounds the clients per connection instead).
   *
   * @throws IllegalArgumentException if {@code maxRemoteClients} is less than 1 or {@code maxStateBytes} less than 2
   *     (the JSON {@code {}})
   */
  public synchronized void limitRemote(int maxRemoteClients, int maxStateBytes) {
    if (maxRemoteClients < 1) {
      throw new IllegalArgumentException("maxRemoteClients must be at least 1 but was " + maxRemoteClients);
    }
    if (maxStateBytes < 2) {
      throw new IllegalArgumentException("maxStateBytes must be at least 2 but was " + maxStateBytes);
    }
    this.maxRemoteClients = maxRemoteClients;
    this.maxStateBytes = maxStateBytes;
    this.limited = true;
  }

  /** How many entries of remote updates {@link #limitRemote}'s bounds have made this instance ignore so far. */
  public synchronized long ignoredEntries() {
    return ignoredEntries;
  }

  /** The local client's id. */
  public long clientId() {
    return clientId;
  }

  /**
   * The local state, or null when offline; as y-protocols' {@code getLocalState()}, also null while the state is
   * {@code 0}, {@code false} or {@code ""}.
   */
  public synchronized @Nullable Object localState() {
    Client local = clients.get(clientId);
    return local == null || local.falsy ? null : localValue;
  }

  /**
   * Sets the local state ({@code null}: offline, which peers see as a removal).
   *
   * @throws IllegalArgumentException if the state is not JSON-like
   */
  public void setLocalState(@Nullable Object state) {
    String json = state == null ? null : Json.stringify(state);
    Object value = json == null ? null : Json.parse(json);
    List<Long> added = new ArrayList<>();
    List<Long> updated = new ArrayList<>();
    List<Long> filteredUpdated = new ArrayList<>();
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      Client local = clients.get(clientId);
      Object prev = localValue;
      boolean hadState = local != null && local.json != null;
      long now = clock.getAsLong();
      if (local == null) {
        local = new Client(0, now);
        clients.put(clientId, local);
      } else {
        local.clock++;
        local.lastUpdated = now;
      }
      setState(local, json, null, value);
      localValue = value;
      if (json == null) {
        removed.add(clientId);
      } else if (!hadState) {
        added.add(clientId);
      } else {
        updated.add(clientId);
        if (!Objects.equals(prev, value)) {
          filteredUpdated.add(clientId);
        }
      }
    }
    emit(added, updated, filteredUpdated, removed, "local");
  }

  /**
   * Sets one field of the local state (nothing happens while offline). As y-protocols ({@code {...state, [field]:
   * value}}), a state that is not an object becomes one: a list's or a string's elements under their indexes, a
   * number or boolean gives none.
   */
  public void setLocalStateField(String field, @Nullable Object value) {
    Objects.requireNonNull(field, "field");
    Object current = localState();
    if (current == null) {
      return;
    }
    Map<String, Object> next = new LinkedHashMap<>();
    if (current instanceof Map<?, ?> map) {
      map.forEach((k, v) -> next.put((String) k, v));
    } else if (current instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        next.put(Integer.toString(i), list.get(i));
      }
    } else if (current instanceof String str) {
      for (int i = 0; i < str.length(); i++) {
        next.put(Integer.toString(i), String.valueOf(str.charAt(i)));
      }
    }
    next.put(field, value);
    setLocalState(JsObjects.ordered(next));
  }

  /**
   * Every known state, by client id (offline clients are absent), in y-protocols' order. Remote states are parsed
   * from their text on each call: a host that needs only the clients asks {@link #clientsWithState()}.
   */
  public synchronized Map<Long, Object> states() {
    Map<Long, Object> out = new LinkedHashMap<>();
    for (Map.Entry<Long, Client> e : withState()) {
      Long client = e.getKey();
      out.put(client, client == clientId ? localValue : Json.parse(e.getValue().json));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The clients that have a state (are online), a new list: {@link #states()}'s keys in its order, no state parsed. */
  public synchronized List<Long> clientsWithState() {
    List<Long> out = new ArrayList<>();
    for (Map.Entry<Long, Client> e : withState()) {
      out.add(e.getKey());
    }
    return out;
  }

  /** The clients with a state, in the order their states were set after they had none. */
  private List<Map.Entry<Long, Client>> withState() {
    List<Map.Entry<Long, Client>> out = new ArrayList<>();
    for (Map.Entry<Long, Client> e : clients.entrySet()) {
      if (e.getValue().json != null) {
        out.add(e);
      }
    }
    // Mostly in order already (a client that went offline and came back is the exception): a linear pass then.
    out.sort(Comparator.comparingLong(e -> e.getValue().stateOrder));
    return out;
  }

  /** The clients this instance knows (with or without state): what {@link #encodeUpdate()} encodes. */
  public synchronized List<Long> knownClients() {
    return List.copyOf(clients.keySet());
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
      Client c = this.clients.get(client);
      if (c == null) {
        throw new IllegalArgumentException("client " + client + " is not known to this awareness instance");
      }
      out.writeVarUint(client);
      out.writeVarUint(c.clock);
      out.writeVarString(c.json == null || c.falsy ? "null" : c.stringified != null ? c.stringified : c.json);
    }
    return out.toByteArray();
  }

  /**
   * One entry of a remote update; {@code json} and {@code state} are null if it is over the size limit;
   * {@code stringified} is the text {@code JSON.stringify} writes for the state where that is not {@code json}.
   */
  private record Entry(long client, long clock, @Nullable Object state, @Nullable String json,
      @Nullable String stringified, boolean tooLarge) {}

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
    List<Entry> entries = decode(update, maxStateBytes);
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
        Client c = clients.get(client);
        boolean known = c != null;
        if (limited && !known && e.state == null && !e.tooLarge) {
          continue; // the removal of a client never heard of: nothing to remember under limits
        }
        if (e.tooLarge || (!known && clients.size() - 1 >= maxRemoteClients)) {
          ignoredEntries++;
          continue;
        }
        boolean hadState = known && c.json != null;
        long currClock = known ? c.clock : 0;
        if (currClock < clk || (currClock == clk && e.state == null && hadState)) {
          // Compared before the text is replaced: the same text is the same value, other hash codes other values.
          boolean sameValue = e.state != null && hadState && (c.json.equals(e.json)
              || (c.valueHash == Objects.hashCode(e.state) && Objects.equals(valueOf(client, c), e.state)));
          if (!known) {
            c = new Client(clk, now);
            clients.put(client, c);
          }
          if (e.state == null) {
            if (client == clientId && hadState && !c.falsy) {
              // A peer says we are gone: we are not. Bump our clock so that the next update says so.
              clk++;
            } else {
              setState(c, null, null, null);
              if (client == clientId) {
                localValue = null; // a state JavaScript finds false counts as none there
              }
            }
          } else {
            setState(c, e.json, e.stringified, e.state);
            if (client == clientId) {
              localValue = e.state;
            }
          }
          c.clock = clk;
          c.lastUpdated = now;
          if (!known && e.state != null) {
            added.add(client);
          } else if (known && e.state == null) {
            removed.add(client);
          } else if (e.state != null) {
            if (!sameValue) {
              filteredUpdated.add(client);
            }
            updated.add(client);
          }
        }
      }
    }
    emit(added, updated, filteredUpdated, removed, origin);
  }

  /**
   * Sets {@code c}'s state to {@code json} (null: none), whose parsed value is {@code value} and which
   * {@code JSON.stringify} writes as {@code stringified} (null: as {@code json}).
   */
  private void setState(Client c, @Nullable String json, @Nullable String stringified, @Nullable Object value) {
    if (json != null && c.json == null) {
      c.stateOrder = nextStateOrder++;
    }
    c.json = json;
    c.stringified = stringified;
    c.valueHash = Objects.hashCode(value);
    c.falsy = isFalsy(value);
  }

  /** JavaScript's falsiness of a JSON value (null aside): 0, -0, false and "". */
  private static boolean isFalsy(@Nullable Object value) {
    return Boolean.FALSE.equals(value) || (value instanceof String str && str.isEmpty())
        || (value instanceof Number n && n.doubleValue() == 0);
  }

  /** The state of {@code client}, which has one, as a value. */
  private Object valueOf(long client, Client c) {
    return client == clientId ? localValue : Json.parse(c.json);
  }

  private static List<Entry> decode(byte[] update, int maxStateBytes) {
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
      if (maxStateBytes < update.length
          && new Lib0Decoder(update, at, update.length - at).readVarUint() > maxStateBytes) {
        in.slice(in.readVarUintAsInt()); // over the limit: ignored, so neither copied, decoded nor parsed
        entries.add(new Entry(client, clk, null, null, null, true));
        continue;
      }
      String json = in.readVarString();
      Object state;
      try {
        state = Json.parse(json);
      } catch (DecodingException e) {
        throw new DecodingException("awareness state of client " + client + " is not JSON: " + e.getMessage(), at, e);
      }
      String stringified = Json.stringify(state);
      entries.add(new Entry(client, clk, state, json, stringified.equals(json) ? null : stringified, false));
    }
    return entries;
  }

  /**
   * The same update with each client's state replaced by what {@code modify} returns for it (y-protocols
   * {@code modifyAwarenessUpdate}): clients and clocks are kept, states are read as {@link #states()} gives them
   * ({@code null} for none) and written as {@code JSON.stringify} writes them. A server uses it to add fields to,
   * or strip fields from, the states it relays.
   *
   * @throws DecodingException if the update is malformed
   * @throws IllegalArgumentException if {@code modify} returns {@link ai.candlefish.collab.core.Undefined} (which
   *     y-protocols cannot write either) or a value that is not JSON-like
   */
  public static byte[] modifyUpdate(byte[] update, UnaryOperator<@Nullable Object> modify) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(modify, "modify");
    List<Entry> entries = decode(update, Integer.MAX_VALUE);
    Lib0Encoder out = new Lib0Encoder(update.length);
    out.writeVarUint(entries.size());
    for (Entry e : entries) {
      Object modified = modify.apply(e.state);
      String json = Json.stringify(modified);
      if (json == null) {
        throw new IllegalArgumentException("modify returned undefined for client " + e.client
            + "; return null to write no state");
      }
      out.writeVarUint(e.client);
      out.writeVarUint(e.clock);
      out.writeVarString(json);
    }
    return out.toByteArray();
  }

  /** Removes the states of {@code clients} (y-protocols {@code removeAwarenessStates}). */
  public void removeStates(Collection<Long> clients, @Nullable Object origin) {
    List<Long> removed = new ArrayList<>();
    synchronized (this) {
      for (Long client : clients) {
        Client c = this.clients.get(client);
        if (c != null && c.json != null) {
          setState(c, null, null, null);
          if (client == clientId) {
            localValue = null;
            c.clock++;
            c.lastUpdated = clock.getAsLong();
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
      Client self = clients.get(clientId);
      renew = self.json != null && !self.falsy && OUTDATED_TIMEOUT_MS / 2 <= now - self.lastUpdated;
      if (renew) {
        local = localValue;
      }
      if (limited) {
        // Under limits, clients gone for the timeout are forgotten (a state that timed out now goes at the next call).
        clients.entrySet().removeIf(e -> e.getKey() != clientId && e.getValue().json == null
            && OUTDATED_TIMEOUT_MS <= now - e.getValue().lastUpdated);
      }
      clients.forEach((client, c) -> {
        if (client != clientId && OUTDATED_TIMEOUT_MS <= now - c.lastUpdated && c.json != null) {
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
}
