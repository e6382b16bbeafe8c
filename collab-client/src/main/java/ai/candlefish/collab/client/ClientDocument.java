package ai.candlefish.collab.client;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Transaction;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One document a {@link CollabClient} keeps in sync: a local {@link Doc} that the server's updates are applied to,
 * and whose local changes are sent to the server, each with an acknowledgement id. The server acknowledges a change
 * once it is applied and durably stored; until then the client keeps it and sends it again after a reconnect
 * (applying a change twice changes nothing).
 *
 * <p><b>Threads.</b> A {@code Doc} is not thread-safe: the client applies remote updates while holding the
 * {@code Doc}'s monitor. Change it through {@link #edit}, which holds the monitor too, or inside
 * {@code synchronized (document.doc()) { ... }}. Observers of the {@code Doc} run on the thread that made the change:
 * the client's own thread for remote updates (their transactions have the origin {@link #REMOTE_ORIGIN}).
 *
 * <p>Methods of this interface may be called from any thread.
 */
public interface ClientDocument {
  /** The origin of every transaction that applies updates from the server. */
  Object REMOTE_ORIGIN = new Object() {
    @Override
    public String toString() {
      return "CollabClient.REMOTE_ORIGIN";
    }
  };

  /** The document's name, as given to {@link CollabClient#open}. */
  String name();

  /** The local document. See the class comment for how to change it safely. */
  Doc doc();

  /**
   * Changes the document in one transaction (holding its monitor) and sends the change to the server.
   *
   * @return completes when the server has applied and stored the change (at once if nothing changed), or
   *     exceptionally with {@link RefusedException} if the server refused it (the local document keeps it), or
   *     {@link IllegalStateException} if the document or client was closed first
   * @throws IllegalStateException if the document was closed
   */
  CompletableFuture<Void> edit(Consumer<Transaction> changes);

  /**
   * Completes when every local change made so far has been acknowledged by the server (including changes made
   * directly on {@link #doc()}); exceptionally if one of them was refused or could not be sent before a close.
   */
  CompletableFuture<Void> whenAcknowledged();

  /** How many local changes wait for the server's acknowledgement. */
  int unacknowledged();

  /**
   * Whether the server said this client may only read the document (known once it is open; a fresh token, {@link
   * CollabClient#refreshToken}, may change it).
   */
  boolean readOnly();

  /**
   * Presence on this document: {@link Awareness#setLocalState} (null: gone) and {@link Awareness#setLocalStateField}
   * publish this client's state to the others; {@link Awareness#states()} and {@link Awareness#onChange} show
   * theirs. Remote changes are applied with the origin {@link #REMOTE_ORIGIN}. Do not call {@code applyUpdate} or
   * {@code removeStates} on it yourself.
   */
  Awareness awareness();

  /**
   * Opens a subdocument of this document as a document of its own, named by its guid, as Yjs providers do
   * ({@code new WebsocketProvider(url, subdoc.guid, subdoc)}): it is {@link Doc#load() loaded} (this document's
   * subdocs listeners hear it in {@code loaded}), then {@code subdoc} itself, the instance this document's shared
   * types hold, is filled with the server's state and kept in sync, so that {@code doc().getMap("m").get("child")}
   * shows live content. The server checks the permission for the guid like for any document name. To open every
   * subdocument that is loaded, also those added with {@code autoLoad} by others:
   *
   * <pre>{@code
   * parent.doc().onSubdocs(e -> e.loaded().forEach(parent::openSubdocument));
   * }</pre>
   *
   * <p>The subdocument is a {@code Doc} of its own: change it through the returned document's {@link #edit}, or
   * hold its monitor ({@code synchronized (subdoc)}), not this document's. Destroying it (also when another client
   * deletes it from this document) closes it.
   *
   * @param subdoc a subdocument of {@link #doc()}, as read from one of its shared types or {@link Doc#getSubdocs()}
   * @return as {@link CollabClient#open}; and, since the guid comes from whoever added the subdocument (safe to call
   *     from a subdocs listener), exceptionally with {@link IllegalArgumentException} if it is not a valid document
   *     name, or {@link IllegalStateException} if a document with that name is already open on this client or the
   *     client is closed
   * @throws IllegalArgumentException if {@code subdoc} is not a subdocument of {@link #doc()}
   * @throws IllegalStateException if {@code subdoc} was destroyed
   */
  CompletableFuture<ClientDocument> openSubdocument(Doc subdoc);

  /**
   * Sends an application message about this document to the server (its hooks receive it). Not stored, not
   * retried.
   *
   * @return false if the document is not open on a connection right now (nothing was sent)
   */
  boolean sendCustom(String payload);

  /**
   * Waits for every local change to be acknowledged (or refused), then leaves the document: this client's awareness
   * state is removed and the server stops sending updates. The {@code Doc} stays usable locally; open the name again
   * for a new, synced copy.
   *
   * @return completes once the document is closed
   */
  CompletableFuture<Void> close();
}
