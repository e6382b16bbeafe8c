package ai.candlefish.collab.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
