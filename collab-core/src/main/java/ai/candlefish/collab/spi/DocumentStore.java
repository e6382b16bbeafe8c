package ai.candlefish.collab.spi;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where documents live between sessions, as Yjs v1 updates: a server loads a document when the first client opens
 * it, appends the updates it receives (debounced and batched), and now and then replaces what is stored with one
 * compacted state.
 *
 * <p>Contract, for a server to never lose or overwrite data:
 *
 * <ul>
 *   <li>When {@link #append} or {@link #replace} returns, the data is durable (as durable as the store is); when
 *       it throws, it may or may not be, and the server calls again (appending an update twice is harmless: Yjs
 *       updates are idempotent).
 *   <li>{@link #replace} is atomic: a later {@link #load} sees either everything before it or the new state.
 *   <li>Different {@link DocumentKey}s are different documents, even when their names are equal.
 * </ul>
 *
 * <p>The server calls one document's methods one at a time and in order (never {@code append} while {@code load}
 * is running for the same key), on a worker thread: implementations may block. Different documents are called
 * concurrently, so implementations must be thread-safe.
 */
public interface DocumentStore {
  /**
   * Everything stored for {@code key}, or {@link StoredDocument#empty()} if nothing is.
   *
   * @throws StoreException if the store cannot be read; the server then refuses the document's clients and never
   *     writes anything for it until a later load succeeds
   */
  StoredDocument load(DocumentKey key);

  /**
   * Adds one update to what is stored for {@code key} (creating the document if needed).
   *
   * @param update a Yjs v1 update (the store may keep the array; the server does not change it afterwards)
   * @throws StoreException if the update could not be stored; the server retries
   */
  void append(DocumentKey key, byte[] update);

  /**
   * {@link #append} without holding the caller's thread: answers at once with a future that completes once the
   * update is durable, or exceptionally with what {@code append} would have thrown (then the server retries). For a
   * store that commits many documents' appends together ({@code JdbcDocumentStore}'s group commit): a server whose
   * documents wait on futures instead of on blocked worker threads lets every document's due write join one commit,
   * however few worker threads it has. The server calls it as it calls {@code append} (one document's writes one at
   * a time, the next once the last future completed), on a worker thread. The future may complete on one of the
   * store's own threads, so what the caller chains to it must not block.
   *
   * <p>The default calls {@link #append} on the calling thread and answers a completed future.
   *
   * @param update a Yjs v1 update (the store may keep the array; the server does not change it afterwards)
   */
  default CompletableFuture<Void> appendAsync(DocumentKey key, byte[] update) {
    try {
      append(key, update);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Replaces everything stored for {@code key} with {@code state}, a Yjs v1 update that contains every update
   * stored so far (the server passes the whole document, {@code doc.encodeStateAsUpdate()}).
   *
   * @throws StoreException if the state could not be stored; what was stored before must then still be there
   */
  void replace(DocumentKey key, byte[] state);

  /**
   * Removes everything stored for {@code key}, its saved versions and client owners included; does nothing if
   * nothing is stored.
   *
   * @throws StoreException if the document could not be deleted
   */
  void delete(DocumentKey key);

  // ------------------------------------------------------------------------------------------------- versions
  // Named versions (CollabServer.versions()): optional. A store that keeps none leaves these defaults, which refuse.

  /**
   * Saves a version of {@code key}: its label, author and time, the encoded snapshot and the document's state.
   *
   * @return the version's info, with the id the store gave it
   * @throws StoreException if the version could not be saved
   * @throws UnsupportedOperationException if this store keeps no versions
   */
  default VersionInfo saveVersion(DocumentKey key, String label, String author, java.time.Instant createdAt,
      byte[] snapshot, byte[] state) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no versions; use a store that does "
        + "(InMemoryDocumentStore, JdbcDocumentStore)");
  }

  /**
   * The versions saved for {@code key}, oldest first (empty if none).
   *
   * @throws StoreException if the store cannot be read
   * @throws UnsupportedOperationException if this store keeps no versions
   */
  default List<VersionInfo> listVersions(DocumentKey key) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no versions");
  }

  /**
   * One saved version of {@code key} with its content, or null if there is none with this id.
   *
   * @throws StoreException if the store cannot be read
   * @throws UnsupportedOperationException if this store keeps no versions
   */
  default @Nullable DocumentVersion loadVersion(DocumentKey key, long id) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no versions");
  }

  /**
   * Removes the versions of {@code key} with these ids (ids it does not have are ignored).
   *
   * @throws StoreException if the versions could not be removed
   * @throws UnsupportedOperationException if this store keeps no versions
   */
  default void deleteVersions(DocumentKey key, Collection<Long> ids) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no versions");
  }

  // -------------------------------------------------------------------------------------------- client owners
  // Which principal writes with which Yjs client id: a server refuses structs under an id that belongs to another
  // principal (a forged id). Optional: a store that keeps none leaves these defaults, and then an id belongs to its
  // first writer only while the document stays loaded.

  /**
   * The owners of Yjs client ids in document {@code key}: client id to principal id (empty if none are recorded).
   *
   * @throws StoreException if the store cannot be read
   */
  default Map<Long, String> loadClientOwners(DocumentKey key) {
    return Map.of();
  }

  /**
   * Records that Yjs client id {@code clientId} of document {@code key} belongs to principal {@code owner}, unless
   * it has an owner already; returns the owner on record afterwards ({@code owner} if this call recorded it). Must be
   * atomic: of two claims of the same id, one wins. The default records nothing and returns {@code owner}.
   *
   * @throws StoreException if the claim could not be recorded; the server retries
   */
  default String claimClient(DocumentKey key, long clientId, String owner) {
    return owner;
  }

  /**
   * Claims several Yjs client ids of document {@code key} for {@code owner} at once, each as {@link #claimClient}
   * would; returns the owner on record afterwards of each id. A server makes one such call for all the ids new to
   * the document that one update brings (an import of an offline document may bring thousands): a store that talks
   * to a database should record them in one round trip or few. The default calls {@link #claimClient} for each.
   *
   * @throws StoreException if the claims could not be recorded (some may have been); the server retries them all
   */
  default Map<Long, String> claimClients(DocumentKey key, Collection<Long> clientIds, String owner) {
    Map<Long, String> onRecord = new HashMap<>();
    for (long clientId : clientIds) {
      onRecord.put(clientId, claimClient(key, clientId, owner));
    }
    return onRecord;
  }
}
