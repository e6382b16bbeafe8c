package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.ClusterDocument;
import ai.candlefish.collab.spi.ClusterListener;
import ai.candlefish.collab.spi.ClusterTransport;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Revocation;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterTransport} on Redis (Lettuce): the nodes of a cluster that serve the same documents exchange
 * updates through one Redis Stream per document and presence through pub/sub.
 *
 * <pre>{@code
 * RedisClusterTransport cluster = RedisClusterTransport.newBuilder("redis://redis:6379").build();
 * // given to the server, which joins each document it loads and publishes what it has stored
 * }</pre>
 *
 * <h2>Redis carries copies, PostgreSQL decides</h2>
 *
 * The store of record (PostgreSQL through collab-jdbc) holds every acknowledged update; Redis only carries copies of
 * them between nodes, and may lose them at any time without losing data. Hence the order on the node that accepts
 * an update: <em>store, commit, acknowledge, publish</em>. Everything else follows from making sure that a node that
 * may have missed a copy goes back to the store.
 *
 * <p><b>Fan-out.</b> A stored update is appended to the document's stream {@code <prefix>s:<doc>} with {@code XADD
 * ... MAXLEN ~ n} (bounded: a stream is a window, not a log), by a Lua script that also increments the document's
 * counter {@code <prefix>q:<doc>} and writes its value into the entry: entries carry a gapless sequence per
 * document, which streams' ids (time-based) do not. The same script publishes a copy of the entry on the
 * document's channel, to which every node with the document open is subscribed: that copy is how a node normally
 * gets an entry, at once and without asking. The stream is the sure way: one reader per node ({@link StreamReader})
 * reads it with a non-blocking {@code XREAD} on a connection of its own, naming only the streams that need it (a
 * document just started, a copy that skipped a sequence number, all of them once a second as a safety net).
 * Entries written by this node are skipped (no loops); the others are handed to the server as remote updates,
 * which it relays to its clients and never stores or publishes.
 *
 * <p><b>No gaps.</b> {@link #join} reads the document's last entry id and counter (atomically, one script)
 * <em>before</em> the server loads the document from the store; reading resumes from there. Everything published
 * before that position was committed before the load began; everything after it is read; the overlap is applied
 * twice, which changes nothing. Then, for every entry: a sequence number at or below the last one seen is a
 * duplicate; one more than it is next; anything else means entries were trimmed away before this node read them
 * (a lagging node), or Redis lost its data (a restart without persistence resets the counters). In those cases, and
 * whenever a connection to Redis breaks (this node cannot know what was published meanwhile), the document is
 * <em>resynced</em>: a new position is noted first, then the server reloads from the store and applies what it
 * loaded, which sends its clients exactly what they lack. A node that dies may have stored (and acknowledged) an
 * update that it never published: when another node stops hearing its heartbeat, every node resyncs its open
 * documents, and so has that update within the node timeout. A publish that fails (Redis unreachable) marks the
 * document; once Redis answers again the node appends a <em>reload</em> entry to the stream, so that nodes whose
 * own connection never broke (a partition of one node) also go back to the store.
 *
 * <p><b>Presence.</b> Awareness changes go over pub/sub ({@code <prefix>a:<doc>}), never stored: coalesced per
 * document and client over {@link Builder#awarenessInterval} (the latest state of each client wins). A node that
 * joins a document asks the others for their clients' states. Every node publishes a heartbeat on {@code
 * <prefix>nodes}; a node not heard from for {@link Builder#nodeTimeout} is gone, and its clients' presence is
 * removed on every other node (and at once when it says goodbye on a clean close), instead of after y-protocols' 30
 * s timeout ({@link PresenceRelay}).
 *
 * <p><b>Revocations.</b> A principal revoked on one node ({@code CollabServer.revoke}) is revoked on every node: sent
 * over pub/sub at once, and kept in Redis for as long as the revoking node remembers it, so that a node that was cut
 * off from Redis, or started later, learns it within a heartbeat of reaching Redis ({@link RevocationRelay}).
 *
 * <p><b>What Redis does not do here.</b> It decides nothing: no locks (document ownership for once-only work is a
 * fenced lease in the database, {@code ai.candlefish.collab.spi.DocumentLeases}), no store of record, no
 * acknowledgement waits for it. When Redis is down, each node keeps serving and acknowledging its own clients; when
 * it returns, every node resyncs its documents from the store.
 *
 * <p>Thread-safe. Threads: the stream reader, one scheduler (heartbeats, presence flushes, retries), and Lettuce's
 * own I/O threads, on which pub/sub messages arrive. Listeners are called on the reader thread (updates read from
 * the streams or queued, resyncs) and on Lettuce's threads (presence, and the copies of updates that find the reader
 * idle), one update at a time; they must hand work off quickly.
 */
public final class RedisClusterTransport implements ClusterTransport {
  private static final Logger log = LoggerFactory.getLogger(RedisClusterTransport.class);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_:.{}-]{0,64}");
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String nodeId;
  private final Keys keys;
  private final RedisClient client;
  private final ClientResources resources;
  private final StatefulRedisConnection<String, byte[]> commands;
  /**
   * The stream scripts' connection: keys as bytes, encoded once per document, where the String codec encoded both
   * keys of every publish into new buffers (three bytes per character, for UTF-8).
   */
  private final StatefulRedisConnection<byte[], byte[]> streams;
  private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private final Map<DocumentKey, JoinedDocument> documents = new ConcurrentHashMap<>();
  private final StreamScripts scripts;
  private volatile StreamReader reader;
  private final PresenceRelay presence;
  private final RevocationRelay revocations;
  private final ScheduledExecutorService scheduler;
  /** The largest update copied into a stream entry; a larger one is published as a reload entry. */
  private final int maxEntryBytes;
  private static final byte[] NO_DATA = new byte[0];
  private volatile boolean closed;

  private RedisClusterTransport(Builder b) {
    this.nodeId = b.nodeId;
    this.maxEntryBytes = b.maxEntryBytes;
    this.keys = new Keys(b.keyPrefix);
    DefaultClientResources.Builder lettuce = DefaultClientResources.builder().computationThreadPoolSize(1);
    this.resources = (b.eventLoops == null ? lettuce.ioThreadPoolSize(2)
        : lettuce.eventLoopGroupProvider(new SharedEventLoops(b.eventLoops))).build();
    this.client = RedisClient.create(resources, b.uri);
    this.client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        StreamReader r = reader;
        if (r != null && !closed) {
          r.connectionLost(); // whatever was published meanwhile may never reach this node
        }
      }
    });
    client.setOptions(ClientOptions.builder()
        // RESP2, not Lettuce's default RESP3: with RESP3 every pub/sub message (a copy of each stream entry, on every
        // node) comes as a push frame that Lettuce decodes twice, first into copied ByteBuffers (PushOutput) and then
        // into the message; that was 22 % of a cluster node's allocation in the 2-node relay. Nothing here needs
        // RESP3 (no client-side caching, no push notifications).
        .protocolVersion(ProtocolVersion.RESP2)
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(b.commandTimeout))
        .build());
    try {
      this.commands = client.connect(CODEC);
      this.streams = client.connect(ByteArrayCodec.INSTANCE);
      this.pubSub = client.connectPubSub(CODEC);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new IllegalStateException("could not connect to Redis at " + b.uri.toURI().getHost() + ":"
          + b.uri.getPort() + " (" + e.getMessage() + "); check that it runs and that the URI is right", e);
    }
    this.scripts = new StreamScripts(streams, nodeId, b.streamMaxLength, b.streamTtl);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "collab-redis-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    this.reader = new StreamReader(client, nodeId, scripts, documents, b.scanInterval, b.commandTimeout,
        b.maxQueuedCopies);
    this.presence = new PresenceRelay(nodeId, keys, commands, pubSub, documents, b.nodeTimeout, this::nodeLost,
        reader);
    this.revocations = new RevocationRelay(nodeId, keys, commands, pubSub);
    reader.start();
    long hb = b.heartbeatInterval.toMillis();
    scheduler.scheduleWithFixedDelay(this::tick, 0, hb, TimeUnit.MILLISECONDS);
    long aw = b.awarenessInterval.toMillis();
    scheduler.scheduleWithFixedDelay(presence::flush, aw, aw, TimeUnit.MILLISECONDS);
  }

  /**
   * A builder of a transport on the Redis at {@code uri} ({@code redis://host:port}, {@code rediss://} for TLS, with
   * user and password in the URI if needed).
   *
   * @throws NullPointerException if {@code uri} is null
   * @throws IllegalArgumentException if it is not a Redis URI
   */
  public static Builder newBuilder(String uri) {
    Objects.requireNonNull(uri, "uri");
    return new Builder(RedisURI.create(uri));
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public ClusterDocument join(DocumentKey key, ClusterListener listener) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      throw new IllegalStateException("the cluster transport of node " + nodeId + " is closed; cannot join " + key);
    }
    JoinedDocument doc = new JoinedDocument(this, key, keys.stream(key), keys.awareness(key), listener);
    if (documents.putIfAbsent(key, doc) != null) {
      throw new IllegalStateException("document " + key + " is joined already on node " + nodeId
          + "; close its ClusterDocument first");
    }
    reader.add(doc);
    try {
      doc.position(scripts.position(doc.streamBytes, doc.counterBytes));
    } catch (RuntimeException e) {
      log.warn("node {}: Redis unreachable while joining {}; it is resynced from the store when Redis is back",
          nodeId, key);
      doc.markStale();
    }
    presence.joined(doc);
    return doc;
  }

  /** The nodes heard from within the node timeout (this one included). */
  public List<String> liveNodes() {
    return presence.liveNodes();
  }

  /** Whether the stream reader's last command to Redis succeeded. */
  public boolean isConnected() {
    return reader.isConnected();
  }

  /**
   * Publishes a stored update; called by {@link JoinedDocument}. One larger than {@link Builder#maxEntryBytes} goes as
   * a reload entry instead: the other nodes read it from the store, which has it already. A client may send updates
   * of up to the server's message size (16 MiB): six of those, copied into the stream and to every subscriber, kept
   * Redis busy past the command timeout, and every node lost the others' heartbeats (their clients' presence
   * removed) and resynced every open document.
   */
  void publishUpdate(JoinedDocument doc, byte[] update) {
    if (closed) {
      return;
    }
    boolean large = update.length > maxEntryBytes;
    if (large) {
      log.debug("node {}: an update of {} has {} bytes; the other nodes reload it from the store", nodeId, doc.key(),
          update.length);
    }
    scripts.publish(doc.streamBytes, doc.counterBytes, doc.channelBytes,
        large ? StreamScripts.RELOAD : StreamScripts.UPDATE, large ? NO_DATA : update).whenComplete((id, e) -> {
      if (e != null) {
        if (doc.markPublishFailed()) {
          log.warn("node {}: could not publish an update of {} to Redis ({}); the other nodes reload it from the"
              + " store once Redis is back", nodeId, doc.key(), e.toString());
        }
      }
    });
  }

  @Override
  public void publishRevocation(Revocation revocation) {
    Objects.requireNonNull(revocation, "revocation");
    if (!closed) {
      revocations.publish(revocation);
    }
  }

  @Override
  public void onRevocation(Consumer<Revocation> listener) {
    Objects.requireNonNull(listener, "listener");
    revocations.listen(listener);
    scheduler.execute(this::readRevocations); // what Redis remembers, before the first heartbeat
  }

  void publishAwareness(JoinedDocument doc, byte[] update) {
    presence.local(doc, update);
  }

  Keys keys() {
    return keys;
  }

  /** A document was marked stale: the reader resyncs it on its next round. */
  void staleMarked() {
    StreamReader r = reader;
    if (r != null) {
      r.staleMarked();
    }
  }

  void started(JoinedDocument doc) {
    reader.readWanted(doc);
  }

  void left(JoinedDocument doc) {
    documents.remove(doc.key(), doc);
    reader.remove(doc);
    presence.left(doc);
  }

  /** Heartbeat, node sweep, reload markers for failed publishes. On the scheduler. */
  private void tick() {
    if (closed) {
      return;
    }
    try {
      presence.heartbeat();
      for (JoinedDocument doc : documents.values()) {
        if (doc.publishFailed()) {
          scripts.publish(doc.streamBytes, doc.counterBytes, doc.channelBytes, StreamScripts.RELOAD, new byte[0])
              .get(5, TimeUnit.SECONDS);
          doc.clearPublishFailed();
          log.info("node {}: Redis is back; asked the other nodes to reload {} from the store", nodeId, doc.key());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("node {}: cluster tick failed (Redis unreachable?)", nodeId, e);
    }
    readRevocations();
  }

  /** Sends the revocations Redis did not take, and reads those this node may have missed. On the scheduler. */
  private void readRevocations() {
    if (closed) {
      return;
    }
    try {
      revocations.tick();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("node {}: could not exchange revocations (Redis unreachable?)", nodeId, e);
    }
  }

  @Override
  public void close() {
    shutdown(true);
  }

  /**
   * Another node stopped answering without a goodbye. It may have died after storing an update and before publishing
   * it (its client got the acknowledgement): only the store has that update now, so every open document is resynced
   * from it. On the scheduler.
   */
  private void nodeLost() {
    for (JoinedDocument doc : documents.values()) {
      doc.markStale();
    }
    reader.wake();
  }

  /** Stops as a killed process would: no goodbye, no more heartbeats (for tests of a dead node). */
  void crashForTests() {
    shutdown(false);
  }

  private void shutdown(boolean goodbye) {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    reader.close();
    if (goodbye) {
      presence.goodbye();
    }
    documents.clear();
    pubSub.close();
    commands.close();
    streams.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "RedisClusterTransport[" + nodeId + "]";
  }

  /** Settings of a {@link RedisClusterTransport}; each setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private final RedisURI uri;
    private String nodeId = UUID.randomUUID().toString();
    private String keyPrefix = "collab:";
    private long streamMaxLength = 1000;
    private Duration streamTtl = Duration.ofDays(1);
    private Duration awarenessInterval = Duration.ofMillis(50);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration nodeTimeout = Duration.ofSeconds(3);
    private Duration commandTimeout = Duration.ofSeconds(5);
    private Duration scanInterval = Duration.ofSeconds(1);
    private int maxQueuedCopies = 10_000;
    private int maxEntryBytes = 1024 * 1024;
    private EventLoopGroup eventLoops;

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * This node's id (default a random UUID); use the same id as the node's {@code DocumentLeases}.
     *
     * @throws IllegalArgumentException if it is empty or longer than 128 characters
     */
    public Builder nodeId(String nodeId) {
      Objects.requireNonNull(nodeId, "nodeId");
      if (nodeId.isEmpty() || nodeId.length() > 128) {
        throw new IllegalArgumentException("nodeId must have 1 to 128 characters but has " + nodeId.length());
      }
      this.nodeId = nodeId;
      return this;
    }

    /**
     * The prefix of every Redis key and channel (default {@code collab:}): up to 64 letters, digits and {@code
     * _:.{}-}. Clusters with different prefixes on one Redis do not hear each other.
     *
     * @throws IllegalArgumentException if it has other characters or is too long
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException("keyPrefix must match " + PREFIX.pattern() + " but is '" + prefix + "'");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * About how many entries a document's stream keeps ({@code XADD MAXLEN ~}, default 1000). A node that falls
     * further behind reloads the document from the store.
     *
     * @throws IllegalArgumentException if it is less than 10
     */
    public Builder streamMaxLength(long entries) {
      if (entries < 10) {
        throw new IllegalArgumentException("streamMaxLength must be at least 10 but is " + entries);
      }
      this.streamMaxLength = entries;
      return this;
    }

    /**
     * How long a document's stream lives after its last update (default 1 day); idle documents cost Redis nothing
     * afterwards.
     *
     * @throws IllegalArgumentException if it is shorter than a minute
     */
    public Builder streamTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toSeconds() < 60) {
        throw new IllegalArgumentException("streamTtl must be at least 60 s but is " + ttl.toMillis() + " ms");
      }
      this.streamTtl = ttl;
      return this;
    }

    /**
     * Presence changes of a document are coalesced over this period before they are published (default 50 ms).
     *
     * @throws IllegalArgumentException if it is not between 1 ms and 1 s
     */
    public Builder awarenessInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 1 || interval.toMillis() > 1000) {
        throw new IllegalArgumentException("awarenessInterval must be 1 to 1000 ms but is " + interval.toMillis()
            + " ms");
      }
      this.awarenessInterval = interval;
      return this;
    }

    /**
     * How often this node says it is alive (default 1 s), and how long the other nodes wait for it before they
     * remove its clients' presence (default 3 s).
     *
     * @throws IllegalArgumentException if the interval is under 10 ms or the timeout is not above twice it
     */
    public Builder heartbeat(Duration interval, Duration nodeTimeout) {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(nodeTimeout, "nodeTimeout");
      if (interval.toMillis() < 10) {
        throw new IllegalArgumentException("heartbeat interval must be at least 10 ms but is "
            + interval.toMillis() + " ms");
      }
      if (nodeTimeout.compareTo(interval.multipliedBy(2)) <= 0) {
        throw new IllegalArgumentException("nodeTimeout (" + nodeTimeout.toMillis() + " ms) must be more than"
            + " twice the heartbeat interval (" + interval.toMillis() + " ms)");
      }
      this.heartbeatInterval = interval;
      this.nodeTimeout = nodeTimeout;
      return this;
    }

    /**
     * The largest update copied through Redis (default 1 MiB). A larger one is published as a reload entry: the other
     * nodes read the document from the store instead (which costs each a load of the document, and spares Redis,
     * every node's connection and reader copies of up to the server's largest message).
     *
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxEntryBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxEntryBytes must be at least 1024 but is " + bytes);
      }
      this.maxEntryBytes = bytes;
      return this;
    }

    /**
     * Runs this transport's Redis connections on these event loops instead of I/O threads of their own, and leaves
     * them running when it closes. Give it the loops given to the server ({@code CollabServer.Builder.eventLoops}):
     * then the copies of other nodes' updates, the replies to publishes and this node's own copies are read by the
     * threads that serve the node's clients, which are awake for them anyway, instead of waking two threads of
     * Lettuce's for every update (in a 2-node relay a third of a node's thread switches). Make them with {@code
     * CollabServer.newEventLoops}. Default: Lettuce's own two I/O threads.
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

    /** How many copies of entries may wait for the reader; beyond, the streams are read instead (for tests). */
    Builder maxQueuedCopies(int copies) {
      this.maxQueuedCopies = copies;
      return this;
    }

    /**
     * Connects to Redis and starts the reader and the heartbeat.
     *
     * @throws IllegalStateException if Redis cannot be reached now (later outages are survived)
     */
    public RedisClusterTransport build() {
      return new RedisClusterTransport(this);
    }
  }
}
