package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.DocumentKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The documents in memory, one {@link SharedDocument} per key, with a count of who uses each (connections and host
 * handles).
 *
 * <p>A document's use count and its removal change only inside {@link ConcurrentHashMap#compute} for its key, so
 * "the last user left, nobody came back, remove it" is one atomic step: an unload never races a reconnect. A new
 * user either finds the document still registered (and keeps it) or finds none and loads a new instance, which
 * happens only after the old one has stored everything.
 *
 * <p>Thread-safe.
 */
public final class DocumentRegistry {
  private final ServerRuntime runtime;
  private final ConcurrentHashMap<DocumentKey, SharedDocument> documents = new ConcurrentHashMap<>();
  private volatile boolean closing;
  /** The slice of documents whose awareness timeouts the timer checks next (timer thread only). */
  private int nextAwarenessSlice;

  DocumentRegistry(ServerRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * The document for {@code key}, loading it if it is not in memory; the caller must {@link #release} it once.
   *
   * @throws IllegalStateException if the server is closing
   * @throws ServerBusyException if the document is not in memory and the server holds its maximum of documents
   */
  public SharedDocument acquire(DocumentKey key) {
    if (closing) {
      throw new IllegalStateException("the server is closing");
    }
    // Checked before compute (size() inside it would count the map under its lock): a few concurrent loads may
    // pass the limit together, by at most the number of document threads asking at once.
    if (!documents.containsKey(key) && documents.size() >= runtime.config().maxLoadedDocuments()) {
      throw new ServerBusyException("the server holds its maximum of " + runtime.config().maxLoadedDocuments()
          + " documents in memory; try again later");
    }
    SharedDocument[] created = {null};
    SharedDocument document = documents.compute(key, (k, existing) -> {
      SharedDocument d = existing;
      if (d == null) {
        d = new SharedDocument(k, runtime, runtime.documentExecutor(k.name()));
        created[0] = d;
      }
      d.users++;
      return d;
    });
    if (created[0] != null) {
      created[0].startLoad();
    }
    return document;
  }

  /** Gives back what {@link #acquire} gave; the last release starts the unload delay. */
  public void release(SharedDocument document) {
    boolean[] idle = {false};
    // compute() on the key serialises this with acquire() and removeIfIdle() even when the instance is no longer
    // registered (a failed load removed it), in which case the count is only bookkeeping.
    documents.compute(document.key(), (k, existing) -> {
      document.users--;
      if (document.users == 0) {
        document.lastReleaseNanos = System.nanoTime();
        idle[0] = existing == document;
      }
      return existing;
    });
    if (idle[0]) {
      document.unloadLater(runtime.config().unloadDelay().toNanos());
    }
  }

  /**
   * How long {@code document} has been unused, in nanoseconds, or -1 while someone uses it.
   */
  long idleNanos(SharedDocument document) {
    long[] idle = {-1};
    documents.computeIfPresent(document.key(), (k, existing) -> {
      if (existing == document && document.users == 0) {
        idle[0] = System.nanoTime() - document.lastReleaseNanos;
      }
      return existing;
    });
    return idle[0];
  }

  /** Removes {@code document} if nobody uses it; true if it was removed. */
  boolean removeIfIdle(SharedDocument document) {
    boolean[] removed = {false};
    documents.computeIfPresent(document.key(), (k, existing) -> {
      if (existing == document && document.users == 0) {
        removed[0] = true;
        return null;
      }
      return existing;
    });
    return removed[0];
  }

  /** Forgets a document whose load failed, so that the next user loads it again. */
  void removeFailed(SharedDocument document) {
    documents.remove(document.key(), document);
  }

  /** The document for {@code key} if it is in memory, else null (for tests and metrics). */
  public SharedDocument get(DocumentKey key) {
    return documents.get(key);
  }

  /** How many documents are in memory. */
  public int size() {
    return documents.size();
  }

  /**
   * Asks the documents of the next of {@code slices} slices to check their awareness timeouts (timer thread only):
   * called every {@code 1/slices} of the check period, so that every document is looked at once per period, each at
   * its own moment in it, as y-protocols' per-document interval does. Looked at all at once, the documents removed a
   * whole period's outdated presence in one burst (after 10,000 clients set their state within a few seconds, ~1,500
   * removals and ~13,500 messages to their documents' other clients, 100-200 ms of sends on the event loops, which
   * every client's edits waited behind).
   */
  void checkAwarenessTimeouts(int slices) {
    int slice = nextAwarenessSlice;
    nextAwarenessSlice = (slice + 1) % slices;
    for (SharedDocument d : documents.values()) {
      if (awarenessSlice(d.key(), slices) == slice) {
        d.checkAwarenessTimeouts();
      }
    }
  }

  /**
   * Which of {@code slices} slices of the awareness check period {@code key}'s document is checked in: its hash,
   * mixed so that names that differ only in their last characters (doc-1, doc-2, ...) spread over all slices.
   */
  static int awarenessSlice(DocumentKey key, int slices) {
    int h = key.hashCode() * 0x9E3779B9;
    return Math.floorMod(h ^ (h >>> 16), slices);
  }

  /**
   * Refuses new users and stores every document (in a cluster, then leaves it and releases its lease); one future
   * per document, completing when that is done.
   */
  public List<CompletableFuture<DocumentKey>> close() {
    closing = true;
    List<CompletableFuture<DocumentKey>> stored = new ArrayList<>();
    for (SharedDocument d : documents.values()) {
      stored.add(d.storeAll().thenCompose(v -> d.leaveCluster()).thenApply(v -> d.key()));
    }
    return stored;
  }

  /** The documents in memory (a snapshot). */
  public List<SharedDocument> documents() {
    return List.copyOf(documents.values());
  }
}
