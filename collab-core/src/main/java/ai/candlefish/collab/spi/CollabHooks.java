package ai.candlefish.collab.spi;

import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import org.jspecify.annotations.Nullable;

/**
 * What a host application hears from a collaboration server. Every method does nothing by default; override what
 * you need.
 *
 * <p>Threads: connection hooks ({@link #onConnect}, {@link #onAuthenticate}, {@link #onDisconnect}) run on a
 * worker thread; document hooks ({@link #onLoad}, {@link #onChange}, {@link #onAwareness}, {@link #onStateless},
 * {@link #onStore}, {@link #onUnload}) run one at a time for one document, in the order the document called them,
 * and {@link #onLoad} and {@link #onChange} while the document does nothing else, so they may read and change the
 * {@link Doc} they are given, during the call only. collab-netty calls them on a pool of their own (its documents
 * run on its network threads) or on the document's thread (as its {@code threads} setting says). A slow
 * {@link #onLoad} or {@link #onChange} delays its document, and where the server runs hooks on its network threads
 * (collab-netty's {@code threads(io, 0, blocking)}) any slow hook delays the other clients of that thread too: hand
 * long or blocking work to an executor of your own. An exception thrown by a hook is logged and otherwise ignored, except
 * where a method says it refuses; so is an {@code Error} (a {@code StackOverflowError} from walking a hostile
 * document, an {@code AssertionError}): a failing hook never stops a document from being stored and acknowledged.
 * Only a {@link VirtualMachineError} other than {@code StackOverflowError} (out of memory) is let through. The same
 * holds for observers and listeners a hook puts on a document. {@link #beforeUpdate} is the exception: it runs on the
 * document's own thread, before the update it is asked about, and what it throws refuses that update.
 *
 * <p>Implementations must be thread-safe (different documents and connections call concurrently).
 */
public interface CollabHooks {
  /** Hooks that do nothing. */
  CollabHooks NONE = new CollabHooks() {};

  /**
   * A client completed the WebSocket upgrade; it is not authenticated yet.
   *
   * @throws AuthenticationException to refuse the connection (for example a banned address)
   */
  default void onConnect(ConnectionInfo connection) {}

  /**
   * The authenticator accepted {@code principal}; no document is open yet.
   *
   * @throws AuthenticationException to refuse the connection after all
   */
  default void onAuthenticate(ConnectionInfo connection, Principal principal) {}

  /**
   * Document {@code key} was loaded from the store, before any client is served. Changes made to {@code doc} here
   * (initial content for a new document, say) reach every client and are stored.
   */
  default void onLoad(DocumentKey key, Doc doc) {}

  /**
   * A client sent an update to document {@code key} that would change it; nothing of it is applied yet. Throw
   * {@link UpdateRefusedException} to refuse it: nothing of it is applied, stored or relayed, the other clients and
   * the document are untouched, and the sender is refused as a client without permission is: its session on the
   * document ends with {@code 4403} and the exception's message (y-websocket: "permission denied" and the socket
   * closed; Hocuspocus: sync status "not applied", then "permission denied" for that document; collab/1: an
   * {@code Error} for the update and one for the document). It cannot go on with the document in any case: its
   * later edits build on the refused one, which the server does not have. Any other exception (an
   * {@code Error} too) refuses the update likewise, with the reason "update refused", and is logged.
   *
   * <p>The Hocuspocus {@code beforeHandleMessage} that throws, for Yjs updates. Called on the document's thread
   * while the document waits, for each update and sync step 2 of a client that may write (read-only clients are
   * refused before), after the server's own checks; not for one that changes nothing, nor for the server's own
   * edits ({@code DocumentHandle.edit}, {@link #onLoad}, {@link #onChange}), what is loaded from the store, or
   * updates that other nodes of a cluster accepted. Keep it quick and never block: on a server whose documents run
   * on its network threads, it holds up every client of that thread.
   *
   * <p>{@code roots} says which root types the update changes, resolved against the document (see
   * {@code Updates.changedRoots}): the roots under which it adds or deletes content, at any depth. Part of an update
   * may depend on content the server has not received (a neighbour or parent that has not arrived); that part waits
   * in the document and lands wherever what it needs lands, so then {@link Updates.ChangedRoots#complete()} is false
   * and {@link Updates.ChangedRoots#mayChange} is true for every root. A host that protects roots refuses by
   * {@code mayChange}: an editor's updates build on what the server sent it and are complete.
   *
   * @param connection the sender's connection
   * @param principal who sent it, as the authenticator established
   * @throws UpdateRefusedException to refuse the update
   */
  default void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
      Updates.ChangedRoots roots) {}

  /**
   * Document {@code key} changed; called at most once per store debounce period, just before the changes are
   * stored, so a burst of edits gives one call.
   */
  default void onChange(DocumentKey key, Doc doc) {}

  /**
   * The changes of document {@code key} up to now are stored. Stores that complete while a call waits for an earlier
   * hook call are told by that one call.
   */
  default void onStore(DocumentKey key) {}

  /**
   * Awareness states (presence, cursors) of document {@code key} were added, changed or removed. Changes that come
   * while a call waits for an earlier hook call are merged into it: per client, added (it had no state before them),
   * updated, or removed (the last of them removed it); the origin is theirs if they all had the same, else null.
   */
  default void onAwareness(DocumentKey key, AwarenessChange change) {}

  /**
   * A client sent an application message about document {@code key} that is not part of the document (Hocuspocus
   * "stateless", collab/1 "custom"). Answer all of the document's clients with
   * {@code DocumentHandle.broadcastStateless}. Where messages wait for the hook (collab-netty: over 1 MiB of one
   * client's, or 8 MiB of a document's), the client that sends another is closed (1013) instead. Any client that has the document open may send one, read-only clients
   * too: decide from {@code principal} and {@code permission} what the sender may ask for.
   *
   * @param principal who sent it, as the authenticator established
   * @param permission what the sender may do with the document ({@link Permission#READ} or {@link Permission#WRITE})
   */
  default void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal, Permission permission,
      String payload) {}

  /** Document {@code key} was stored and removed from memory (no client or handle had it open for a while). */
  default void onUnload(DocumentKey key) {}

  /**
   * A connection ended, for whatever reason.
   *
   * @param principal who it was, or null if it never authenticated
   */
  default void onDisconnect(ConnectionInfo connection, @Nullable Principal principal) {}
}
