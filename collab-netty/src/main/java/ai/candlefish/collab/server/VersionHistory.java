package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Snapshot;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.DocumentVersion;
import ai.candlefish.collab.spi.VersionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Named versions of the documents of a running {@link CollabServer} ("the estimate as sent to the customer"), kept
 * by its {@link DocumentStore} ({@code InMemoryDocumentStore}, {@code JdbcDocumentStore}; other stores refuse with
 * {@link UnsupportedOperationException}). Obtained from {@link CollabServer#versions()}.
 *
 * <pre>{@code
 * VersionHistory versions = server.versions();
 * VersionInfo sent = versions.save(key, "sent to the customer", "ada").join();
 * Doc old = versions.open(key, sent.id()).join();                 // read-only copy as it was
 * versions.compare(key, sent.id(), later.id()).join().textChanges("notes"); // ychange: who added / removed what
 * versions.restore(key, sent.id()).join();                        // a new edit that every client receives
 * versions.prune(key, Duration.ofDays(90), 10).join();            // keep 90 days, and at least the last 10
 * }</pre>
 *
 * <p>A version holds the Yjs snapshot and the document's whole state when it was saved, so it can be opened,
 * compared and restored whatever the live document has garbage collected since; each version costs one copy of
 * the document's state in the store. Deleting a document from the store ({@link DocumentStore#delete}) deletes its
 * versions too.
 *
 * <p>Store calls run on the server's blocking threads; document work on the document's own thread. Thread-safe.
 */
public final class VersionHistory {
  private final CollabServer server;

  VersionHistory(CollabServer server) {
    this.server = server;
  }

  private DocumentStore store() {
    return server.runtime().config().store();
  }

  private Executor blocking() {
    return server.runtime().blockingPool();
  }

  /**
   * Saves the document's current state as a version.
   *
   * @return the saved version's info (its id names it in the other calls)
   * @throws IllegalArgumentException if the label or author is longer than {@value VersionInfo#MAX_TEXT_LENGTH}
   * @throws IllegalStateException if the server is not running
   */
  public CompletableFuture<VersionInfo> save(DocumentKey key, String label, String author) {
    Objects.requireNonNull(key, "key");
    new VersionInfo(0, label, author, Instant.EPOCH); // checks label and author before anything happens
    return withDocument(key, doc -> new byte[][] {Snapshot.of(doc).encode(), doc.encodeStateAsUpdate()})
        .thenApplyAsync(parts -> store().saveVersion(key, label, author, Instant.now(), parts[0], parts[1]),
            blocking());
  }

  /** The versions of the document, oldest first. */
  public CompletableFuture<List<VersionInfo>> list(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    return CompletableFuture.supplyAsync(() -> store().listVersions(key), blocking());
  }

  /**
   * The document as it was at a version: a detached copy (garbage collection on) whose changes go nowhere.
   * Completes exceptionally with {@link NoSuchElementException} if the document has no such version.
   */
  public CompletableFuture<Doc> open(DocumentKey key, long versionId) {
    return load(key, versionId).thenApply(v -> {
      Doc doc = Doc.create();
      doc.applyUpdate(v.state());
      return doc;
    });
  }

  /**
   * What changed from version {@code fromId} to version {@code toId} (either may be the later one), and who
   * changed it. Completes exceptionally with {@link NoSuchElementException} if a version is missing.
   */
  public CompletableFuture<VersionComparison> compare(DocumentKey key, long fromId, long toId) {
    return load(key, fromId).thenCombine(load(key, toId), VersionComparison::new);
  }

  /**
   * Brings the document back to a version as a new edit: what was inserted since is deleted and what was deleted
   * since is inserted again, in one transaction that every connected client receives and that is stored like any
   * other; the history is never rewritten, and edits made concurrently merge with it. Completes with whether
   * anything changed, or exceptionally with {@link NoSuchElementException} if the document has no such version.
   */
  public CompletableFuture<Boolean> restore(DocumentKey key, long versionId) {
    return load(key, versionId).thenCompose(version -> withDocument(key, doc -> {
      // The live document may have collected what the restore re-creates: restore in a copy that has both the
      // version's state and the current one, and apply what the restore did there.
      Doc copy = Doc.newBuilder().gc(false).build();
      copy.applyUpdate(version.state());
      copy.applyUpdate(doc.encodeStateAsUpdate());
      List<byte[]> updates = new ArrayList<>();
      copy.onUpdate((update, origin, txn) -> updates.add(update));
      boolean changed = Snapshot.decode(version.snapshot()).restore(copy);
      for (byte[] update : updates) {
        doc.applyUpdate(update, this);
      }
      return changed;
    }));
  }

  /**
   * Applies a retention policy: removes the versions older than {@code keepFor}, except the {@code keepAtLeast}
   * newest ({@code Duration.ZERO, n}: keep the last n; {@code days, 0}: keep what is younger than days).
   *
   * @return how many versions were removed
   * @throws IllegalArgumentException if {@code keepFor} is negative or {@code keepAtLeast} is negative
   */
  public CompletableFuture<Integer> prune(DocumentKey key, Duration keepFor, int keepAtLeast) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(keepFor, "keepFor");
    if (keepFor.isNegative() || keepAtLeast < 0) {
      throw new IllegalArgumentException("keepFor and keepAtLeast must not be negative but were " + keepFor + " and "
          + keepAtLeast);
    }
    return CompletableFuture.supplyAsync(() -> {
      List<VersionInfo> all = store().listVersions(key);
      Instant cutoff = Instant.now().minus(keepFor);
      List<Long> remove = new ArrayList<>();
      for (int i = 0; i < all.size() - keepAtLeast; i++) {
        if (all.get(i).createdAt().isBefore(cutoff)) {
          remove.add(all.get(i).id());
        }
      }
      if (!remove.isEmpty()) {
        store().deleteVersions(key, remove);
      }
      return remove.size();
    }, blocking());
  }

  private CompletableFuture<DocumentVersion> load(DocumentKey key, long versionId) {
    Objects.requireNonNull(key, "key");
    return CompletableFuture.supplyAsync(() -> {
      DocumentVersion v = store().loadVersion(key, versionId);
      if (v == null) {
        throw new NoSuchElementException("document " + key + " has no version " + versionId);
      }
      return v;
    }, blocking());
  }

  private <R> CompletableFuture<R> withDocument(DocumentKey key, Function<Doc, R> work) {
    return server.openDocument(key).thenCompose(handle -> {
      CompletableFuture<R> result;
      try {
        result = handle.read(work);
      } catch (RuntimeException e) {
        handle.close();
        throw new CompletionException(e);
      }
      return result.whenComplete((r, e) -> handle.close());
    });
  }
}
