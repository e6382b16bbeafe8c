package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which user made which change (Yjs {@code PermanentUserData}), kept in the document itself so that every replica
 * can tell: insertions by the client ids a user edited with, deletions by the delete sets each user's client
 * recorded. y-prosemirror and {@link YText#toDelta(Snapshot, Snapshot, YText.YChangeFunction)} use it to say who
 * added or removed what between two versions.
 *
 * <p>The data lives in a map (the root map {@code "users"} unless another is given): per user description
 * (a name, an id) a {@link YMap} with {@code "ids"}, a {@link YArray} of the client ids the user edited with,
 * and {@code "ds"}, a {@link YArray} of encoded delete sets (Yjs format v1) of what the user deleted. The layout
 * is Yjs's, so Java and JavaScript replicas share it.
 *
 * <pre>{@code
 * PermanentUserData users = new PermanentUserData(doc);
 * users.setUserMapping(doc.clientId(), "ada@example.com");     // from now on, ada's deletions are recorded
 * text.toDelta(Snapshot.of(doc), before, (type, client, clock) -> Map.of("type", type,
 *     "user", type.equals("added") ? users.getUserByClientId(client) : users.getUserByDeletedId(client, clock)));
 * }</pre>
 *
 * <p>Yjs records a transaction's deletions from a {@code setTimeout}; here they are recorded in a transaction of
 * their own once the transaction that deleted (and those its observers started) is done, which gives the same
 * updates as Yjs for a replica that runs one top-level transaction at a time.
 *
 * <p>Not thread-safe: use it from the thread that uses its document.
 */
public final class PermanentUserData {
  private final Doc doc;
  private final YMap users;
  /** Client id → user description (Yjs {@code clients}). */
  private final Map<Long, String> clients = new LinkedHashMap<>();
  /** User description → what the user deleted (Yjs {@code dss}); insertion order decides who is found first. */
  private final Map<String, DeleteSet> dss = new LinkedHashMap<>();

  /** Reads and follows the users in {@code doc}'s root map {@code "users"}. */
  public PermanentUserData(Doc doc) {
    this(doc, Objects.requireNonNull(doc, "doc").getMap("users"));
  }

  /**
   * Reads and follows the users kept in {@code storeType}.
   *
   * @throws IllegalArgumentException if {@code storeType} is not part of {@code doc}
   */
  public PermanentUserData(Doc doc, YMap storeType) {
    this.doc = Objects.requireNonNull(doc, "doc");
    this.users = Objects.requireNonNull(storeType, "storeType");
    if (storeType.doc() != doc) {
      throw new IllegalArgumentException("storeType must be a map of the given document");
    }
    storeType.observe(event -> {
      for (String key : event.keysChanged) {
        if (key != null) {
          initUser(storeType.get(key), key);
        }
      }
    });
    for (Map.Entry<String, Item> e : storeType.map.entrySet()) {
      if (!e.getValue().isDeleted()) {
        initUser(SharedType.lastValue(e.getValue()), e.getKey());
      }
    }
  }

  private void initUser(Object user, String description) {
    // Yjs throws on an entry of another shape; a hostile peer must not be able to break this replica's observers.
    if (!(user instanceof YMap u) || !(u.get("ds") instanceof YArray ds) || !(u.get("ids") instanceof YArray ids)) {
      return;
    }
    ds.observe(event -> forEachAdded(event, value -> {
      if (value instanceof byte[] encoded) {
        DeleteSet merged = new DeleteSet();
        DeleteSet known = dss.get(description);
        if (known != null) {
          merged.addAll(known);
        }
        addEncoded(merged, encoded);
        merged.sortAndMerge();
        dss.put(description, merged);
      }
    }));
    DeleteSet merged = new DeleteSet();
    for (Object encoded : ds.toList()) {
      if (encoded instanceof byte[] b) {
        addEncoded(merged, b);
      }
    }
    merged.sortAndMerge();
    dss.put(description, merged);
    ids.observe(event -> forEachAdded(event, id -> addClientId(id, description)));
    for (Object id : ids.toList()) {
      addClientId(id, description);
    }
  }

  private void addClientId(Object id, String description) {
    if (id instanceof Number n) {
      clients.put(n.longValue(), description);
    }
  }

  /** Yjs's {@code event.changes.added}: the values of the items this event's transaction added and kept. */
  private static void forEachAdded(YArrayEvent event, Consumer<Object> f) {
    List<Object> values = new ArrayList<>();
    for (Item n = event.target().start; n != null; n = n.right) {
      if (!n.isDeleted() && event.adds(n)) {
        n.content.collect(values);
      }
    }
    values.forEach(f);
  }

  private static void addEncoded(DeleteSet into, byte[] encoded) {
    try {
      into.addAll(Snapshot.readDeleteSet(new Lib0Decoder(encoded)));
    } catch (DecodingException malformed) {
      // Yjs throws from its observer here; a malformed entry (only a hostile peer writes one) names nobody
    }
  }

  /** Like {@link #setUserMapping(long, String, Predicate)}, recording every local transaction's deletions. */
  public void setUserMapping(long clientId, String userDescription) {
    setUserMapping(clientId, userDescription, txn -> true);
  }

  /**
   * Records that {@code clientId} is {@code userDescription} (Yjs {@code setUserMapping}): adds the id to the
   * user's entry (creating it), and from now on records the deletions of each local transaction of this document
   * that {@code filter} accepts. If another replica created the same user concurrently and its entry won, the ids
   * and deletions known for the user are copied into the winning entry.
   *
   * <p>An entry that is not a map is replaced only where JavaScript reads it as false (null, undefined, false, 0,
   * NaN, an empty string), as Yjs's {@code if (!user)} does; Yjs fails on any other value, and so does this.
   *
   * @throws IllegalStateException if the user's entry exists but is not shaped as Yjs makes it (a value JavaScript
   *     reads as true that is not a map, or a map without an array {@code "ids"}); nothing is changed then
   */
  public void setUserMapping(long clientId, String userDescription, Predicate<Transaction> filter) {
    Objects.requireNonNull(userDescription, "userDescription");
    Objects.requireNonNull(filter, "filter");
    Object existing = users.get(userDescription);
    YMap user = existing instanceof YMap m ? m : null;
    if (user == null && Doc.truthy(existing)) {
      // Yjs's `if (!user)` keeps any truthy value and then fails on it; only what JavaScript calls false is replaced
      throw new IllegalStateException("the users entry of '" + userDescription + "' is not a map (it is "
          + describe(existing) + "): it was not written by PermanentUserData; delete the entry or map the client"
          + " to another user description");
    }
    if (user == null) {
      user = new YMap();
      user.set("ids", new YArray());
      user.set("ds", new YArray());
      users.set(userDescription, user);
    }
    array(user, "ids", userDescription).push(List.of(clientId));
    Mapping mapping = new Mapping(userDescription, user);
    // As Yjs, both from "setTimeout": each write is a transaction, and an update, of its own.
    users.observe(event -> doc.defer(() -> portOverwrittenUser(mapping)));
    doc.onAfterTransaction(txn -> {
      DeleteSet ds = txn.deleteSetOrNull();
      if (txn.isLocal() && ds != null && !ds.isEmpty() && filter.test(txn)) {
        byte[] encoded = encode(ds);
        doc.defer(() -> {
          if (mapping.user != null) {
            array(mapping.user, "ds", mapping.description).push(List.of(encoded));
          }
        });
      }
    });
  }

  private void portOverwrittenUser(Mapping mapping) {
    Object current = users.get(mapping.description);
    if (current == mapping.user) {
      return;
    }
    mapping.user = current instanceof YMap m ? m : null;
    if (mapping.user == null) {
      return;
    }
    YArray ids = array(mapping.user, "ids", mapping.description);
    for (Map.Entry<Long, String> e : new ArrayList<>(clients.entrySet())) {
      if (mapping.description.equals(e.getValue())) {
        ids.push(List.of(e.getKey()));
      }
    }
    DeleteSet ds = dss.get(mapping.description);
    if (ds != null) {
      array(mapping.user, "ds", mapping.description).push(List.of(encode(ds)));
    }
  }

  private static YArray array(YMap user, String key, String description) {
    if (user.get(key) instanceof YArray a) {
      return a;
    }
    throw new IllegalStateException("the users entry of '" + description + "' has no array '" + key
        + "': it was not written by PermanentUserData");
  }

  /** What kind of value a users entry holds, for an error message (not the value: a peer may have written it). */
  private static String describe(Object value) {
    if (value instanceof SharedType || value instanceof Doc) {
      return "a " + value.getClass().getSimpleName();
    }
    return value instanceof String ? "a string" : value instanceof Number ? "a number"
        : value instanceof Boolean ? "true" : value instanceof byte[] ? "a Uint8Array"
        : value instanceof List ? "an array" : "an object";
  }

  private static byte[] encode(DeleteSet ds) {
    UpdateEncoder encoder = new UpdateEncoderV1();
    ds.write(encoder);
    return encoder.toByteArray();
  }

  /** The user who edited with {@code clientId}, or null if none is known (Yjs {@code getUserByClientId}). */
  public @Nullable String getUserByClientId(long clientId) {
    return clients.get(clientId);
  }

  /**
   * The first user (in the order users became known) whose recorded deletions include the unit
   * {@code client:clock}, or null (Yjs {@code getUserByDeletedId}).
   */
  public @Nullable String getUserByDeletedId(long client, int clock) {
    for (Map.Entry<String, DeleteSet> e : dss.entrySet()) {
      if (e.getValue().isDeleted(client, clock)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** One {@link #setUserMapping} call: the user's entry, which a concurrent creation may replace. */
  private static final class Mapping {
    final String description;
    YMap user;

    Mapping(String description, YMap user) {
      this.description = description;
      this.user = user;
    }
  }
}
