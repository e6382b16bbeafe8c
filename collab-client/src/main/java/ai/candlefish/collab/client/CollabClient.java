package ai.candlefish.collab.client;

import ai.candlefish.collab.client.internal.ClientConfig;
import ai.candlefish.collab.client.internal.ClientEngine;
import ai.candlefish.collab.core.UpdateLimits;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A client of a Candlefish Collab server speaking collab/1 over one WebSocket, for any number of documents.
 *
 * <p><b>Lifecycle.</b> {@link #newBuilder()} ... {@link Builder#build() build()} makes a client that is not
 * connected; {@link #connect()} starts connecting (and reconnecting, for as long as the client lives); then
 * {@link #open(String)} each document, and use its {@link ClientDocument}. When the connection drops, the client
 * reconnects with exponential backoff and jitter, sends its token again, reopens every document, exchanges state
 * vectors with the server (each side gets what it lacks) and resends every change that has no acknowledgement yet;
 * edits made meanwhile are kept and sent then. {@link #close()} ends it all.
 *
 * <p><b>Threads.</b> Thread-safe. Network I/O runs on a Netty event loop; listener callbacks, remote updates and
 * future completions run on the client's own thread, never on the event loop. Code chained to the client's futures
 * without an executor runs on that thread too: it must not block on another of the client's futures (that would
 * wait for ever); use the {@code *Async} variants for slow work.
 */
public final class CollabClient implements AutoCloseable {
  private final ClientEngine engine;

  private CollabClient(ClientEngine engine) {
    this.engine = engine;
  }

  /** A builder; {@link Builder#uri} is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Starts connecting, and reconnecting whenever the connection drops, until {@link #close()}.
   *
   * @return completes when the server first accepts the token; exceptionally with {@link RefusedException} if it
   *     refuses it for good (4400-4499), or if the client is closed first. Calling again returns the same outcome.
   * @throws IllegalStateException if the client is closed
   */
  public CompletableFuture<Void> connect() {
    return engine.connect();
  }

  /**
   * Opens a document: it is created empty locally, then filled with the server's state and kept in sync.
   *
   * @return completes once the document has the server's state (after the client is connected); exceptionally with
   *     {@link RefusedException} if the server refuses the document for good
   * @throws IllegalArgumentException if {@code document} is not a valid document name (empty, too long, or with
   *     control characters)
   * @throws IllegalStateException if {@link #connect()} was not called, the document is already open on this
   *     client, or the client is closed
   */
  public CompletableFuture<ClientDocument> open(String document) {
    return engine.open(Objects.requireNonNull(document, "document"));
  }

  /**
   * Replaces the token: a server that accepted the connection gets the fresh one at once (collab/1 sends another
   * {@code Hello}), so that the session does not end when the old token expires (close code 4440); every reconnect
   * sends it too. The fresh token must be for the same principal, or the server closes the connection with 4401.
   * A client closed with 4440 (its token expired first) has given up, as on every 44xx code: build a new one.
   *
   * @param token the fresh token, or null for none
   * @throws IllegalStateException if the client is closed
   */
  public void refreshToken(@Nullable String token) {
    engine.refreshToken(token);
  }

  /** Whether the client is connected and accepted by the server right now. */
  public boolean isConnected() {
    return engine.isConnected();
  }

  /**
   * Closes the connection (normal closure, 1000) and stops reconnecting. Unacknowledged changes and unfinished opens
   * fail with {@link IllegalStateException}; wait for {@link ClientDocument#whenAcknowledged()} first to avoid that.
   * Waits a few seconds at most for the connection to close. Idempotent.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return engine.toString();
  }

  /** Settings of a {@link CollabClient}. Not thread-safe; each setter checks its value at once. */
  public static final class Builder {
    private URI uri;
    private String token;
    private CollabClientListener listener = new CollabClientListener() {};
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private EventLoopGroup eventLoopGroup;
    private int maxMessageSize = 16 * 1024 * 1024;
    private int maxRemoteAwarenessClients = 1000;
    private int maxAwarenessStateBytes = 32 * 1024;
    private long maxPendingBytes = 16L * 1024 * 1024;
    private long maxDocumentBytes = UpdateLimits.DEFAULT_MAX_DOCUMENT_BYTES;
    private long maxQueuedBytes = 64L * 1024 * 1024;

    private Builder() {}

    /**
     * The server: {@code ws://host:port/prefix} or {@code wss://...}. Any path under the server's prefix works.
     *
     * @throws IllegalArgumentException if the scheme is not ws or wss, or there is no host
     */
    public Builder uri(URI uri) {
      Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme();
      if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("uri must be ws:// or wss:// but was " + uri.getScheme() + "://...");
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("uri has no host: " + uri.getScheme() + "://" + uri.getRawPath());
      }
      this.uri = uri;
      return this;
    }

    /** The token the server's authenticator checks (default none). It is sent in the first frame, not in the URL. */
    public Builder token(@Nullable String token) {
      this.token = token;
      return this;
    }

    /** Who hears of connections, errors and refusals (default: nobody). */
    public Builder listener(CollabClientListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The reconnect backoff: the n-th retry in a row waits between half and all of {@code min * 2^n}, at most
     * {@code max} (default 100 ms to 10 s).
     *
     * @throws IllegalArgumentException if {@code min} is not positive or {@code max} is less than {@code min}
     */
    public Builder reconnect(Duration min, Duration max) {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.isNegative() || min.isZero()) {
        throw new IllegalArgumentException("min backoff must be positive but was " + min);
      }
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " is less than min backoff " + min);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /**
     * A Netty NIO event loop group to share (for instance among many clients); the client does not shut it down.
     * Default: a group of one thread of its own.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Objects.requireNonNull(group, "group");
      return this;
    }

    /**
     * The largest message the client accepts from the server (default 16 MiB): a document's state when it opens, or
     * one update. A larger one ends the connection and the client gives up, as it would receive the same again on
     * every reconnect: open documents and unacknowledged changes fail with an {@link IllegalStateException} that
     * names this setting.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1024
     */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageSize must be at least 1024 but was " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /**
     * Presence from the server, per open document: how many other clients' awareness states the client keeps, and
     * the largest state it keeps (bytes of JSON; the server's own default limit is 32 KiB). Beyond either, what the
     * server sends is ignored and the client logs a warning (at most once a minute per document), so a hostile or
     * broken server cannot grow the client's memory with presence. Defaults 1,000 clients and 32 KiB: at most
     * ~32 MiB of presence per document. Clients that leave make room within a minute.
     *
     * @throws IllegalArgumentException if {@code maxRemoteClients} is less than 1 or {@code maxStateBytes} less
     *     than 64
     */
    public Builder awarenessLimits(int maxRemoteClients, int maxStateBytes) {
      if (maxRemoteClients < 1) {
        throw new IllegalArgumentException("maxRemoteClients must be at least 1 but was " + maxRemoteClients);
      }
      if (maxStateBytes < 64) {
        throw new IllegalArgumentException("maxStateBytes must be at least 64 but was " + maxStateBytes);
      }
      this.maxRemoteAwarenessClients = maxRemoteClients;
      this.maxAwarenessStateBytes = maxStateBytes;
      return this;
    }

    /**
     * How much of what the server sends may wait in a document for updates the client has not received, in bytes of
     * memory as {@code Doc.pendingBytes()} weighs it (default 16 MiB; a server keeps what waits within its own limit,
     * 1 MiB by default, and sends it to clients that open the document). Beyond, the part of an update that would
     * wait is dropped and the client logs a warning (at most once a minute per document), so a hostile or broken
     * server cannot grow the client's memory with structs that never integrate: a server that integrates them later
     * sends them again as part of its next update.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder maxPendingBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxPendingBytes must be at least 0 but was " + bytes);
      }
      this.maxPendingBytes = bytes;
      return this;
    }

    /**
     * The most memory one open document may hold, by an estimate from above of what its content holds (default
     * 128 MiB, what a server holds at most by default; a few bytes on the wire may hold a hundred times more: a
     * subdocument reference of a dozen bytes is a {@code Doc} of its own). An update from the server that would
     * grow a document beyond it is not applied: the document is closed (the server stops sending it; the local
     * {@code Doc} stays as it was), its {@link CollabClient#open open} future and unacknowledged changes fail with
     * an {@link IllegalStateException} that names this setting, and {@link CollabClientListener#onError} hears it;
     * other documents and the connection go on. Updates that pass through an open document are not counted, only
     * what it holds.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1024
     */
    public Builder maxDocumentBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxDocumentBytes must be at least 1024 but was " + bytes);
      }
      this.maxDocumentBytes = bytes;
      return this;
    }

    /**
     * The most bytes the client lets wait for the network on one connection (default 64 MiB): its changes, and its
     * answers to the server's sync requests, which can be a whole document each. A server that asks and does not
     * read (or a network that stalls) would otherwise grow them without bound. Beyond, the client closes the
     * connection, {@link CollabClientListener#onError} hears an {@link IllegalStateException} that names this
     * setting, and the client reconnects as after any lost connection: unacknowledged changes stay and are sent again.
     * A single message goes whatever its size when nothing waits.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1024
     */
    public Builder maxQueuedBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxQueuedBytes must be at least 1024 but was " + bytes);
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /**
     * A new client, not connected yet.
     *
     * @throws IllegalStateException if no {@link #uri} was set
     */
    public CollabClient build() {
      if (uri == null) {
        throw new IllegalStateException("uri(...) is required");
      }
      return new CollabClient(new ClientEngine(new ClientConfig(uri, token, listener, minBackoff.toNanos(),
          maxBackoff.toNanos(), eventLoopGroup, maxMessageSize, maxRemoteAwarenessClients,
          maxAwarenessStateBytes, maxPendingBytes, maxDocumentBytes, maxQueuedBytes)));
    }
  }
}
