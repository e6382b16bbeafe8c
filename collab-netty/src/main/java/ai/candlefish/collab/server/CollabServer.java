package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.server.handler.AcceptErrors;
import ai.candlefish.collab.server.handler.BridgeConnector;
import ai.candlefish.collab.server.handler.CollabServerInitializer;
import ai.candlefish.collab.server.handler.SessionHandler;
import ai.candlefish.collab.server.internal.CompactRecvByteBufAllocator;
import ai.candlefish.collab.server.internal.Connection;
import ai.candlefish.collab.server.internal.MicrometerMetrics;
import ai.candlefish.collab.server.internal.MicrometerObservations;
import ai.candlefish.collab.server.internal.ServerConfig;
import ai.candlefish.collab.server.internal.ServerMetrics;
import ai.candlefish.collab.server.internal.ServerObservations;
import ai.candlefish.collab.server.internal.ServerRuntime;
import ai.candlefish.collab.server.internal.SharedDocument;
import ai.candlefish.collab.server.internal.Transport;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ClusterTransport;
import ai.candlefish.collab.spi.Revocation;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.VersionInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real-time collaboration server in the host's JVM: browsers keep using their Yjs providers (npm
 * {@code y-websocket}'s {@code WebsocketProvider}, or {@code @hocuspocus/provider}'s {@code HocuspocusProvider}
 * pointed at the path prefix itself, which sends its token per document), the host keeps its documents in its own
 * {@link DocumentStore} and its users in its own {@link Authenticator}.
 *
 * <pre>{@code
 * CollabServer server = CollabServer.newBuilder()
 *     .port(1234)
 *     .authenticator((token, connection) -> myUsers.principalFor(token))  // throws AuthenticationException
 *     .documentStore(myStore)
 *     .build()
 *     .start();
 * // browser: new WebsocketProvider('ws://host:1234', 'my-doc', ydoc, { params: { token } })
 * try (DocumentHandle doc = server.openDocument(DocumentKey.of("tenant", "my-doc")).join()) {
 *   doc.edit(txn -> txn.doc().getText("t").insert(0, "hello from the server")).join();
 * }
 * server.close(); // stores every document, then says "going away" to every client
 * }</pre>
 *
 * <p><b>Documents.</b> A document is loaded from the store when its first client (or handle) opens it, and stays
 * in memory, one {@code Doc} shared by all its clients, until the last one leaves and the unload delay passes; it
 * is then stored and dropped. Changes are appended to the store debounced ({@link Builder#storeDebounce}, at most
 * {@link Builder#storeMaxWait} after the first); a failed store is retried and the document stays in memory until
 * stored. A document whose load fails is not served (clients are closed with {@link CloseCodes#UNAVAILABLE} and
 * retry) and never written. All work on one document runs on one thread at a time: on the event loop that owns the
 * document (chosen by its name; its y-websocket connections are moved there as they connect, Hocuspocus and collab/1
 * connections, which may open several documents, stay where they were accepted), so that relaying an update costs
 * no hand-off between threads, also in a cluster and with {@link Builder#hooks hooks} (the document hooks, which may
 * block, run on a pool of their own while their document waits), or, as {@link Builder#threads} says, on the
 * document pool; store calls (but for
 * {@link ai.candlefish.collab.spi.InMemoryDocumentStore}'s writes, which never block) and authenticator calls never
 * run there.
 *
 * <p><b>Security.</b> There is no default authenticator: {@link Builder#build()} fails without one, and
 * {@link Authenticator#insecureAllowAll(String)} must be chosen explicitly for development. A client's tenant comes
 * from its principal, never from the URL, so it cannot reach another tenant's documents. Read-only principals get
 * everything but their updates are rejected. Limits guard against clients that send too much, too fast, too large,
 * or read too slowly (see the builder).
 *
 * <p>Thread-safe. The server owns its threads: Netty event loops (native epoll or kqueue when available, NIO otherwise), a
 * document pool (unless the event loops run the documents), a hooks' pool (if they do and there are document hooks),
 * a blocking pool for store and authenticator calls, and a timer; {@link #close()} releases them.
 */
public final class CollabServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollabServer.class);

  private enum State { NEW, STARTED, CLOSED }

  private final ServerConfig config;
  private final SslContext ssl;
  private final ServerMetrics metrics;
  private final ServerObservations observations;
  private final Object lock = new Object();
  private final VersionHistory versions = new VersionHistory(this);
  private State state = State.NEW;
  private ServerRuntime runtime;
  private EventLoopGroup group;
  private Channel serverChannel;
  private BridgeConnector bridgeConnector;
  private CollabBridge bridge;

  private final ServerRuntime.Cluster cluster;
  private final boolean ownPort;
  /** The event loops given to the builder (the server does not shut them down), or null: loops of its own. */
  private final EventLoopGroup sharedLoops;

  private CollabServer(ServerConfig config, SslContext ssl, ServerMetrics metrics, ServerObservations observations,
      ServerRuntime.Cluster cluster, boolean ownPort, EventLoopGroup sharedLoops) {
    this.config = config;
    this.ssl = ssl;
    this.metrics = metrics;
    this.observations = observations;
    this.cluster = cluster;
    this.ownPort = ownPort;
    this.sharedLoops = sharedLoops;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * New event loops of the kind a server runs on (native epoll or kqueue where the host added them, NIO otherwise),
   * to give to {@link Builder#eventLoops} and to a cluster transport's ({@code RedisClusterTransport.Builder
   * .eventLoops}). The caller owns them: shut them down after the server and the transport are closed.
   *
   * @param threads how many threads; 0: one per processor
   * @throws IllegalArgumentException if {@code threads} is negative
   */
  public static EventLoopGroup newEventLoops(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be 0 (one per processor) or more, not " + threads);
    }
    return new MultiThreadIoEventLoopGroup(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
        ServerRuntime.threads("collab-io", false), Transport.best().ioHandlers().get());
  }

  /**
   * Binds the port (unless {@link Builder#ownPort(boolean) ownPort(false)}) and starts serving, on it and through
   * {@link #bridge()}.
   *
   * @return this server
   * @throws IllegalStateException if the server was started before
   * @throws UncheckedIOException if the port cannot be bound
   */
  public CollabServer start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("the server was already started");
      }
      Transport transport = Transport.best();
      EventLoopGroup g = sharedLoops != null ? sharedLoops : newEventLoops(config.ioThreads());
      ServerRuntime rt = new ServerRuntime(config, metrics, observations, cluster, g);
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(g)
          .channel(transport.serverChannel())
          // As many connections as the kernel allows (net.core.somaxconn, 4096 by default since Linux 5.4) may wait
          // to be accepted: after a restart or a network cut every client reconnects within a few seconds, faster
          // than a cold server accepts; with 1024, 2,000 clients overflowed the queue, and each dropped connect waited
          // for the kernel's SYN retries (1, 3, 7, 15 s...): the storm took 49 s (RESULTS.md, "Reconnect storm").
          .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN)
          .handler(new AcceptErrors(rt))
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 256 * 1024))
          // Netty's adaptive sizes and 16 reads per event, with a smaller handle. One read per turn (fairer to a
          // flooder's neighbours) lost connections before their first sync at 10,000-19,500 idle (not understood).
          .childOption(ChannelOption.RECVBUF_ALLOCATOR, new CompactRecvByteBufAllocator(16))
          .childHandler(new CollabServerInitializer(rt, ssl));
      try {
        InetSocketAddress address = config.host() == null ? new InetSocketAddress(config.port())
            : new InetSocketAddress(config.host(), config.port());
        serverChannel = ownPort ? bootstrap.bind(address).sync().channel() : null;
      } catch (Exception e) {
        if (sharedLoops == null) {
          g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
        rt.shutdown(0);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        IOException io2 = e instanceof IOException ioe ? ioe : new IOException(e);
        throw new UncheckedIOException("cannot listen on " + (config.host() == null ? "*" : config.host()) + ":"
            + config.port() + ": " + e.getMessage(), io2);
      }
      runtime = rt;
      group = g;
      state = State.STARTED;
      if (cluster != null) {
        cluster.transport().onRevocation(this::revokedElsewhere);
      }
      if (ownPort) {
        log.info("collab server listening on {} ({}, {})", serverChannel.localAddress(), ssl == null ? "ws" : "wss",
            transport.name());
      } else {
        log.info("collab server serving through the host's web server only (no port of its own)");
      }
      return this;
    }
  }

  /**
   * The port the server listens on (the real one when port 0 was asked for), or -1 if it has no port of its own
   * ({@link Builder#ownPort(boolean) ownPort(false)}).
   *
   * @throws IllegalStateException if the server is not started
   */
  public int port() {
    Channel channel = running().channel;
    return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Serves the same protocols over WebSockets that the host's own web server accepts (one port and one TLS setup for
   * the pages and the collaboration socket); see {@link CollabBridge}.
   *
   * @throws IllegalStateException if the server is not started
   */
  public CollabBridge bridge() {
    synchronized (lock) {
      running();
      if (bridge == null) {
        // Its threads only for a server that is used through it.
        bridgeConnector = new BridgeConnector(runtime, config.ioThreads());
        bridge = new CollabBridge(bridgeConnector);
      }
      return bridge;
    }
  }

  /** Whether this server shares its documents with other nodes ({@link Builder#cluster}). */
  public boolean isClustered() {
    return cluster != null;
  }

  /** Whether this server serves {@code wss://} ({@link Builder#tls}). */
  public boolean isSecure() {
    return ssl != null;
  }

  /** Whether the server is started and not closed. */
  public boolean isRunning() {
    synchronized (lock) {
      return state == State.STARTED;
    }
  }

  /**
   * How many WebSocket connections are open.
   *
   * @throws IllegalStateException if the server is not started
   */
  public int connectionCount() {
    return running().runtime.channels().size();
  }

  /**
   * How many documents are in memory.
   *
   * @throws IllegalStateException if the server is not started
   */
  public int loadedDocumentCount() {
    return running().runtime.registry().size();
  }

  /**
   * Ends every session of principal {@code principalId} of {@code tenant} on this server, on every protocol: its
   * y-websocket and collab/1 connections are closed, its Hocuspocus documents refused (the socket stays for other
   * principals' documents), all with {@link CloseCodes#UNAUTHORIZED} and reason "access revoked"; the
   * {@link AuditLog} hears {@link AuditLog#revoked} and a refusal per session. Other clients are not affected.
   *
   * <p>The revocation is remembered ({@link Builder#revocationMemory}: at least one hour, and until the revoked
   * sessions' tokens expire): tokens of the principal issued before it are refused with 4401 "access revoked" when
   * they come back (a reconnect, a refresh, another document), whatever the authenticator answers. A token issued
   * after ({@link ai.candlefish.collab.spi.Principal#issuedAt()}, a JWT's {@code iat}) is accepted again. A token
   * without an issue time cannot say whether it came before: it is refused while the revocation is remembered (fails
   * closed) and never makes it remembered longer, so such a principal is refused until {@code revocationMemory}'s
   * time to live has passed, or the revoked sessions' tokens have expired if that is later. The memory is not kept
   * across restarts: make the authenticator refuse for good what must stay refused (a deleted user).
   *
   * <p><b>In a {@link Builder#cluster cluster}</b> the revocation reaches every node ({@link
   * ClusterTransport#publishRevocation}): each ends the principal's sessions whose tokens were issued before it,
   * remembers it as this node does, and records its own in its audit log. A node cut off from the transport (Redis
   * down) ends them once it is reconnected, and meanwhile at the latest when their tokens expire; a node started
   * later learns the revocations still remembered.
   *
   * @return a future that completes, once every connection of this node has ended the principal's sessions, with
   *     the number of this node's connections that had any
   * @throws IllegalStateException if the server is not started
   */
  public CompletableFuture<Integer> revoke(String tenant, String principalId) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(principalId, "principalId");
    ServerRuntime rt = running().runtime;
    Revocation revocation = rt.revoked(tenant, principalId);
    if (cluster != null) {
      cluster.transport().publishRevocation(revocation);
    }
    return endSessions(rt, tenant, principalId, null);
  }

  /** Another node of the cluster revoked a principal: its sessions here end too. On the transport's threads. */
  private void revokedElsewhere(Revocation revocation) {
    ServerRuntime rt;
    synchronized (lock) {
      if (state != State.STARTED) {
        return;
      }
      rt = runtime;
    }
    rt.revokedElsewhere(revocation);
    endSessions(rt, revocation.tenant(), revocation.principalId(), revocation.at());
  }

  /** Ends the principal's sessions whose tokens were issued by {@code issuedBy} (all if null) on every connection. */
  private static CompletableFuture<Integer> endSessions(ServerRuntime rt, String tenant, String principalId,
      @Nullable Instant issuedBy) {
    List<CompletableFuture<Boolean>> ended = rt.channels().stream()
        .map(ch -> ch.pipeline().get(SessionHandler.class))
        .filter(Objects::nonNull)
        .map(SessionHandler::connection)
        .filter(Objects::nonNull)
        .map(c -> {
          CompletableFuture<Boolean> f = new CompletableFuture<>();
          c.revoke(tenant, principalId, issuedBy).addListener(r -> f.complete(Boolean.TRUE.equals(r.getNow())));
          return f;
        })
        .toList();
    // The audit log may block: not on the event loop that completes the last future.
    return CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).thenApplyAsync(v -> {
      int connections = (int) ended.stream().filter(CompletableFuture::join).count();
      rt.audit(a -> a.revoked(tenant, principalId, connections));
      return connections;
    }, rt.blockingPool());
  }

  /**
   * Whether this server's sockets would refuse {@code principal} as revoked now: its principal was revoked
   * ({@link #revoke}) after its token was issued ({@link Principal#issuedAt()}; a token without an issue time counts
   * as issued before), and the revocation is still remembered. For the host's own endpoints that authenticate with
   * the same {@link Authenticator} (a REST API beside the socket): refuse such a principal too, or a revoked user
   * keeps what the socket no longer grants.
   *
   * @throws IllegalStateException if the server is not started
   */
  public boolean isRevoked(Principal principal) {
    Objects.requireNonNull(principal, "principal");
    return running().runtime.isRevoked(principal);
  }

  /**
   * Since when the store has been failing: the start of the oldest ongoing failure to store some document's
   * updates (they stay in memory and are retried; their clients' acknowledgements wait, and collab/1 and Hocuspocus
   * clients are told), or empty while every document's writes succeed. A health check reports the server down when
   * this lasts.
   *
   * @throws IllegalStateException if the server is not started
   */
  public Optional<Instant> storeFailingSince() {
    long since = running().runtime.storeFailingSinceMillis();
    return since == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(since));
  }

  /**
   * Opens document {@code key} on the server side, loading it if no client has it open, and completes with a handle
   * once its stored state is in memory. Close the handle when done.
   *
   * @return a future that completes with the handle, or exceptionally with the store's failure to load
   * @throws IllegalStateException if the server is not started or is closing
   */
  public CompletableFuture<DocumentHandle> openDocument(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    ServerRuntime rt = running().runtime;
    SharedDocument document = rt.registry().acquire(key);
    return document.loaded().handle((v, error) -> {
      if (error != null) {
        rt.registry().release(document);
        throw error instanceof CompletionException ce ? ce : new CompletionException(error);
      }
      return new DocumentHandle(document, rt.registry());
    });
  }

  /**
   * Everything held for document {@code key} (a data subject's access request, GDPR article 15): its current state,
   * including what clients sent that is not stored yet, and its saved versions if the store keeps any. Loads the
   * document if it is not in memory. {@code DocumentStore.delete} erases the same data.
   *
   * @return a future that completes with the export, or exceptionally with the store's failure
   * @throws IllegalStateException if the server is not started or is closing
   */
  public CompletableFuture<DocumentExport> export(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    ServerRuntime rt = running().runtime;
    return openDocument(key).thenCompose(handle -> handle.read(Doc::encodeStateAsUpdate)
        .whenComplete((state, e) -> handle.close()))
        .thenApplyAsync(state -> {
          DocumentStore store = rt.config().store();
          List<DocumentExport.Version> versions = new ArrayList<>();
          List<VersionInfo> infos;
          try {
            infos = store.listVersions(key);
          } catch (UnsupportedOperationException keepsNone) {
            infos = List.of();
          }
          for (VersionInfo info : infos) {
            versions.add(new DocumentExport.Version(info, store.loadVersion(key, info.id()).state()));
          }
          return new DocumentExport(key, Instant.now(), state, versions);
        }, rt.blockingPool());
  }

  /**
   * Named versions of this server's documents, kept by its {@link DocumentStore}: save, list, open, compare, restore
   * and prune them (see {@link VersionHistory}).
   */
  public VersionHistory versions() {
    return versions;
  }

  private record Running(ServerRuntime runtime, Channel channel) {}

  private Running running() {
    synchronized (lock) {
      if (state != State.STARTED) {
        throw new IllegalStateException(state == State.NEW ? "the server is not started" : "the server is closed");
      }
      return new Running(runtime, serverChannel);
    }
  }

  /** For tests: the running server's internals. */
  ServerRuntime runtime() {
    return running().runtime;
  }

  /**
   * Stops the server, in this order: stops accepting connections and reading from clients; stores every document
   * (waiting at most the shutdown timeout, then logging what could not be stored); closes every connection with
   * 1001 "going away"; releases every thread. Does nothing if the server is not running.
   */
  @Override
  public void close() {
    BridgeConnector bridged;
    synchronized (lock) {
      if (state != State.STARTED) {
        state = State.CLOSED;
        return;
      }
      state = State.CLOSED;
      bridged = bridgeConnector;
    }
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
    }
    if (bridged != null) {
      bridged.stopAccepting();
    }
    List<Connection> connections = runtime.channels().stream()
        .map(ch -> ch.pipeline().get(SessionHandler.class))
        .filter(Objects::nonNull)
        .map(SessionHandler::connection)
        .filter(Objects::nonNull)
        .toList();
    // Once reading has stopped, every message read is queued on its document ahead of the final store.
    connections.stream().map(Connection::stopReading).toList()
        .forEach(f -> f.awaitUninterruptibly(remainingMillis(deadline)));
    storeAll(deadline);
    connections.forEach(c -> c.close(CloseCodes.GOING_AWAY, "server shutting down"));
    runtime.channels().newCloseFuture().awaitUninterruptibly(remainingMillis(deadline) + 1000);
    runtime.channels().close().awaitUninterruptibly(1000);
    runtime.shutdown(remainingMillis(deadline));
    if (sharedLoops == null) { // event loops given to the builder are their owner's to shut down
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (bridged != null) {
      bridged.close();
    }
    log.info("collab server stopped");
  }

  private void storeAll(long deadline) {
    List<CompletableFuture<DocumentKey>> stored = runtime.registry().close();
    try {
      CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
          .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      long failed = stored.stream().filter(f -> !f.isDone()).count();
      log.error("{} of {} documents could not be stored before the shutdown timeout; their latest changes are lost",
          failed, stored.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long remainingMillis(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  // -------------------------------------------------------------------------------------------------- builder

  /**
   * Configures a {@link CollabServer}. Every setter checks its value at once; {@link #build()} checks the
   * combination. Not thread-safe.
   */
  public static final class Builder {
    private final ServerConfig.Builder config = ServerConfig.newBuilder();
    private ServerRuntime.Cluster cluster;
    private Path tlsCertificateChain;
    private Path tlsPrivateKey;
    private String tlsKeyPassword;
    private SslContext tlsContext;
    private ServerMetrics metrics = ServerMetrics.NONE;
    private ServerObservations observations = ServerObservations.NONE;
    private boolean ownPort = true;
    private EventLoopGroup eventLoops;

    private Builder() {}

    /** The address to bind; default: every interface. */
    public Builder host(@Nullable String host) {
      config.host(host);
      return this;
    }

    /**
     * The port to listen on; 0 picks a free one ({@link CollabServer#port()} tells which). Default 1234, the
     * y-websocket default.
     *
     * @throws IllegalArgumentException if not within 0..65535
     */
    public Builder port(int port) {
      config.port(port);
      return this;
    }

    /**
     * Runs the server on these event loops instead of {@link #threads io threads} of its own, and leaves them running
     * when it closes: their owner shuts them down after {@link CollabServer#close()}. For a cluster node, the same
     * loops given to its Redis client ({@code RedisClusterTransport.Builder.eventLoops}) carry its Redis traffic on
     * the threads that serve its clients, instead of waking threads of their own for every update. Make them with
     * {@link CollabServer#newEventLoops(int)}; nothing on them may block. Default: loops of the server's own.
     *
     * @throws NullPointerException if {@code loops} is null
     * @throws IllegalArgumentException if they are shut down already
     */
    public Builder eventLoops(EventLoopGroup loops) {
      Objects.requireNonNull(loops, "loops");
      if (loops.isShuttingDown()) {
        throw new IllegalArgumentException("the event loops given to eventLoops are shut down; give running ones");
      }
      this.eventLoops = loops;
      return this;
    }

    /**
     * Whether the server listens on a port of its own ({@link #port(int)}); false: it serves only through
     * {@link CollabServer#bridge()}, on the host's web server. Default true.
     */
    public Builder ownPort(boolean ownPort) {
      this.ownPort = ownPort;
      return this;
    }

    /**
     * Serves {@code wss://} with the certificate chain and private key in PEM files (the key in PKCS#8: {@code
     * -----BEGIN PRIVATE KEY-----}; convert a PKCS#1 RSA key with {@code openssl pkcs8 -topk8 -nocrypt}). The files
     * are read by {@link #build()}. Default: plain {@code ws://} (terminate TLS in a proxy, or set this).
     */
    public Builder tls(Path certificateChainPem, Path privateKeyPem) {
      this.tlsCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
      this.tlsPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      this.tlsKeyPassword = null;
      this.tlsContext = null;
      return this;
    }

    /**
     * Serves {@code wss://} with a ready server {@link SslContext}, for key material that is not in PEM files: a
     * {@code KeyStore} or {@code KeyManagerFactory} ({@code SslContextBuilder.forServer(keyManagerFactory).build()}),
     * or Spring Boot's SSL bundles. Replaces {@link #tls(Path, Path)}.
     *
     * @throws IllegalArgumentException if {@code context} is a client context
     */
    public Builder tls(SslContext context) {
      Objects.requireNonNull(context, "context");
      if (context.isClient()) {
        throw new IllegalArgumentException("tls needs a server SslContext (SslContextBuilder.forServer(...)), "
            + "not a client one");
      }
      this.tlsContext = context;
      this.tlsCertificateChain = null;
      this.tlsPrivateKey = null;
      this.tlsKeyPassword = null;
      return this;
    }

    /** As {@link #tls(Path, Path)}, for a private key encrypted with {@code keyPassword}. */
    public Builder tls(Path certificateChainPem, Path privateKeyPem, String keyPassword) {
      tls(certificateChainPem, privateKeyPem);
      this.tlsKeyPassword = Objects.requireNonNull(keyPassword, "keyPassword");
      return this;
    }

    /**
     * Reports the server's metrics to {@code registry} (Micrometer, an optional dependency: add
     * {@code io.micrometer:micrometer-core}). The meters are named {@code collab.*}: connections and documents
     * loaded (gauges), messages received and sent with their bytes (per protocol), update apply time, store time
     * and failures, the store backlog (updates and bytes not stored yet), document load time and failures,
     * authentications by result, refused connections by reason and rejected messages by close
     * code. They are removed when the server closes. Default: none.
     */
    @SuppressWarnings("exports") // micrometer.core is `requires static`, not transitive: hosts without it compile
    public Builder meterRegistry(MeterRegistry registry) {
      this.metrics = new MicrometerMetrics(Objects.requireNonNull(registry, "registry"));
      return this;
    }

    /**
     * Observes the server's work through {@code registry} (Micrometer Observation, an optional dependency that
     * {@code io.micrometer:micrometer-core} brings): {@code collab.server.authenticate}, {@code collab.server.load},
     * {@code collab.server.apply} and {@code collab.server.store}, each with its {@code outcome} (and the
     * connection's {@code protocol} where there is one) as low-cardinality key values and the tenant, document and
     * connection as high-cardinality ones. With tracing on (a Micrometer Tracing bridge), each is a span. Default:
     * none; a no-op registry observes nothing.
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      Objects.requireNonNull(registry, "registry");
      this.observations = registry.isNoop() ? ServerObservations.NONE : new MicrometerObservations(registry);
      return this;
    }

    /**
     * The path below which documents are served: with {@code "/collab"}, document {@code d} is at
     * {@code ws://host:port/collab/d} for y-websocket, and Hocuspocus providers connect to
     * {@code ws://host:port/collab}. Default: none ({@code ws://host:port/d}, as y-websocket's own server).
     *
     * @throws IllegalArgumentException if the prefix has a query, fragment, whitespace or an empty segment
     */
    public Builder pathPrefix(String pathPrefix) {
      config.pathPrefix(pathPrefix);
      return this;
    }

    /** Where documents are loaded from and stored; default: a new {@link InMemoryDocumentStore}. */
    public Builder documentStore(DocumentStore store) {
      config.store(store);
      return this;
    }

    /**
     * Who may connect, and to which documents. Required: there is no default; for development only, pass
     * {@link Authenticator#insecureAllowAll(String)}.
     */
    public Builder authenticator(Authenticator authenticator) {
      config.authenticator(authenticator);
      return this;
    }

    /**
     * Makes this server a node of a cluster whose nodes serve the same documents (any node may serve any document;
     * a load balancer need not route by document). Updates a node stores are published to the others through
     * {@code transport} after their commit and relayed by the others to their clients, never stored twice; the
     * presence of each node's clients reaches the others, and is removed there when a node dies. A document's
     * once-only work (the {@code onChange} and {@code onStore} hooks, and compaction) is done by the node that holds
     * its lease in {@code leases}; nothing calls {@link DocumentStore#replace} in a cluster. The hooks are not
     * fenced: a node paused (a long GC) right after its lease check finishes that one call after another node may
     * have taken the document over, so make their effects idempotent, as a value computed from the document is
     * (compaction is fenced by the database). The store must be the one database every node uses (and {@code
     * leases} kept in it, as collab-jdbc's {@code JdbcDocumentLeases}). The host creates and closes both; close the
     * server first.
     *
     * @throws NullPointerException if either is null
     */
    public Builder cluster(ClusterTransport transport, DocumentLeases leases) {
      this.cluster = new ServerRuntime.Cluster(transport, leases);
      return this;
    }

    /**
     * What the host hears about connections and documents; default: nothing. Hooks may block: a document on an event
     * loop calls its document hooks on a pool of their own (one thread per core) and waits for each, one at a time,
     * while the loop serves the others (see {@link #threads}).
     */
    public Builder hooks(CollabHooks hooks) {
      config.hooks(hooks);
      return this;
    }

    /**
     * As {@link #hooks(CollabHooks)}, several: each call goes to them in this order (a refusal stops the ones after
     * it, a failure of one does not). A document hands a call to the hooks' pool only if one of them implements
     * that hook.
     *
     * @throws NullPointerException if the list or one of its hooks is null
     */
    public Builder hooks(List<? extends CollabHooks> hooks) {
      config.hooks(hooks);
      return this;
    }

    /**
     * The largest message a client may send (a WebSocket message, all fragments together); larger ones close the
     * connection with 1009. Default 16 MiB.
     *
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxMessageSize(int bytes) {
      config.maxMessageSize(bytes);
      return this;
    }

    /**
     * How many documents one connection may have open (for multi-document protocols; a y-websocket connection has
     * one). Default 64.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDocumentsPerConnection(int documents) {
      config.maxDocumentsPerConnection(documents);
      return this;
    }

    /**
     * The message rate of one connection: {@code perSecond} sustained, up to {@code burst} at once. A faster
     * client is slowed down (the server stops reading from it until it is back within the rate), never
     * disconnected, and nothing it sent is lost. Each message is counted as it is decoded, before it is handled:
     * the first one over the rate waits, with everything after it, also within one read. Default 200 per second,
     * burst 1000.
     *
     * @throws IllegalArgumentException if either is below 1
     */
    public Builder messageRate(int perSecond, int burst) {
      config.messageRate(perSecond, burst);
      return this;
    }

    /**
     * How long a client may stay silent: after half of it the server pings, after all of it closes with 1001.
     * y-websocket clients renew their awareness every 15 s. Default 60 s.
     *
     * @throws IllegalArgumentException if shorter than 100 ms
     */
    public Builder idleTimeout(Duration timeout) {
      config.idleTimeout(timeout);
      return this;
    }

    /**
     * How many bytes may wait to be sent to one client before it counts as too slow and is closed with 1013 (the
     * first full state sent to it does not count). Counted as Netty counts its outbound buffer: each waiting message
     * with Netty's overhead for it (96 bytes), so that many small messages count what they cost. Default 16 MiB.
     *
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder outboundBufferLimit(long bytes) {
      config.outboundBufferLimit(bytes);
      return this;
    }

    /**
     * How long what the server writes to a client may wait, so that it goes out in one write with what follows.
     * Zero, the default, flushes at the end of each turn of the connection's event loop: what one turn writes to a
     * client shares a write, and each update is on its way at once. An interval of 1-5 ms makes the messages of that
     * interval share a client's write, and the loop's writes go out back to back, for less CPU per delivered update
     * on a busy server (where every write is a system call and wakes its reader); each message waits up to the
     * interval longer, relayed updates included. Close frames are never held back.
     *
     * @throws IllegalArgumentException if negative or longer than 10 ms
     */
    public Builder flushInterval(Duration interval) {
      config.flushInterval(interval);
      return this;
    }

    /**
     * What a connection may do before the authenticator accepted it: it is closed after {@code timeout} (with
     * {@link CloseCodes#UNAVAILABLE}), or when it sent more than {@code maxMessages} messages or
     * {@code maxBytes} bytes (with 1008). Defaults: 10 s, 512 messages, 1 MiB. A page that opens many documents at
     * once over one Hocuspocus socket sends each one's token, sync step 1 and presence before the first token is
     * answered: the message count must leave room for {@code maxDocumentsPerConnection} documents of that.
     *
     * @throws IllegalArgumentException if the timeout is shorter than 10 ms or a count is negative
     */
    public Builder unauthenticatedLimits(Duration timeout, int maxMessages, long maxBytes) {
      config.unauthenticatedLimits(timeout, maxMessages, maxBytes);
      return this;
    }

    /**
     * How long after a document's last change its changes are stored. Default 2 s. Not in a {@link #cluster
     * cluster}: there every change is stored at once, since the other nodes get it only once it is stored.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder storeDebounce(Duration debounce) {
      config.storeDebounce(debounce);
      return this;
    }

    /**
     * How long after a document's first unstored change its changes are stored at the latest, however busy it is.
     * Default 10 s. A busy document's changes are stored sooner, once 1,024 of them (or 1 MiB) wait, so that no
     * store write has a long batch to merge.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder storeMaxWait(Duration maxWait) {
      config.storeMaxWait(maxWait);
      return this;
    }

    /**
     * The longest pause between retries of a failed store (retries start at 200 ms and double). Default 30 s.
     *
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder storeRetryMax(Duration max) {
      config.storeRetryMax(max);
      return this;
    }

    /**
     * How many updates may pile up in the store for one document before the server replaces them with the whole
     * document in one piece. Default 500. A server on its own also waits until the updates appended since the last
     * whole state weigh as much as that state (encoding a large document costs about what was appended since), but
     * never past eight times this many.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder compactAfterUpdates(int updates) {
      config.compactAfterUpdates(updates);
      return this;
    }

    /**
     * How much memory the updates that wait for the store may hold, per document and for the whole server, before
     * clients' updates are refused. While the store is down (or slower than the edits), every update accepted waits
     * in memory until it is stored, and so does each acknowledgement a client waits for; a failed write waits again
     * merged into one update. Once a document's backlog reaches {@code perDocument}, or all documents' together
     * reach {@code total}, a client's update that would change the document is refused, and its sender closed with
     * {@link CloseCodes#TRY_AGAIN_LATER} (its provider reconnects, reads the document, and sends its edits again
     * with its sync). Nothing accepted before is dropped: it is stored, and acknowledged, when the store is back.
     * Clients that only read are not affected, nor are the host's own edits ({@link DocumentHandle}). The bound is
     * checked before an update is taken: one update (up to {@link #maxMessageSize}) may go beyond it. Defaults
     * 64 MiB per document and, {@code total} 0, a quarter of the heap ({@code -Xmx}).
     *
     * @throws IllegalArgumentException if {@code perDocument} is below 64 KiB, or {@code total} neither 0 nor at
     *     least {@code perDocument}
     */
    public Builder maxUnstoredBytes(long perDocument, long total) {
      config.maxUnstoredBytes(perDocument, total);
      return this;
    }

    /**
     * The deepest nesting of shared types a client's update may create (a root is at depth 0, a map in it at 1).
     * Real editors nest a few dozen levels; Yjs itself accepts any depth, and one 306 KiB update can nest 30,000
     * maps. An update beyond the limit changes nothing and its sender is closed with
     * {@link CloseCodes#NESTING_TOO_DEEP}. Default {@value UpdateLimits#DEFAULT_MAX_DEPTH}.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxNestingDepth(int depth) {
      config.maxNestingDepth(depth);
      return this;
    }

    /**
     * The most memory a loaded document's content may hold, by an estimate from above (within 1.3 times of what it
     * holds; see {@code UpdateLimits.maxDocumentBytes}). What the document holds counts, not the updates it received
     * while loaded: values overwritten and text deleted are collected and free their room, so a document that stays
     * loaded for days while its values are rewritten keeps it. A few bytes on the wire can hold much (a subdocument
     * reference of a dozen bytes ~1.3 KB, a root type ~500 bytes), and so can history: a map value overwritten while
     * other keys are set in between leaves a collected item of ~200 bytes, as in Yjs. A stored document larger than
     * this still loads, and deletions from it are accepted. An update that would go beyond it changes nothing and
     * its sender is closed with {@link CloseCodes#DOCUMENT_TOO_LARGE}. Default 128 MiB.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDocumentBytes(long bytes) {
      config.maxDocumentBytes(bytes);
      return this;
    }

    /**
     * The most bytes of memory per document that may wait for missing dependencies: structs and deletions received
     * before what they refer to, weighed by {@link ai.candlefish.collab.core.Doc#pendingBytes()} (about 100 bytes a
     * struct besides its encoded size). What waits is stored (and acknowledged) like any update, sent to every
     * client that joins, and integrated when the missing updates arrive. An update whose waiting part would go
     * beyond this is refused: what of it integrates is kept, its waiting part is dropped (neither kept nor stored),
     * and its sender is closed with {@link CloseCodes#TOO_MUCH_PENDING} without an acknowledgement; what waited
     * before stays. Default 1 MiB (about 10,000 waiting structs).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxPendingBytes(long bytes) {
      config.maxPendingBytes(bytes);
      return this;
    }

    /**
     * How long a document may have something waiting for missing dependencies before nothing more may wait: after
     * that, an update that would add to it is refused as beyond {@link #maxPendingBytes} (what waits is kept, and
     * updates that integrate are accepted as always). Default 10 minutes.
     *
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder maxPendingAge(Duration age) {
      config.maxPendingAge(age);
      return this;
    }

    /**
     * How long a document stays in memory after its last client left (a reconnecting client finds it there).
     * Default 10 s.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder unloadDelay(Duration delay) {
      config.unloadDelay(delay);
      return this;
    }

    /**
     * Threads: Netty event loops ({@code io}; 0 for the default, one per core), document work
     * ({@code documents}; 0: each document runs on one event loop, chosen by its name, where its y-websocket
     * connections are moved as they connect, which saves a hand-off between threads per message, but then
     * {@link CollabHooks document hooks} run on an event loop too and must not block; unless set, documents run on
     * the event loops and call their hooks on a pool of one thread per core, waiting for each), store and
     * authenticator calls ({@code blocking}; default 16).
     *
     * @throws IllegalArgumentException if {@code io} or {@code documents} is negative or {@code blocking} is below
     *     1
     */
    public Builder threads(int io, int documents, int blocking) {
      config.threads(io, documents, blocking);
      return this;
    }

    /**
     * How long {@link CollabServer#close()} waits for documents to be stored. Default 10 s.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder shutdownTimeout(Duration timeout) {
      config.shutdownTimeout(timeout);
      return this;
    }

    /**
     * Where the server records who connected, opened, wrote and was refused (see {@link AuditLog}; {@link
     * Slf4jAuditLog} writes one log line each). Default: nowhere.
     */
    public Builder auditLog(AuditLog auditLog) {
      config.auditLog(auditLog);
      return this;
    }

    /**
     * The web pages that may open a connection: an upgrade request whose {@code Origin} header (browsers always
     * send one) is not in this list is answered with 403, so that a page on another site cannot use a signed-in
     * user's cookies or URL token (cross-site WebSocket hijacking). Requests without {@code Origin} (servers,
     * native apps, {@code CollabClient}) are not affected. Origins are {@code scheme://host[:port]}, compared
     * without case. Default: empty, every origin is accepted (set it whenever browsers connect).
     *
     * @throws IllegalArgumentException if an origin is not of the form {@code scheme://host[:port]}
     */
    public Builder allowedOrigins(Collection<String> origins) {
      config.allowedOrigins(origins);
      return this;
    }

    /**
     * Also allows the host's own pages: an {@code Origin} whose host is the one the client connected to (its
     * {@code Host} header) and whose port is {@code port.getAsInt()} (read at each upgrade, so a port chosen at
     * start-up works), over http or https. For an application that serves its pages itself on another port of the
     * same host; with it, the origin check is on even if {@link #allowedOrigins} is empty.
     */
    public Builder allowOwnPages(IntSupplier port) {
      config.allowOwnPages(port);
      return this;
    }

    /**
     * How many connections the server holds at once, in total and from one remote address (behind a proxy, the
     * proxy's, unless it is one of the {@link #trustedProxies}). One more is closed at once, before its upgrade is
     * read, and counted in {@code collab.connections.refused}. Defaults: 10,000 in total, 256 per address.
     *
     * @throws IllegalArgumentException if either is below 1
     */
    public Builder connectionLimits(int total, int perAddress) {
      config.connectionLimits(total, perAddress);
      return this;
    }

    /**
     * The reverse proxies in front of the server (load balancers, ingress controllers), as addresses or CIDR
     * ranges: {@code "127.0.0.1"}, {@code "10.0.0.0/8"}, {@code "fd00::/8"}. A connection from one of them is its
     * client's: the rightmost address of its {@code X-Forwarded-For} header that is not itself a trusted proxy
     * (the proxy must set the header, as nginx's {@code proxy_add_x_forwarded_for}, HAProxy's {@code option
     * forwardfor} and cloud load balancers do). That address is counted against the per-address connection limit
     * (one over it is answered with HTTP 503) and is the connection's
     * {@link ai.candlefish.collab.spi.ConnectionInfo#remoteAddress} (port 0). Without the header, the proxy's own
     * address counts. Default: none; never list addresses that clients can
     * connect from directly, or they choose the address they are counted as.
     *
     * @throws IllegalArgumentException if one is neither an address literal nor a CIDR range
     */
    public Builder trustedProxies(Collection<String> ranges) {
      config.trustedProxies(ranges);
      return this;
    }

    /**
     * How long a new connection may take to complete its WebSocket upgrade (the whole HTTP request, however slowly
     * it drips in); then it is closed. Default 10 s.
     *
     * @throws IllegalArgumentException if shorter than 10 ms
     */
    public Builder upgradeTimeout(Duration timeout) {
      config.upgradeTimeout(timeout);
      return this;
    }

    /**
     * How many documents may be in memory at once. A client that opens one more is refused with {@link
     * CloseCodes#SERVER_BUSY} (and retries); host calls to {@link CollabServer#openDocument} fail. Default 10,000.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxLoadedDocuments(int documents) {
      config.maxLoadedDocuments(documents);
      return this;
    }

    /**
     * How fast one connection may open documents: {@code perSecond} sustained, {@code burst} at once; a faster
     * client is slowed down (the first open over the rate waits, and reading from it stops meanwhile). Bounds the
     * store reads a client can
     * cause by churning document names. Defaults 20 per second, burst 64.
     *
     * @throws IllegalArgumentException if either is below 1
     */
    public Builder documentOpenRate(int perSecond, int burst) {
      config.documentOpenRate(perSecond, burst);
      return this;
    }

    /**
     * Authenticator calls run on a pool of their own ({@code threads}, default 4), so that slow token checks never
     * delay stores and acknowledgements; one connection may ask for {@code perSecond} of them sustained and
     * {@code burst} at once (a faster client is slowed down). Defaults 4 threads, 10 per second, burst 64.
     *
     * @throws IllegalArgumentException if a value is below 1
     */
    public Builder authentication(int threads, int perSecond, int burst) {
      config.authentication(threads, perSecond, burst);
      return this;
    }

    /**
     * Presence: the largest awareness state one client may set ({@code maxStateBytes} of JSON; a larger one closes
     * the client with {@link CloseCodes#MESSAGE_TOO_BIG}), and how often a document sends presence changes to its
     * clients: changes within {@code interval} go out as one message with each client's latest state, so a flood
     * of presence updates costs the other clients one message per interval. Defaults 32 KiB, 50 ms.
     *
     * @throws IllegalArgumentException if the size is below 64 bytes or the interval is negative or over 10 s
     *     (clients renew presence every 15 s and drop what is not renewed within 30 s)
     */
    public Builder awarenessLimits(int maxStateBytes, Duration interval) {
      config.awarenessLimits(maxStateBytes, interval);
      return this;
    }

    /**
     * How many people (awareness client ids) one connection may show in one document's presence. A Yjs client has
     * one (a second when Yjs picks a new id after a conflict); each costs every other client of the document a
     * cursor, which y-protocols clients hold and render until it times out. Entries for more ids are ignored, as
     * another principal's are, and ids gone for 30 s are forgotten. Raise it for a client that shows presence on
     * behalf of many (a bridge from another system, a bot, a test). Default 16.
     *
     * @throws IllegalArgumentException if below 1 or above 1,000
     */
    public Builder maxPresenceClients(int perConnection) {
      config.maxPresenceClients(perConnection);
      return this;
    }

    /**
     * How many Yjs client ids new to a document one connection may write under. A Yjs client writes under one (a
     * second after a conflict, a few in a step 2 after edits made offline across page loads); a document imported
     * into a client (an offline copy, one of another system) brings one per past session of it, in one update. The
     * new ids of one update are claimed for the connection's principal in the store in one call
     * ({@code DocumentStore.claimClients}, before the document's acknowledgements; a record kept for good each). An
     * update under more closes its sender with {@link CloseCodes#TOO_MANY_CLIENT_IDS}, nothing of it applied. A sync
     * step 2 (which may carry other users' edits the server lost) claims at most half of them, and its structs under
     * ids beyond are applied without being claimed, so that the client may still write under its own. Default
     * 10,000 (a document edited in a session a day by ten people for three years).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxNewClientIds(int perConnection) {
      config.maxNewClientIds(perConnection);
      return this;
    }

    /**
     * Presence budgets, in awareness updates and bytes per second: what one connection may send
     * ({@code perConnection}, {@code bytesPerConnection}, over all its documents) and what one document applies
     * from all its clients ({@code perDocument}, {@code bytesPerDocument}). Beyond a budget, updates are coalesced
     * instead of queued: held, merged so that each Yjs client's latest state wins, and applied as one when the
     * budget has room again; nobody is closed, and the others see the latest presence a little later. Defaults 30
     * updates and 64 KiB per second per connection, 1,000 updates and 4 MiB per second per document.
     *
     * @throws IllegalArgumentException if a count is below 1 or a byte rate is below 1 KiB
     */
    public Builder awarenessRates(int perConnection, long bytesPerConnection, int perDocument,
        long bytesPerDocument) {
      config.awarenessRates(perConnection, bytesPerConnection, perDocument, bytesPerDocument);
      return this;
    }

    /**
     * How long {@link CollabServer#revoke} remembers a revocation: at least {@code ttl} (and until the revoked
     * sessions' tokens, or a later-refused token issued before the revocation, expire), for at most
     * {@code maxEntries} principals (beyond, the oldest revocation is forgotten first). A token without an issue
     * time is refused while the revocation is remembered, and no longer: set the time to live to the lifetime of your
     * tokens when they carry no expiry or no issue time. Defaults 1 hour, 100,000 principals.
     *
     * @throws IllegalArgumentException if the time to live is shorter than 1 ms or the maximum is below 1
     */
    public Builder revocationMemory(Duration ttl, int maxEntries) {
      config.revocationMemory(ttl, maxEntries);
      return this;
    }

    /**
     * A server with these settings, not started yet.
     *
     * @throws IllegalStateException if no authenticator was set, or storeMaxWait is shorter than storeDebounce
     * @throws IllegalArgumentException if the TLS files cannot be read or do not hold a certificate chain and a
     *     matching private key
     */
    public CollabServer build() {
      return new CollabServer(config.build(), sslContext(), metrics, observations, cluster, ownPort, eventLoops);
    }

    private SslContext sslContext() {
      if (tlsContext != null) {
        return tlsContext;
      }
      if (tlsCertificateChain == null) {
        return null;
      }
      for (Path file : List.of(tlsCertificateChain, tlsPrivateKey)) {
        if (!Files.isReadable(file)) {
          throw new IllegalArgumentException("TLS: cannot read " + file.toAbsolutePath());
        }
      }
      try {
        return SslContextBuilder.forServer(tlsCertificateChain.toFile(), tlsPrivateKey.toFile(), tlsKeyPassword)
            .build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("TLS: " + tlsCertificateChain + " and " + tlsPrivateKey
            + " must hold a PEM certificate chain and its PKCS#8 PEM private key: " + e.getMessage(), e);
      }
    }
  }
}
