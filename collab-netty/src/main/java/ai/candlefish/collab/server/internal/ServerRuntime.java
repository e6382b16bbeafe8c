package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.ClusterTransport;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.Revocation;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What one running server shares between its connections and documents: the settings, the thread pools, the
 * timer, the open documents and the open channels.
 *
 * <ul>
 *   <li>the documents' serial executors (CPU work on {@code Doc}s; never blocks) run on the document pool, or, with
 *       {@link ServerConfig#documentThreads} 0 (the default, with hooks or without), on the event
 *       loops, each document on one loop (its {@link #homeLoop}, where its y-websocket connections are moved too), so
 *       a client's message reaches its document and the document's update reaches the clients on that loop without a
 *       hand-off between threads;
 *   <li>the hooks' pool ({@link ServerConfig#hookThreads}) runs the document hooks of documents on the event loops,
 *       which may block: the document waits for its hook (it runs nothing else meanwhile), its loop serves the
 *       others;
 *   <li>the blocking pool runs store and authenticator calls, which may block;
 *   <li>the timer only hands tasks to the other two (debounces, retries, unloads, awareness timeouts).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ServerRuntime {
  private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);
  /** Token checks that may wait for each authentication thread before more are refused with SERVER_BUSY. */
  static final int QUEUED_AUTHENTICATIONS_PER_THREAD = 1024;
  /** How often each document checks its awareness timeouts: a sixth of the timeout, as before the slices. */
  static final long AWARENESS_CHECK_MILLIS = Awareness.OUTDATED_TIMEOUT_MS / 6;
  /** The check period's slices: the timer checks a fiftieth of the documents every 100 ms. */
  static final int AWARENESS_CHECK_SLICES = 50;

  private final ServerConfig config;
  /** The documents' own threads, or null when documents run on {@link #eventLoops}. */
  private final ExecutorService documentPool;
  /** The server's event loops, which run the documents unless they have a pool of their own; may be null. */
  private final EventLoopGroup eventLoops;
  /** Where documents on {@link #eventLoops} call their document hooks; null if they call them on their own thread. */
  private final ExecutorService hookPool;
  /** The server's event loops in a fixed order, for {@link #homeLoop}; empty without them. */
  private final EventLoop[] loops;
  private final ExecutorService blockingPool;
  private final ExecutorService authenticationPool;
  /** Open connections per remote address (the count of all of them is {@link #connections}). */
  private final ConcurrentHashMap<InetAddress, AtomicInteger> connectionsByAddress = new ConcurrentHashMap<>();
  private final RefusalReports totalRefusals = new RefusalReports(System.nanoTime());
  private final RefusalReports addressRefusals = new RefusalReports(System.nanoTime());
  private final RefusalReports tooBigMessages = new RefusalReports(System.nanoTime());
  private final RefusalReports acceptFailures = new RefusalReports(System.nanoTime());
  private final AtomicInteger connections = new AtomicInteger();
  private final ScheduledThreadPoolExecutor timer;
  private final DocumentRegistry registry;
  private final ChannelGroup channels = new DefaultChannelGroup("collab-connections", GlobalEventExecutor.INSTANCE);
  private final AtomicLong connectionIds = new AtomicLong();
  private final ServerMetrics metrics;
  private final Cluster cluster;
  /** The cluster's leases of every loaded document, watched in one look per period; null on its own. */
  private final LeaseWatch leaseWatch;
  /** The lease holder's compactions in a cluster, one at a time for the whole node (StoreWriter); null on its own. */
  private final CompactionLane compactions;
  /** The documents whose store writes fail, and since when (epoch millis). */
  private final ConcurrentHashMap<DocumentKey, Long> storeFailingSince = new ConcurrentHashMap<>();
  private final Revocations revocations;
  /** Updates applied in memory and not yet stored, and their bytes, over every document. */
  private final AtomicLong unstoredUpdates = new AtomicLong();
  private final AtomicLong unstoredBytes = new AtomicLong();
  private final ServerObservations observations;

  /**
   * The cluster this server is a node of: how updates and presence reach the other nodes, and the document leases.
   *
   * @param transport the other nodes
   * @param leases who does each document's once-only work
   */
  public record Cluster(ClusterTransport transport, DocumentLeases leases) {
    public Cluster {
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(leases, "leases");
    }
  }
  private final HookCalls hooks;

  /** Starts the pools and the timer, reporting no metrics. */
  public ServerRuntime(ServerConfig config) {
    this(config, ServerMetrics.NONE, null);
  }

  /**
   * Starts the pools and the timer; {@code cluster} is null for a server on its own. Documents run on a pool of
   * {@link ServerConfig#documentThreads} threads (at least one).
   */
  public ServerRuntime(ServerConfig config, ServerMetrics metrics, Cluster cluster) {
    this(config, metrics, ServerObservations.NONE, cluster, null);
  }

  /**
   * Starts the pools and the timer; {@code cluster} is null for a server on its own. Documents run on
   * {@code eventLoops} unless {@link ServerConfig#documentThreads} asks for threads of their own (or
   * {@code eventLoops} is null).
   */
  public ServerRuntime(ServerConfig config, ServerMetrics metrics, ServerObservations observations,
      Cluster cluster, EventLoopGroup eventLoops) {
    this.config = config;
    this.metrics = metrics;
    this.observations = observations;
    this.cluster = cluster;
    this.hooks = new HookCalls(config.hooks());
    int documentThreads = config.documentThreads();
    this.eventLoops = documentThreads > 0 ? null : eventLoops;
    List<EventLoop> all = new ArrayList<>();
    if (eventLoops != null) {
      for (EventExecutor loop : eventLoops) {
        if (loop instanceof EventLoop l) {
          all.add(l);
        }
      }
    }
    this.loops = all.toArray(new EventLoop[0]);
    this.documentPool = this.eventLoops != null ? null : pool(Math.max(1, documentThreads), "collab-document");
    int hookThreads = config.hookThreads();
    this.hookPool = this.eventLoops != null && hookThreads > 0 ? pool(hookThreads, "collab-hooks") : null;
    this.blockingPool = pool(config.blockingThreads(), "collab-blocking");
    // Bounded: a flood of token checks is refused (SERVER_BUSY) instead of queueing without end. Deep enough for a
    // reconnect burst (thousands of clients after a deploy or a network blip) to wait its turn, not be refused.
    int authThreads = config.authenticationThreads();
    ThreadPoolExecutor auth = new ThreadPoolExecutor(authThreads, authThreads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUED_AUTHENTICATIONS_PER_THREAD * authThreads),
        threads("collab-auth"));
    auth.allowCoreThreadTimeOut(true);
    this.authenticationPool = auth;
    this.timer = new ScheduledThreadPoolExecutor(1, threads("collab-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.leaseWatch = cluster == null ? null : new LeaseWatch(cluster.leases(), timer, blockingPool);
    this.compactions = cluster == null ? null
        : new CompactionLane(blockingPool, (task, nanos) -> timer.schedule(task, nanos, TimeUnit.NANOSECONDS),
            System::nanoTime);
    this.registry = new DocumentRegistry(this);
    this.revocations = new Revocations(config.revocationTtl(), config.maxRevocations());
    // Each document every AWARENESS_CHECK_MILLIS, a slice of them at a time (see DocumentRegistry).
    long tick = AWARENESS_CHECK_MILLIS / AWARENESS_CHECK_SLICES;
    timer.scheduleWithFixedDelay(() -> registry.checkAwarenessTimeouts(AWARENESS_CHECK_SLICES), tick, tick,
        TimeUnit.MILLISECONDS);
    metrics.bind(this);
  }

  /**
   * Daemon threads named {@code name-...} that start with an empty MDC: a thread inherits its creator's MDC with some
   * adapters (SLF4J's basic one), and a pool thread is created by whichever task first needed it.
   */
  public static ThreadFactory threads(String name) {
    return threads(name, true);
  }

  /** As {@link #threads(String)}; {@code daemon} false keeps the JVM alive while they run (the event loops). */
  public static ThreadFactory threads(String name, boolean daemon) {
    ThreadFactory factory = new DefaultThreadFactory(name, daemon);
    return task -> factory.newThread(() -> {
      MDC.clear();
      task.run();
    });
  }

  private static ExecutorService pool(int threads, String name) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), threads(name));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public ServerConfig config() {
    return config;
  }

  /** The principals the host revoked, as long as they are remembered. */
  Revocations revocations() {
    return revocations;
  }

  /** Whether {@code p}'s token was issued before a revocation of its principal that is still remembered. */
  public boolean isRevoked(Principal p) {
    return revocations.isRevoked(p, Instant.now());
  }

  /**
   * Remembers that the host revoked principal {@code principalId} of {@code tenant} now (before its sessions are
   * ended), so that its tokens issued before are refused from now on; returns the revocation (for the other nodes of
   * a cluster).
   */
  public Revocation revoked(String tenant, String principalId) {
    return revocations.revoke(tenant, principalId, Instant.now());
  }

  /** Remembers a revocation made on another node of the cluster (before this node's sessions are ended). */
  public void revokedElsewhere(Revocation revocation) {
    revocations.remember(revocation, Instant.now());
  }

  /**
   * {@code count} updates were applied in memory (positive) or stored (negative), and what waits for the store holds
   * {@code bytes} more (or less): the updates, merged or not, and the acknowledgements waiting for them.
   */
  void unstored(int count, long bytes) {
    unstoredUpdates.addAndGet(count);
    unstoredBytes.addAndGet(bytes);
  }

  /** Updates applied in memory and not yet stored, over every document. */
  public long unstoredUpdates() {
    return unstoredUpdates.get();
  }

  /**
   * The memory {@link #unstoredUpdates} hold, with the acknowledgements waiting for them, as {@link StoreWriter}
   * weighs them; clients' updates are refused from {@code maxUnstoredBytes} on.
   */
  public long unstoredBytes() {
    return unstoredBytes.get();
  }

  /** Writes of {@code key}'s updates fail (and are retried) from now on. */
  void storeFailed(DocumentKey key) {
    storeFailingSince.putIfAbsent(key, System.currentTimeMillis());
  }

  /** Writes of {@code key}'s updates succeed again. */
  void storeRecovered(DocumentKey key) {
    storeFailingSince.remove(key);
  }

  /** How many documents' store writes fail now. */
  public int documentsFailingToStore() {
    return storeFailingSince.size();
  }

  /** When the oldest ongoing store failure began (epoch millis), or {@link Long#MAX_VALUE} if none is ongoing. */
  public long storeFailingSinceMillis() {
    long oldest = Long.MAX_VALUE;
    for (long since : storeFailingSince.values()) {
      oldest = Math.min(oldest, since);
    }
    return oldest;
  }

  /** The host's hooks, each call isolated and logged on failure. */
  public HookCalls hooks() {
    return hooks;
  }

  /**
   * Where documents call their document hooks, one call at a time per document while it waits; null: on the
   * document's own thread.
   */
  public @Nullable Executor hookPool() {
    return hookPool;
  }

  /**
   * Where a new document named {@code name} runs its serial executor: the documents' pool, or else its
   * {@link #homeLoop}, where its single-document connections are moved at their upgrade.
   */
  public Executor documentExecutor(String name) {
    return documentPool != null ? documentPool : homeLoop(name);
  }

  /**
   * The event loop where the connections of document {@code name} belong (by the name's hash, whatever the tenant).
   * A single-document connection (y-websocket) is moved there at its upgrade ({@code UpgradeRouter}), so that a
   * document's update reaches all those connections in one task of one loop, and, with documents on the event
   * loops, their messages are received, applied and relayed on one thread, with no hand-off and no wake-up.
   *
   * @return the loop, or null if the server has no event loops of its own
   */
  public EventLoop homeLoop(String name) {
    if (loops.length == 0) {
      return null;
    }
    // Spread: names like "doc-1", "doc-2" differ in their low bits only.
    int h = name.hashCode() * 0x9E3779B9;
    return loops[Math.floorMod(h ^ (h >>> 16), loops.length)];
  }

  public ExecutorService blockingPool() {
    return blockingPool;
  }

  /**
   * Where authenticator calls run: a pool of their own, so that slow token checks never delay stores; its queue is
   * bounded ({@link java.util.concurrent.RejectedExecutionException} when full).
   */
  public ExecutorService authenticationPool() {
    return authenticationPool;
  }

  /**
   * Counts a new connection, in total and, unless {@code address} is null, from {@code address}; returns null if it
   * may stay, or the reason it must not ({@code "connections"}, {@code "address"}), in which case nothing is
   * counted. A counted connection must be given back with {@link #connectionClosed} and the same address.
   */
  public String connectionOpened(@Nullable InetAddress address) {
    if (connections.incrementAndGet() > config.maxConnections()) {
      connections.decrementAndGet();
      long report = totalRefusals.refused(System.nanoTime());
      if (report > 0) {
        log.warn("refused {} over the limit of {} connections in total; raise it with connectionLimits"
            + " (candlefish.collab.limits.max-connections), and the process's open-file limit with it",
            connections(report), config.maxConnections());
      }
      return "connections";
    }
    if (address != null && !addressOpened(address)) {
      connections.decrementAndGet();
      return "address";
    }
    return null;
  }

  /**
   * Counts a connection already counted in total (with a null address) against {@code address}'s limit; false if
   * it is over it (then nothing is counted). Given back with {@link #addressClosed}.
   */
  public boolean addressOpened(InetAddress address) {
    AtomicInteger fromAddress = connectionsByAddress.computeIfAbsent(address, a -> new AtomicInteger());
    if (fromAddress.incrementAndGet() > config.maxConnectionsPerAddress()) {
      addressClosed(address);
      long report = addressRefusals.refused(System.nanoTime());
      if (report > 0) {
        log.warn("refused {} over the limit of {} connections per address (the latest from {}); behind a reverse"
            + " proxy or load balancer list it in trustedProxies (candlefish.collab.trusted-proxies), otherwise raise"
            + " the limit with connectionLimits (candlefish.collab.limits.max-connections-per-address)",
            connections(report), config.maxConnectionsPerAddress(), address.getHostAddress());
      }
      return false;
    }
    return true;
  }

  /**
   * A client sent a message over {@code maxMessageSize} and is closed with 1009: logged at WARN, the first at once and
   * then at most once a minute, naming the setting. Such a client is a user whose large paste, import or offline
   * change cannot be saved (and whose editor retries it on every reconnect): only the operator can help, and a 1009
   * counted in a metric said nothing to them.
   */
  public void messageTooBig() {
    long report = tooBigMessages.refused(System.nanoTime());
    if (report > 0) {
      log.warn("closed {} that sent a message over the limit of {} bytes (1009); its update is not applied, and "
          + "its editor sends it again on every reconnect: raise maxMessageSize"
          + " (candlefish.collab.limits.max-message-size) if clients are to send updates that large",
          connections(report), config.maxMessageSize());
    }
  }

  /**
   * The listening socket could not accept a connection ({@code cause}: mostly the process's open-file limit, reached
   * under a connection flood): logged at WARN, the first at once and then at most once a minute with how many, naming
   * what to change. Netty logged each, with a stack trace: a flood of connections became a flood of log lines.
   */
  public void acceptFailed(Throwable cause) {
    long report = acceptFailures.refused(System.nanoTime());
    if (report > 0) {
      log.warn("could not accept {} ({}); accepting pauses a second after each, the open ones are served: if the "
          + "process is out of file descriptors, raise its open-file limit (ulimit -n, systemd's LimitNOFILE) above "
          + "connectionLimits (candlefish.collab.limits.max-connections, now {}) or lower that", connections(report),
          cause.toString(), config.maxConnections());
    }
  }

  private static String connections(long count) {
    return count == 1 ? "a connection" : count + " connections";
  }

  /** Gives back a connection that {@link #connectionOpened} counted. */
  public void connectionClosed(@Nullable InetAddress address) {
    connections.decrementAndGet();
    if (address != null) {
      addressClosed(address);
    }
  }

  /** Gives back what {@link #addressOpened} counted. */
  public void addressClosed(InetAddress address) {
    connectionsByAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  public ScheduledExecutorService timer() {
    return timer;
  }

  /** The cluster this server is a node of, or null. */
  public Cluster cluster() {
    return cluster;
  }

  /** The watcher of the loaded documents' leases, or null for a server on its own. */
  LeaseWatch leaseWatch() {
    return leaseWatch;
  }

  /**
   * Where a cluster node's compactions run, one at a time with a rest after each (on the blocking pool); null for a
   * server on its own.
   */
  CompactionLane compactions() {
    return compactions;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  public ServerObservations observations() {
    return observations;
  }

  public DocumentRegistry registry() {
    return registry;
  }

  public ChannelGroup channels() {
    return channels;
  }

  public long nextConnectionId() {
    return connectionIds.incrementAndGet();
  }

  /**
   * Rethrows {@code failure} if the process cannot go on after it: a {@link VirtualMachineError} other than a
   * {@link StackOverflowError} (which leaves the thread usable once unwound). Anything else the caller contains.
   */
  public static void rethrowIfFatal(Throwable failure) {
    if (failure instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
      throw fatal;
    }
  }

  /** Records an audit event, logging what the audit log throws (it must not break the server). */
  public void audit(Consumer<AuditLog> call) {
    try {
      call.accept(config.auditLog());
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.warn("the audit log threw; ignored", e);
    }
  }

  /** Stops the timer and the pools, waiting at most {@code millis} for running tasks. */
  public void shutdown(long millis) {
    metrics.close();
    timer.shutdownNow();
    List<ExecutorService> pools = new ArrayList<>();
    if (documentPool != null) {
      pools.add(documentPool);
    }
    if (hookPool != null) {
      pools.add(hookPool);
    }
    pools.add(blockingPool);
    pools.forEach(ExecutorService::shutdown);
    authenticationPool.shutdownNow();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      for (ExecutorService pool : pools) {
        pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pools.forEach(ExecutorService::shutdownNow);
  }
}
