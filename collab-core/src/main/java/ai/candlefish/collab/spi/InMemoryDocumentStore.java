package ai.candlefish.collab.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DocumentStore} in the heap: for tests, demos, and single-process servers that may lose everything when
 * the process ends. Documents survive a server restart within one JVM when the same instance is given to the new
 * server.
 *
 * <p>Thread-safe; every method is atomic for its key.
 */
public final class InMemoryDocumentStore implements DocumentStore {
  // Each list is mutated and read only inside compute() for its key, which makes every operation atomic per key.
  private final ConcurrentHashMap<DocumentKey, List<byte[]>> documents = new ConcurrentHashMap<>();
  // Versions per document, in id order; each map is used only inside compute() for its key.
  private final ConcurrentHashMap<DocumentKey, TreeMap<Long, DocumentVersion>> versions = new ConcurrentHashMap<>();
  private final AtomicLong nextVersionId = new AtomicLong(1);
  private final ConcurrentHashMap<DocumentKey, ConcurrentHashMap<Long, String>> clientOwners =
      new ConcurrentHashMap<>();

  /** An empty store. */
  public InMemoryDocumentStore() {}

  @Override
  public StoredDocument load(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    StoredDocument[] out = {StoredDocument.empty()};
    documents.computeIfPresent(key, (k, updates) -> {
      out[0] = StoredDocument.of(updates);
      return updates;
    });
    return out[0];
  }

  @Override
  public void append(DocumentKey key, byte[] update) {
    Objects.requireNonNull(key, "key");
    byte[] copy = Objects.requireNonNull(update, "update").clone();
    documents.compute(key, (k, updates) -> {
      List<byte[]> next = updates == null ? new ArrayList<>() : updates;
      next.add(copy);
      return next;
    });
  }

  @Override
  public void replace(DocumentKey key, byte[] state) {
    Objects.requireNonNull(key, "key");
    List<byte[]> next = new ArrayList<>();
    next.add(Objects.requireNonNull(state, "state").clone());
    documents.put(key, next);
  }

  @Override
  public void delete(DocumentKey key) {
    documents.remove(Objects.requireNonNull(key, "key"));
    versions.remove(key);
    clientOwners.remove(key);
  }

  @Override
  public Map<Long, String> loadClientOwners(DocumentKey key) {
    Map<Long, String> owners = clientOwners.get(Objects.requireNonNull(key, "key"));
    return owners == null ? Map.of() : Map.copyOf(owners);
  }

  @Override
  public String claimClient(DocumentKey key, long clientId, String owner) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(owner, "owner");
    String before = clientOwners.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).putIfAbsent(clientId, owner);
    return before == null ? owner : before;
  }

  @Override
  public VersionInfo saveVersion(DocumentKey key, String label, String author, Instant createdAt, byte[] snapshot,
      byte[] state) {
    Objects.requireNonNull(key, "key");
    VersionInfo info = new VersionInfo(nextVersionId.getAndIncrement(), label, author, createdAt);
    DocumentVersion version = DocumentVersion.of(info, snapshot, state);
    versions.compute(key, (k, all) -> {
      TreeMap<Long, DocumentVersion> next = all == null ? new TreeMap<>() : all;
      next.put(info.id(), version);
      return next;
    });
    return info;
  }

  @Override
  public List<VersionInfo> listVersions(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    List<VersionInfo> out = new ArrayList<>();
    versions.computeIfPresent(key, (k, all) -> {
      all.values().forEach(v -> out.add(v.info()));
      return all;
    });
    return List.copyOf(out);
  }

  @Override
  public @Nullable DocumentVersion loadVersion(DocumentKey key, long id) {
    Objects.requireNonNull(key, "key");
    DocumentVersion[] out = {null};
    versions.computeIfPresent(key, (k, all) -> {
      out[0] = all.get(id);
      return all;
    });
    return out[0];
  }

  @Override
  public void deleteVersions(DocumentKey key, Collection<Long> ids) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(ids, "ids");
    versions.computeIfPresent(key, (k, all) -> {
      ids.forEach(all::remove);
      return all.isEmpty() ? null : all;
    });
  }

  /** The keys of the stored documents (a snapshot). */
  public Set<DocumentKey> keys() {
    return Set.copyOf(documents.keySet());
  }

  @Override
  public String toString() {
    return "InMemoryDocumentStore[" + documents.size() + " documents]";
  }
}
