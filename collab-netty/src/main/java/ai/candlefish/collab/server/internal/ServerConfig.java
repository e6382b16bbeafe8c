package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Every setting of a server. Immutable; built by {@link #newBuilder()}, whose setters check each value at once and
 * whose {@link Builder#build()} checks the combination (the shape of Netty's {@code WebSocketDecoderConfig}).
 *
 * <p>{@code CollabServer.Builder} is the public entry and documents each setting and its default; it hands its
 * values to this builder, so that a value is checked, and its default kept, in one place. Tests build a config
 * directly and set only what they exercise: {@code ServerConfig.newBuilder().authenticator(a).storeDebounce(d)
 * .build()}.
 */
public final class ServerConfig {
  private final String host;
  private final int port;
  private final String pathPrefix;
  private final DocumentStore store;
  private final Authenticator authenticator;
  /** Called in this order; empty: none. */
  private final List<CollabHooks> hooks;
  private final int maxMessageSize;
  private final int maxDocumentsPerConnection;
  private final int messagesPerSecond;
  private final int messageBurst;
  private final Duration idleTimeout;
  private final long outboundBufferLimit;
  private final Duration flushInterval;
  private final Duration authenticationTimeout;
  private final int maxUnauthenticatedMessages;
  private final long maxUnauthenticatedBytes;
  private final Duration storeDebounce;
  private final Duration storeMaxWait;
  private final Duration storeRetryMax;
  private final int compactAfterUpdates;
  private final long maxUnstoredBytesPerDocument;
  /** 0: a quarter of the heap ({@link #maxUnstoredBytes()}). */
  private final long maxUnstoredBytes;
  private final UpdateLimits updateLimits;
  private final Duration maxPendingAge;
  private final Duration unloadDelay;
  private final int ioThreads;
  private final int documentThreads;
  private final int blockingThreads;
  private final Duration shutdownTimeout;
  private final AuditLog auditLog;
  private final Set<String> allowedOrigins;
  private final IntSupplier pagePort;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final TrustedProxies trustedProxies;
  private final Duration upgradeTimeout;
  private final int maxLoadedDocuments;
  private final int documentOpensPerSecond;
  private final int documentOpenBurst;
  private final int authenticationThreads;
  private final int authenticationsPerSecond;
  private final int authenticationBurst;
  private final int maxAwarenessStateBytes;
  private final Duration awarenessInterval;
  private final Duration revocationTtl;
  private final int awarenessPerConnection;
  private final long awarenessBytesPerConnection;
  private final int awarenessPerDocument;
  private final long awarenessBytesPerDocument;
  private final int maxRevocations;
  private final int maxPresenceClients;
  private final int maxNewClientIds;
  // The rates of every connection's and document's token buckets (a bucket is a long, see RateLimiter).
  final RateLimiter messageRate;
  final RateLimiter authenticationRate;
  final RateLimiter openRate;
  final AwarenessCoalescer.Budget connectionAwareness;
  final AwarenessCoalescer.Budget documentAwareness;

  private ServerConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.pathPrefix = b.pathPrefix;
    this.store = b.store == null ? new InMemoryDocumentStore() : b.store;
    this.authenticator = b.authenticator;
    this.hooks = b.hooks;
    this.maxMessageSize = b.maxMessageSize;
    this.maxDocumentsPerConnection = b.maxDocumentsPerConnection;
    this.messagesPerSecond = b.messagesPerSecond;
    this.messageBurst = b.messageBurst;
    this.idleTimeout = b.idleTimeout;
    this.outboundBufferLimit = b.outboundBufferLimit;
    this.flushInterval = b.flushInterval;
    this.authenticationTimeout = b.authenticationTimeout;
    this.maxUnauthenticatedMessages = b.maxUnauthenticatedMessages;
    this.maxUnauthenticatedBytes = b.maxUnauthenticatedBytes;
    this.storeDebounce = b.storeDebounce;
    this.storeMaxWait = b.storeMaxWait;
    this.storeRetryMax = b.storeRetryMax;
    this.compactAfterUpdates = b.compactAfterUpdates;
    this.maxUnstoredBytesPerDocument = b.maxUnstoredBytesPerDocument;
    this.maxUnstoredBytes = b.maxUnstoredBytes;
    this.updateLimits = b.updateLimits.build();
    this.maxPendingAge = b.maxPendingAge;
    this.unloadDelay = b.unloadDelay;
    this.ioThreads = b.ioThreads;
    this.documentThreads = b.documentThreads;
    this.blockingThreads = b.blockingThreads;
    this.shutdownTimeout = b.shutdownTimeout;
    this.auditLog = b.auditLog;
    this.allowedOrigins = b.allowedOrigins;
    this.pagePort = b.pagePort;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.trustedProxies = b.trustedProxies;
    this.upgradeTimeout = b.upgradeTimeout;
    this.maxLoadedDocuments = b.maxLoadedDocuments;
    this.documentOpensPerSecond = b.documentOpensPerSecond;
    this.documentOpenBurst = b.documentOpenBurst;
    this.authenticationThreads = b.authenticationThreads;
    this.authenticationsPerSecond = b.authenticationsPerSecond;
    this.authenticationBurst = b.authenticationBurst;
    this.maxAwarenessStateBytes = b.maxAwarenessStateBytes;
    this.awarenessInterval = b.awarenessInterval;
    this.revocationTtl = b.revocationTtl;
    this.awarenessPerConnection = b.awarenessPerConnection;
    this.awarenessBytesPerConnection = b.awarenessBytesPerConnection;
    this.awarenessPerDocument = b.awarenessPerDocument;
    this.awarenessBytesPerDocument = b.awarenessBytesPerDocument;
    this.maxRevocations = b.maxRevocations;
    this.maxPresenceClients = b.maxPresenceClients;
    this.maxNewClientIds = b.maxNewClientIds;
    this.messageRate = new RateLimiter(messagesPerSecond, messageBurst);
    this.authenticationRate = new RateLimiter(authenticationsPerSecond, authenticationBurst);
    this.openRate = new RateLimiter(documentOpensPerSecond, documentOpenBurst);
    this.connectionAwareness = new AwarenessCoalescer.Budget(awarenessPerConnection, awarenessBytesPerConnection,
        4L * maxAwarenessStateBytes);
    this.documentAwareness = new AwarenessCoalescer.Budget(awarenessPerDocument, awarenessBytesPerDocument,
        4L * maxAwarenessStateBytes);
  }

  /** A builder with the defaults documented on {@code CollabServer.Builder}. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The address to bind, or null for every interface. */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** "" or a path starting with "/" and not ending with "/". */
  public String pathPrefix() {
    return pathPrefix;
  }

  public DocumentStore store() {
    return store;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /** The host's hooks, called in this order; empty without any. */
  public List<CollabHooks> hooks() {
    return hooks;
  }

  public int maxMessageSize() {
    return maxMessageSize;
  }

  public int maxDocumentsPerConnection() {
    return maxDocumentsPerConnection;
  }

  public int messagesPerSecond() {
    return messagesPerSecond;
  }

  public int messageBurst() {
    return messageBurst;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public long outboundBufferLimit() {
    return outboundBufferLimit;
  }

  /** How long what is written to a client may wait to be flushed with what follows; zero: the end of the turn. */
  public Duration flushInterval() {
    return flushInterval;
  }

  public Duration authenticationTimeout() {
    return authenticationTimeout;
  }

  public int maxUnauthenticatedMessages() {
    return maxUnauthenticatedMessages;
  }

  public long maxUnauthenticatedBytes() {
    return maxUnauthenticatedBytes;
  }

  public Duration storeDebounce() {
    return storeDebounce;
  }

  public Duration storeMaxWait() {
    return storeMaxWait;
  }

  public Duration storeRetryMax() {
    return storeRetryMax;
  }

  public int compactAfterUpdates() {
    return compactAfterUpdates;
  }

  /** How much one document's updates not yet stored may hold in memory before its clients' updates are refused. */
  public long maxUnstoredBytesPerDocument() {
    return maxUnstoredBytesPerDocument;
  }

  /**
   * How much the updates not yet stored of all documents may hold in memory before clients' updates are refused: as
   * set, or a quarter of the heap ({@link Runtime#maxMemory()}).
   */
  public long maxUnstoredBytes() {
    return maxUnstoredBytes > 0 ? maxUnstoredBytes : Runtime.getRuntime().maxMemory() / 4;
  }

  /** The shape limits every client update is checked against before it is integrated. */
  public UpdateLimits updateLimits() {
    return updateLimits;
  }

  /** How long a document's structs may wait for missing dependencies before nothing more may wait. */
  public Duration maxPendingAge() {
    return maxPendingAge;
  }

  public Duration unloadDelay() {
    return unloadDelay;
  }

  /**
   * Netty event loops: as set, or one per core (0). Not Netty's default of twice the cores: the loops never block
   * (store and authenticator calls have pools of their own), so more loops than cores only split each broadcast into
   * more tasks and each loop's work into more wake-ups (benchmarks/RESULTS.md, "Server CPU, round 5").
   */
  public int ioThreads() {
    return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
  }

  /**
   * The document pool's threads; 0: each document runs on the event loop that owns it. Unless set ({@link
   * Builder#threads}): 0, on its own or in a cluster (a cluster document's store, lease and claim calls run on its
   * store lane, and what it hands the transport only queues: benchmarks/RESULTS.md, "Cluster, round 15"), with hooks
   * too: their calls, which may block, run on a pool of their own ({@link #hookThreads}).
   */
  public int documentThreads() {
    return Math.max(documentThreads, 0);
  }

  /**
   * The hooks' pool's threads, where documents on the event loops call their document hooks (which may block)
   * while the document waits, one call at a time per document, and the event loop serves the others: one per core
   * when the document threads are not set and a hook implements a document hook; else 0, and a document calls its
   * hooks on its own thread (an event loop too if {@link Builder#threads} says 0 document threads, as documented
   * there).
   */
  public int hookThreads() {
    if (documentThreads >= 0 || !new HookCalls(hooks).wantsDocumentHooks()) {
      return 0;
    }
    return Runtime.getRuntime().availableProcessors();
  }

  public int blockingThreads() {
    return blockingThreads;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  public AuditLog auditLog() {
    return auditLog;
  }

  public Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** The port of the host's own pages (their origins are allowed on the host the client connects to), or null. */
  public IntSupplier pagePort() {
    return pagePort;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** The reverse proxies whose {@code X-Forwarded-For} names a connection's client. */
  public TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  public Duration upgradeTimeout() {
    return upgradeTimeout;
  }

  public int maxLoadedDocuments() {
    return maxLoadedDocuments;
  }

  public int documentOpensPerSecond() {
    return documentOpensPerSecond;
  }

  public int documentOpenBurst() {
    return documentOpenBurst;
  }

  public int authenticationThreads() {
    return authenticationThreads;
  }

  public int authenticationsPerSecond() {
    return authenticationsPerSecond;
  }

  public int authenticationBurst() {
    return authenticationBurst;
  }

  public int maxAwarenessStateBytes() {
    return maxAwarenessStateBytes;
  }

  public Duration awarenessInterval() {
    return awarenessInterval;
  }

  /** How many awareness client ids one connection may hold presence for in one document (beyond: ignored). */
  public int maxPresenceClients() {
    return maxPresenceClients;
  }

  /** How many Yjs client ids new to a document one connection may write under (beyond: refused). */
  public int maxNewClientIds() {
    return maxNewClientIds;
  }

  /** Awareness updates one connection may send per second (beyond: coalesced). */
  public int awarenessPerConnection() {
    return awarenessPerConnection;
  }

  /** Awareness bytes one connection may send per second (beyond: coalesced). */
  public long awarenessBytesPerConnection() {
    return awarenessBytesPerConnection;
  }

  /** Awareness updates one document applies per second from all its clients (beyond: coalesced). */
  public int awarenessPerDocument() {
    return awarenessPerDocument;
  }

  /** Awareness bytes one document applies per second from all its clients (beyond: coalesced). */
  public long awarenessBytesPerDocument() {
    return awarenessBytesPerDocument;
  }

  /** How long a revocation is remembered at least. */
  public Duration revocationTtl() {
    return revocationTtl;
  }

  /** How many revocations are remembered at most (the oldest are forgotten first). */
  public int maxRevocations() {
    return maxRevocations;
  }

  /**
   * Builds a {@link ServerConfig}. Each setter checks its value and names it when it is bad; the meaning and the
   * default of each are documented on the {@code CollabServer.Builder} setter of the same name. Not thread-safe.
   */
  public static final class Builder {
    private String host;
    private int port = 1234;
    private String pathPrefix = "";
    private DocumentStore store;
    private Authenticator authenticator;
    private List<CollabHooks> hooks = List.of();
    private int maxMessageSize = 16 * 1024 * 1024;
    private int maxDocumentsPerConnection = 64;
    private int messagesPerSecond = 200;
    private int messageBurst = 1000;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private long outboundBufferLimit = 16L * 1024 * 1024;
    private Duration flushInterval = Duration.ZERO;
    private Duration authenticationTimeout = Duration.ofSeconds(10);
    private int maxUnauthenticatedMessages = 512;
    private long maxUnauthenticatedBytes = 1024 * 1024;
    private Duration storeDebounce = Duration.ofSeconds(2);
    private Duration storeMaxWait = Duration.ofSeconds(10);
    private Duration storeRetryMax = Duration.ofSeconds(30);
    private int compactAfterUpdates = 500;
    private long maxUnstoredBytesPerDocument = 64L * 1024 * 1024;
    private long maxUnstoredBytes;
    private UpdateLimits.Builder updateLimits = UpdateLimits.newBuilder();
    private Duration maxPendingAge = Duration.ofMinutes(10);
    private Duration unloadDelay = Duration.ofSeconds(10);
    private int ioThreads;
    /** -1 until set: {@link ServerConfig#documentThreads()} decides. */
    private int documentThreads = -1;
    private int blockingThreads = 16;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private AuditLog auditLog = AuditLog.NONE;
    private Set<String> allowedOrigins = Set.of();
    private IntSupplier pagePort;
    private int maxConnections = 10_000;
    private int maxConnectionsPerAddress = 256;
    private TrustedProxies trustedProxies = TrustedProxies.NONE;
    private Duration upgradeTimeout = Duration.ofSeconds(10);
    private int maxLoadedDocuments = 10_000;
    private int documentOpensPerSecond = 20;
    private int documentOpenBurst = 64;
    private int authenticationThreads = 4;
    private int authenticationsPerSecond = 10;
    private int authenticationBurst = 64;
    private int maxAwarenessStateBytes = 32 * 1024;
    private Duration awarenessInterval = Duration.ofMillis(50);
    private Duration revocationTtl = Duration.ofHours(1);
    private int awarenessPerConnection = 30;
    private long awarenessBytesPerConnection = 64 * 1024;
    private int awarenessPerDocument = 1000;
    private long awarenessBytesPerDocument = 4 * 1024 * 1024;
    private int maxRevocations = 100_000;
    private int maxPresenceClients = 16;
    private int maxNewClientIds = 10_000;

    private Builder() {}

    private Builder(ServerConfig c) {
      host = c.host;
      port = c.port;
      pathPrefix = c.pathPrefix;
      store = c.store;
      authenticator = c.authenticator;
      hooks = c.hooks;
      maxMessageSize = c.maxMessageSize;
      maxDocumentsPerConnection = c.maxDocumentsPerConnection;
      messagesPerSecond = c.messagesPerSecond;
      messageBurst = c.messageBurst;
      idleTimeout = c.idleTimeout;
      outboundBufferLimit = c.outboundBufferLimit;
      flushInterval = c.flushInterval;
      authenticationTimeout = c.authenticationTimeout;
      maxUnauthenticatedMessages = c.maxUnauthenticatedMessages;
      maxUnauthenticatedBytes = c.maxUnauthenticatedBytes;
      storeDebounce = c.storeDebounce;
      storeMaxWait = c.storeMaxWait;
      storeRetryMax = c.storeRetryMax;
      compactAfterUpdates = c.compactAfterUpdates;
      maxUnstoredBytesPerDocument = c.maxUnstoredBytesPerDocument;
      maxUnstoredBytes = c.maxUnstoredBytes;
      updateLimits = c.updateLimits.toBuilder();
      maxPendingAge = c.maxPendingAge;
      unloadDelay = c.unloadDelay;
      ioThreads = c.ioThreads;
      documentThreads = c.documentThreads;
      blockingThreads = c.blockingThreads;
      shutdownTimeout = c.shutdownTimeout;
      auditLog = c.auditLog;
      allowedOrigins = c.allowedOrigins;
      pagePort = c.pagePort;
      maxConnections = c.maxConnections;
      maxConnectionsPerAddress = c.maxConnectionsPerAddress;
      trustedProxies = c.trustedProxies;
      upgradeTimeout = c.upgradeTimeout;
      maxLoadedDocuments = c.maxLoadedDocuments;
      documentOpensPerSecond = c.documentOpensPerSecond;
      documentOpenBurst = c.documentOpenBurst;
      authenticationThreads = c.authenticationThreads;
      authenticationsPerSecond = c.authenticationsPerSecond;
      authenticationBurst = c.authenticationBurst;
      maxAwarenessStateBytes = c.maxAwarenessStateBytes;
      awarenessInterval = c.awarenessInterval;
      revocationTtl = c.revocationTtl;
      awarenessPerConnection = c.awarenessPerConnection;
      awarenessBytesPerConnection = c.awarenessBytesPerConnection;
      awarenessPerDocument = c.awarenessPerDocument;
      awarenessBytesPerDocument = c.awarenessBytesPerDocument;
      maxRevocations = c.maxRevocations;
      maxPresenceClients = c.maxPresenceClients;
      maxNewClientIds = c.maxNewClientIds;
    }

    /** @throws NullPointerException if {@code host} is null */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** @throws IllegalArgumentException if not within 0..65535 */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within 0..65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Normalises {@code "collab/"} to {@code "/collab"}.
     *
     * @throws IllegalArgumentException if the prefix has a query, fragment, whitespace or an empty segment
     */
    public Builder pathPrefix(String pathPrefix) {
      Objects.requireNonNull(pathPrefix, "pathPrefix");
      String p = pathPrefix.startsWith("/") ? pathPrefix : "/" + pathPrefix;
      while (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (p.contains("//") || p.chars().anyMatch(c -> c == '?' || c == '#' || Character.isWhitespace(c))) {
        throw new IllegalArgumentException("pathPrefix must be a plain path like /collab but was " + pathPrefix);
      }
      this.pathPrefix = p;
      return this;
    }

    /** Default: a new {@link InMemoryDocumentStore} per config built. */
    public Builder store(DocumentStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Required. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    public Builder hooks(CollabHooks hooks) {
      this.hooks = Objects.requireNonNull(hooks, "hooks") == CollabHooks.NONE ? List.of() : List.of(hooks);
      return this;
    }

    /** @throws NullPointerException if the list or one of its hooks is null */
    public Builder hooks(List<? extends CollabHooks> hooks) {
      Objects.requireNonNull(hooks, "hooks");
      for (int i = 0; i < hooks.size(); i++) {
        Objects.requireNonNull(hooks.get(i), "hooks[" + i + "]");
      }
      this.hooks = List.copyOf(hooks);
      return this;
    }

    /** @throws IllegalArgumentException if below 1 KiB */
    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = (int) atLeast("maxMessageSize", bytes, 1024);
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder maxDocumentsPerConnection(int documents) {
      this.maxDocumentsPerConnection = (int) atLeast("maxDocumentsPerConnection", documents, 1);
      return this;
    }

    /** @throws IllegalArgumentException if either is below 1 */
    public Builder messageRate(int perSecond, int burst) {
      if (perSecond < 1 || burst < 1) {
        throw new IllegalArgumentException("messageRate must be at least 1/s with a burst of at least 1 but was "
            + perSecond + "/s, burst " + burst);
      }
      this.messagesPerSecond = perSecond;
      this.messageBurst = burst;
      return this;
    }

    /** @throws IllegalArgumentException if shorter than 100 ms */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeast("idleTimeout", timeout, Duration.ofMillis(100));
      return this;
    }

    /** @throws IllegalArgumentException if below 1 KiB */
    public Builder outboundBufferLimit(long bytes) {
      this.outboundBufferLimit = atLeast("outboundBufferLimit", bytes, 1024);
      return this;
    }

    /** @throws IllegalArgumentException if negative or longer than {@link #MAX_FLUSH_INTERVAL} */
    public Builder flushInterval(Duration interval) {
      atLeast("flushInterval", interval, Duration.ZERO);
      if (interval.compareTo(MAX_FLUSH_INTERVAL) > 0) {
        throw new IllegalArgumentException("flushInterval must be at most " + MAX_FLUSH_INTERVAL.toMillis()
            + " ms (every message to a client waits up to this long; 1-5 ms already coalesces) but was "
            + interval);
      }
      this.flushInterval = interval;
      return this;
    }

    /** The longest {@link #flushInterval}: each relayed update waits up to this long, against a 50 ms relay. */
    public static final Duration MAX_FLUSH_INTERVAL = Duration.ofMillis(10);

    /** @throws IllegalArgumentException if the timeout is shorter than 10 ms or a count is negative */
    public Builder unauthenticatedLimits(Duration timeout, int maxMessages, long maxBytes) {
      Duration t = atLeast("authentication timeout", timeout, Duration.ofMillis(10));
      if (maxMessages < 0 || maxBytes < 0) {
        throw new IllegalArgumentException("unauthenticated limits must not be negative but were " + maxMessages
            + " messages, " + maxBytes + " bytes");
      }
      this.authenticationTimeout = t;
      this.maxUnauthenticatedMessages = maxMessages;
      this.maxUnauthenticatedBytes = maxBytes;
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder storeDebounce(Duration debounce) {
      this.storeDebounce = atLeast("storeDebounce", debounce, Duration.ZERO);
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder storeMaxWait(Duration maxWait) {
      this.storeMaxWait = atLeast("storeMaxWait", maxWait, Duration.ZERO);
      return this;
    }

    /** @throws IllegalArgumentException if shorter than 1 ms */
    public Builder storeRetryMax(Duration max) {
      this.storeRetryMax = atLeast("storeRetryMax", max, Duration.ofMillis(1));
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder compactAfterUpdates(int updates) {
      this.compactAfterUpdates = (int) atLeast("compactAfterUpdates", updates, 1);
      return this;
    }

    /**
     * {@code total} 0 means a quarter of the heap.
     *
     * @throws IllegalArgumentException if {@code perDocument} is below 64 KiB, or {@code total} neither 0 nor at
     *     least {@code perDocument}
     */
    public Builder maxUnstoredBytes(long perDocument, long total) {
      atLeast("maxUnstoredBytes per document", perDocument, 64 * 1024);
      if (total != 0 && total < perDocument) {
        throw new IllegalArgumentException("maxUnstoredBytes total must be 0 (a quarter of the heap) or at least the "
            + "per-document bound (" + perDocument + ") but was " + total);
      }
      this.maxUnstoredBytesPerDocument = perDocument;
      this.maxUnstoredBytes = total;
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder maxNestingDepth(int depth) {
      updateLimits.maxDepth((int) atLeast("maxNestingDepth", depth, 1));
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder maxDocumentBytes(long bytes) {
      updateLimits.maxDocumentBytes(bytes);
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder maxPendingBytes(long bytes) {
      updateLimits.maxPendingBytes(bytes);
      return this;
    }

    /** @throws IllegalArgumentException if shorter than 1 ms */
    public Builder maxPendingAge(Duration age) {
      this.maxPendingAge = atLeast("maxPendingAge", age, Duration.ofMillis(1));
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder unloadDelay(Duration delay) {
      this.unloadDelay = atLeast("unloadDelay", delay, Duration.ZERO);
      return this;
    }

    /** @throws IllegalArgumentException if {@code io} or {@code documents} is negative or {@code blocking} below 1 */
    public Builder threads(int io, int documents, int blocking) {
      if (io < 0 || documents < 0 || blocking < 1) {
        throw new IllegalArgumentException("threads must be io >= 0, documents >= 0, blocking >= 1 but were " + io
            + ", " + documents + ", " + blocking);
      }
      this.ioThreads = io;
      this.documentThreads = documents;
      this.blockingThreads = blocking;
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = atLeast("shutdownTimeout", timeout, Duration.ZERO);
      return this;
    }

    public Builder auditLog(AuditLog auditLog) {
      this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
      return this;
    }

    /**
     * Keeps origins as {@code scheme://host[:port]}, lower case, without a trailing slash.
     *
     * @throws IllegalArgumentException if an origin is not of that form
     */
    public Builder allowedOrigins(Collection<String> origins) {
      Set<String> normalized = new LinkedHashSet<>();
      for (String origin : Objects.requireNonNull(origins, "origins")) {
        Objects.requireNonNull(origin, "an origin");
        String o = origin.strip().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) {
          o = o.substring(0, o.length() - 1);
        }
        if (!o.matches("[a-z][a-z0-9+.-]*://[^/?#\\s]+")) {
          throw new IllegalArgumentException("allowedOrigins must be origins like https://app.example.com (scheme, "
              + "host, optional port; no path) but one was '" + origin + "'");
        }
        normalized.add(o);
      }
      this.allowedOrigins = Set.copyOf(normalized);
      return this;
    }

    public Builder allowOwnPages(IntSupplier port) {
      this.pagePort = Objects.requireNonNull(port, "port");
      return this;
    }

    /** @throws IllegalArgumentException if either is below 1 */
    public Builder connectionLimits(int total, int perAddress) {
      this.maxConnections = (int) atLeast("maxConnections", total, 1);
      this.maxConnectionsPerAddress = (int) atLeast("maxConnectionsPerAddress", perAddress, 1);
      return this;
    }

    /** @throws IllegalArgumentException if a range is neither an address nor a CIDR range */
    public Builder trustedProxies(Collection<String> ranges) {
      this.trustedProxies = TrustedProxies.of(ranges);
      return this;
    }

    /** @throws IllegalArgumentException if shorter than 10 ms */
    public Builder upgradeTimeout(Duration timeout) {
      this.upgradeTimeout = atLeast("upgradeTimeout", timeout, Duration.ofMillis(10));
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder maxLoadedDocuments(int documents) {
      this.maxLoadedDocuments = (int) atLeast("maxLoadedDocuments", documents, 1);
      return this;
    }

    /** @throws IllegalArgumentException if either is below 1 */
    public Builder documentOpenRate(int perSecond, int burst) {
      this.documentOpensPerSecond = (int) atLeast("documentOpenRate per second", perSecond, 1);
      this.documentOpenBurst = (int) atLeast("documentOpenRate burst", burst, 1);
      return this;
    }

    /** @throws IllegalArgumentException if a value is below 1 */
    public Builder authentication(int threads, int perSecond, int burst) {
      this.authenticationThreads = (int) atLeast("authentication threads", threads, 1);
      this.authenticationsPerSecond = (int) atLeast("authentications per second", perSecond, 1);
      this.authenticationBurst = (int) atLeast("authentication burst", burst, 1);
      return this;
    }

    /** @throws IllegalArgumentException if the size is below 64 bytes or the interval negative or over 10 s */
    public Builder awarenessLimits(int maxStateBytes, Duration interval) {
      this.maxAwarenessStateBytes = (int) atLeast("maxAwarenessStateBytes", maxStateBytes, 64);
      atLeast("awareness interval", interval, Duration.ZERO);
      if (interval.compareTo(MAX_AWARENESS_INTERVAL) > 0) {
        // Clients renew their presence every 15 s, drop a peer's not renewed within 30 s, and a y-websocket provider
        // alone in a document hears only its own renewals echoed: one that hears nothing for 30 s reconnects.
        throw new IllegalArgumentException("awareness interval must be at most " + MAX_AWARENESS_INTERVAL.toSeconds()
            + " s (presence is renewed every 15 s and dropped after 30 s without news) but was " + interval);
      }
      this.awarenessInterval = interval;
      return this;
    }

    /** @throws IllegalArgumentException if below 1 or above {@link #MAX_PRESENCE_CLIENTS} */
    public Builder maxPresenceClients(int perConnection) {
      atLeast("maxPresenceClients", perConnection, 1);
      if (perConnection > MAX_PRESENCE_CLIENTS) {
        throw new IllegalArgumentException("maxPresenceClients must be at most " + MAX_PRESENCE_CLIENTS
            + " (each is a cursor in every other client of the document) but was " + perConnection);
      }
      this.maxPresenceClients = perConnection;
      return this;
    }

    /** @throws IllegalArgumentException if below 1 */
    public Builder maxNewClientIds(int perConnection) {
      this.maxNewClientIds = (int) atLeast("maxNewClientIds", perConnection, 1);
      return this;
    }

    /** The most {@link #maxPresenceClients} may be: a document's presence budget lets ~1,000 updates a second in. */
    public static final int MAX_PRESENCE_CLIENTS = 1000;

    /** @throws IllegalArgumentException if a count is below 1 or a byte rate below 1 KiB */
    public Builder awarenessRates(int perConnection, long bytesPerConnection, int perDocument,
        long bytesPerDocument) {
      this.awarenessPerConnection = (int) atLeast("awareness updates per second per connection", perConnection, 1);
      this.awarenessBytesPerConnection = atLeast("awareness bytes per second per connection", bytesPerConnection,
          1024);
      this.awarenessPerDocument = (int) atLeast("awareness updates per second per document", perDocument, 1);
      this.awarenessBytesPerDocument = atLeast("awareness bytes per second per document", bytesPerDocument, 1024);
      return this;
    }

    /** @throws IllegalArgumentException if the time to live is shorter than 1 ms or the maximum below 1 */
    public Builder revocationMemory(Duration ttl, int maxEntries) {
      this.revocationTtl = atLeast("revocation ttl", ttl, Duration.ofMillis(1));
      this.maxRevocations = (int) atLeast("maxRevocations", maxEntries, 1);
      return this;
    }

    private static long atLeast(String name, long value, long min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
      }
      return value;
    }

    /** The longest awareness interval: well below y-protocols' 15 s renewal and 30 s timeout. */
    static final Duration MAX_AWARENESS_INTERVAL = Duration.ofSeconds(10);

    private static Duration atLeast(String name, Duration value, Duration min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
      }
      return value;
    }

    /**
     * The config.
     *
     * @throws IllegalStateException if no authenticator was set, or storeMaxWait is shorter than storeDebounce
     */
    public ServerConfig build() {
      if (authenticator == null) {
        throw new IllegalStateException("no authenticator: set authenticator(...), or for development only "
            + "authenticator(Authenticator.insecureAllowAll(tenant))");
      }
      if (storeMaxWait.compareTo(storeDebounce) < 0) {
        throw new IllegalStateException("storeMaxWait (" + storeMaxWait + ") must not be shorter than storeDebounce ("
            + storeDebounce + ")");
      }
      return new ServerConfig(this);
    }
  }
}
