package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Transaction;
import ai.candlefish.collab.server.internal.DocumentRegistry;
import ai.candlefish.collab.server.internal.SharedDocument;
import ai.candlefish.collab.spi.DocumentKey;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The host's hold on one open document of a running {@link CollabServer}: edit it and read it on the server side,
 * like one more client. Edits reach connected clients at once and are stored like theirs.
 *
 * <pre>{@code
 * try (DocumentHandle sheet = server.openDocument(DocumentKey.of("acme", "budget")).join()) {
 *   sheet.edit(txn -> txn.doc().getMap("totals").set("sum", 42)).join();
 *   String text = sheet.read(doc -> doc.getText("notes").toString()).join();
 * }
 * }</pre>
 *
 * <p>The document stays in memory while a handle is open; {@link #close()} lets it unload again. Calls run on the
 * document's own thread, one at a time, between client messages: keep them short, never block in them, and do not
 * keep the {@link Doc} beyond the call. The returned futures complete on that thread, so chain slow work with the
 * {@code *Async} methods.
 *
 * <p>Thread-safe.
 */
public final class DocumentHandle implements AutoCloseable {
  private final SharedDocument document;
  private final DocumentRegistry registry;
  private final AtomicBoolean closed = new AtomicBoolean();

  DocumentHandle(SharedDocument document, DocumentRegistry registry) {
    this.document = document;
    this.registry = registry;
  }

  /** The document's key. */
  public DocumentKey key() {
    return document.key();
  }

  /**
   * Changes the document in one transaction (its origin is this handle); the changes reach every client.
   *
   * @return completes when the changes are applied and sent (not yet stored), or exceptionally with what
   *     {@code changes} threw (changes made before the throw remain, as in any transaction)
   * @throws IllegalStateException if the handle is closed
   */
  public CompletableFuture<Void> edit(Consumer<Transaction> changes) {
    Objects.requireNonNull(changes, "changes");
    return call(doc -> {
      doc.transact(changes, this);
      return null;
    });
  }

  /**
   * Runs {@code reader} with the document and completes with its result. Changes it makes (outside a transaction
   * of {@link #edit}) still reach every client.
   *
   * @throws IllegalStateException if the handle is closed
   */
  public <R extends @Nullable Object> CompletableFuture<R> read(Function<Doc, R> reader) {
    Objects.requireNonNull(reader, "reader");
    return call(reader);
  }

  /**
   * Sends an application message to every client that has the document open (Hocuspocus "stateless", collab/1
   * "custom"; y-websocket clients have no such message and do not receive it). Not stored.
   *
   * @throws IllegalStateException if the handle is closed
   */
  public void broadcastStateless(String payload) {
    Objects.requireNonNull(payload, "payload");
    if (closed.get()) {
      throw new IllegalStateException("the handle of document " + key() + " is closed");
    }
    document.broadcastStateless(payload);
  }

  private <R> CompletableFuture<R> call(Function<Doc, R> f) {
    if (closed.get()) {
      throw new IllegalStateException("the handle of document " + key() + " is closed");
    }
    return document.call(f);
  }

  /** Lets the document unload once no client has it open. Closing twice does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      registry.release(document);
    }
  }

  @Override
  public String toString() {
    return "DocumentHandle[" + key() + (closed.get() ? ", closed" : "") + "]";
  }
}
