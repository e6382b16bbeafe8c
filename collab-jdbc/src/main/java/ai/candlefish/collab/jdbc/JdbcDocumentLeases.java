package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.LeaseLostException;
import ai.candlefish.collab.spi.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DocumentLeases} in the same database as a {@link JdbcDocumentStore}: which node of a cluster does a
 * document's once-only work, with a fencing epoch that the store checks in the transaction of every owner write.
 *
 * <pre>{@code
 * JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
 * JdbcDocumentLeases leases = JdbcDocumentLeases.newBuilder(store).ttl(Duration.ofSeconds(10)).build();
 * DocumentLease lease = leases.tryAcquire(key);      // null: another live node owns it
 * if (lease != null) {
 *   leases.compact(lease, doc.encodeStateAsUpdate()); // LeaseLostException once another node took it over
 * }
 * }</pre>
 *
 * <p><b>Tables</b> (created by the store, schema version 2): {@code <prefix>nodes} has one row per node with the
 * time its heartbeat expires, in milliseconds of the <em>database's</em> clock ({@code CURRENT_TIMESTAMP}), so that
 * the nodes' own clocks never matter. {@code <prefix>leases} has one row per document ever leased: its owner (null
 * once released) and its epoch.
 *
 * <p><b>Acquiring</b> reads the lease row joined with its owner's heartbeat. No row: insert one with epoch 1 (a
 * concurrent insert of the same document fails on the primary key, and the loser reads again). Owned by this node:
 * the lease as it is. Released, or the owner's heartbeat expired: take it over with {@code UPDATE ... SET owner = me,
 * epoch = epoch + 1 WHERE doc = ? AND epoch = <read>}, a compare-and-set, so of two nodes taking over at once exactly
 * one wins and the other reads again (and sees a live owner). Otherwise: null.
 *
 * <p><b>Fencing.</b> {@link #compact} locks the lease row ({@code SELECT ... FOR UPDATE}) and compares owner and
 * epoch before it reads the document's rows, in one transaction with the write. A take-over's compare-and-set
 * waits for that lock, so it comes either before the check (which then refuses) or after the commit: a node that
 * was paused past its lease, comes back and writes, is refused with {@link LeaseLostException}.
 *
 * <p><b>Heartbeat.</b> A thread of its own renews this node's row every {@code heartbeatInterval} (default a third
 * of the TTL): one write per node and period, whatever the number of documents. A failed heartbeat is logged and
 * tried again at the next period; the leases expire if it keeps failing.
 *
 * <p><b>Trust without asking</b> ({@link #isTrusted}): a renewal that succeeded keeps this node's leases valid in
 * the database until at least {@code ttl} after it was <em>sent</em>, by this node's monotonic clock. A renewal that
 * completes later than that has left a gap in which another node may have taken a document over: every lease
 * granted before it is no longer trusted until granted again. So a node that could not reach the database for
 * longer than its TTL, or was paused that long, does no unfenced once-only work under a stale epoch.
 *
 * <p>Thread-safe. Every method blocks on the database; none runs on the caller's thread's interrupt-sensitive I/O:
 * the SQL runs on the store's own threads.
 */
public final class JdbcDocumentLeases implements DocumentLeases {
  private static final Logger log = LoggerFactory.getLogger(JdbcDocumentLeases.class);
  /** The longest node id. */
  public static final int MAX_NODE_ID_LENGTH = 128;

  private final JdbcDocumentStore store;
  private final DataSource dataSource;
  private final Tables tables;
  private final String nodeId;
  private final Duration ttl;
  private final ScheduledExecutorService heartbeats;
  private final String selectLease;
  private final String lockLease;
  /** Guards {@link #liveUntilNanos}, {@link #lapses} and {@link #trusted}. */
  private final Object trust = new Object();
  /** Until when (System.nanoTime) the database surely holds this node's heartbeat as live. */
  private long liveUntilNanos = System.nanoTime();
  /** How many times the heartbeat lapsed. */
  private long lapses;
  /** The epoch of each document whose lease was granted since the heartbeat last lapsed. */
  private final Map<DocumentKey, Long> trusted = new HashMap<>();

  private JdbcDocumentLeases(Builder b) {
    this.store = b.store;
    this.dataSource = store.dataSource();
    this.tables = store.tables();
    this.nodeId = b.nodeId;
    this.ttl = b.ttl;
    this.selectLease = "SELECT l.owner, l.epoch, n.expires_ms, " + Tables.NOW_MS + " FROM " + tables.leasesTable
        + " l LEFT JOIN " + tables.nodesTable + " n ON n.node_id = l.owner WHERE l.doc = ?";
    this.lockLease = "SELECT owner, epoch FROM " + tables.leasesTable + " WHERE doc = ? FOR UPDATE";
    heartbeat();
    Duration every = b.heartbeatInterval == null ? ttl.dividedBy(3) : b.heartbeatInterval;
    if (every.isZero()) {
      heartbeats = null;
    } else {
      heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "collab-jdbc-heartbeat-" + nodeId);
        t.setDaemon(true);
        return t;
      });
      heartbeats.scheduleWithFixedDelay(this::heartbeatQuietly, every.toMillis(), every.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A builder of leases kept in {@code store}'s database, with its table prefix.
   *
   * @throws NullPointerException if {@code store} is null
   */
  public static Builder newBuilder(JdbcDocumentStore store) {
    return new Builder(Objects.requireNonNull(store, "store"));
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Duration ttl() {
    return ttl;
  }

  @Override
  public void heartbeat() {
    long sent = System.nanoTime();
    renew();
    synchronized (trust) {
      if (System.nanoTime() - liveUntilNanos > 0) {
        // Renewed after it had expired: another node may have taken any document over meanwhile.
        lapses++;
        trusted.clear();
      }
      if (sent + ttl.toNanos() - liveUntilNanos > 0) {
        liveUntilNanos = sent + ttl.toNanos();
      }
    }
  }

  private void renew() {
    DocumentKey none = DocumentKey.of("-", "heartbeat of " + nodeId);
    store.onIoThread(none, "renew the heartbeat of node " + nodeId + " for", () -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (PreparedStatement up = c.prepareStatement("UPDATE " + tables.nodesTable + " SET expires_ms = "
            + Tables.NOW_MS + " + ? WHERE node_id = ?")) {
          up.setLong(1, ttl.toMillis());
          up.setString(2, nodeId);
          if (up.executeUpdate() == 1) {
            return null;
          }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + tables.nodesTable
            + " (node_id, expires_ms) VALUES (?, " + Tables.NOW_MS + " + ?)")) {
          ins.setString(1, nodeId);
          ins.setLong(2, ttl.toMillis());
          ins.executeUpdate();
        }
        return null;
      } catch (SQLException e) {
        throw new StoreException("could not renew the heartbeat of node " + nodeId + " in " + tables.nodesTable
            + " (" + e.getMessage() + "); its leases expire " + ttl.toMillis() + " ms after the last renewal", e);
      }
    });
  }

  private void heartbeatQuietly() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      log.warn("node {}: heartbeat failed; tried again in {} ms", nodeId, ttl.toMillis() / 3, e);
    }
  }

  @Override
  public @Nullable DocumentLease tryAcquire(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    long doc = Tables.hash(key);
    long lapsesBefore;
    synchronized (trust) {
      lapsesBefore = lapses;
    }
    DocumentLease granted = store.onIoThread(key, "acquire the lease of", () -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        return acquire(c, key, doc);
      } catch (SQLException e) {
        throw new StoreException("could not acquire the lease of document " + key + " in " + tables.leasesTable
            + " (" + e.getMessage() + ")", e);
      }
    });
    synchronized (trust) {
      record(key, granted, lapsesBefore);
    }
    return granted;
  }

  /**
   * One query for the leases of up to 200 documents at a time, which tells the documents that
   * another live node holds (the common answer: nothing more to do); only the others (no lease row yet, released,
   * expired, or this node's) go through {@link #tryAcquire}'s steps, each on its own.
   */
  @Override
  public Map<DocumentKey, DocumentLease> tryAcquireAll(Collection<DocumentKey> keys) {
    Objects.requireNonNull(keys, "keys");
    List<DocumentKey> all = List.copyOf(keys);
    if (all.isEmpty()) {
      return Map.of();
    }
    long lapsesBefore;
    synchronized (trust) {
      lapsesBefore = lapses;
    }
    Map<DocumentKey, DocumentLease> granted = store.onIoThread(all.get(0), "acquire the leases of " + all.size()
        + " documents, among them", () -> {
      Map<DocumentKey, DocumentLease> out = new HashMap<>();
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        for (int from = 0; from < all.size(); from += LOOK_CHUNK) {
          List<DocumentKey> chunk = all.subList(from, Math.min(all.size(), from + LOOK_CHUNK));
          Set<Long> heldElsewhere = heldByOtherLiveNodes(c, chunk);
          for (DocumentKey key : chunk) {
            long doc = Tables.hash(key);
            if (!heldElsewhere.contains(doc)) {
              DocumentLease lease = acquire(c, key, doc);
              if (lease != null) {
                out.put(key, lease);
              }
            }
          }
        }
        return out;
      } catch (SQLException e) {
        throw new StoreException("could not acquire the leases of " + all.size() + " documents in "
            + tables.leasesTable + " (" + e.getMessage() + ")", e);
      }
    });
    synchronized (trust) {
      for (DocumentKey key : all) {
        record(key, granted.get(key), lapsesBefore);
      }
    }
    return granted;
  }

  /** The most documents one lease query names. */
  private static final int LOOK_CHUNK = 200;

  /** The documents of {@code keys} whose lease another node holds with a live heartbeat. */
  private Set<Long> heldByOtherLiveNodes(Connection c, List<DocumentKey> keys) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT l.doc, l.owner, n.expires_ms, ").append(Tables.NOW_MS)
        .append(" FROM ").append(tables.leasesTable).append(" l LEFT JOIN ").append(tables.nodesTable)
        .append(" n ON n.node_id = l.owner WHERE l.doc IN (");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    Set<Long> held = new HashSet<>();
    try (PreparedStatement s = c.prepareStatement(sql.append(')').toString())) {
      for (int i = 0; i < keys.size(); i++) {
        s.setLong(i + 1, Tables.hash(keys.get(i)));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String owner = rs.getString(2);
          long expires = rs.getLong(3);
          boolean noHeartbeat = rs.wasNull();
          if (owner != null && !owner.equals(nodeId) && !noHeartbeat && expires >= rs.getLong(4)) {
            held.add(rs.getLong(1));
          }
        }
      }
    }
    return held;
  }

  /** {@link #tryAcquire}'s steps on {@code c}: the lease, or null when another live node holds it. */
  private @Nullable DocumentLease acquire(Connection c, DocumentKey key, long doc) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      DocumentLease lease = tryAcquireOnce(c, key, doc);
      if (lease != NONE) {
        return lease;
      }
      if (attempt == 10) {
        throw new StoreException("could not acquire the lease of document " + key + ": it changed owner 10"
            + " times while this node tried; try again later");
      }
    }
  }

  /** Under {@link #trust}: a lease granted while the heartbeat was live, and no lapse since, is trusted. */
  private void record(DocumentKey key, @Nullable DocumentLease granted, long lapsesBefore) {
    if (granted != null && lapses == lapsesBefore && liveUntilNanos - System.nanoTime() > 0) {
      trusted.put(key, granted.epoch());
    } else if (granted == null) {
      trusted.remove(key);
    }
  }

  @Override
  public boolean isTrusted(DocumentLease lease) {
    checkOwn(lease);
    synchronized (trust) {
      Long epoch = trusted.get(lease.key());
      return epoch != null && epoch == lease.epoch() && liveUntilNanos - System.nanoTime() > 0;
    }
  }

  private void distrust(DocumentLease lease) {
    synchronized (trust) {
      trusted.remove(lease.key(), lease.epoch());
    }
  }

  /** A sentinel: another node changed the row between read and write; read again. */
  private static final DocumentLease NONE = new DocumentLease(DocumentKey.of("-", "-"), "-", 1);

  private DocumentLease tryAcquireOnce(Connection c, DocumentKey key, long doc) throws SQLException {
    String owner;
    long epoch;
    boolean expired;
    try (PreparedStatement s = c.prepareStatement(selectLease)) {
      s.setLong(1, doc);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + tables.leasesTable
              + " (doc, tenant, name, owner, epoch) VALUES (?, ?, ?, ?, 1)")) {
            JdbcDocumentStore.bindKey(ins, doc, key);
            ins.setString(4, nodeId);
            ins.executeUpdate();
            return new DocumentLease(key, nodeId, 1);
          } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
              return NONE; // another node inserted it first
            }
            throw e;
          }
        }
        owner = rs.getString(1);
        epoch = rs.getLong(2);
        long expires = rs.getLong(3);
        boolean noHeartbeat = rs.wasNull();
        expired = owner == null || noHeartbeat || expires < rs.getLong(4);
      }
    }
    if (nodeId.equals(owner)) {
      return new DocumentLease(key, nodeId, epoch);
    }
    if (!expired) {
      return null;
    }
    try (PreparedStatement up = c.prepareStatement("UPDATE " + tables.leasesTable
        + " SET owner = ?, epoch = epoch + 1 WHERE doc = ? AND epoch = ?")) {
      up.setString(1, nodeId);
      up.setLong(2, doc);
      up.setLong(3, epoch);
      if (up.executeUpdate() != 1) {
        return NONE;
      }
    }
    log.info("node {} took over document {} from {} (epoch {})", nodeId, key,
        owner == null ? "nobody" : owner, epoch + 1);
    return new DocumentLease(key, nodeId, epoch + 1);
  }

  @Override
  public boolean isCurrent(DocumentLease lease) {
    checkOwn(lease);
    long doc = Tables.hash(lease.key());
    return store.onIoThread(lease.key(), "read the lease of", () -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement(
              "SELECT owner, epoch FROM " + tables.leasesTable + " WHERE doc = ?")) {
        s.setLong(1, doc);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() && nodeId.equals(rs.getString(1)) && rs.getLong(2) == lease.epoch();
        }
      } catch (SQLException e) {
        throw new StoreException("could not read the lease of document " + lease.key() + " in "
            + tables.leasesTable + " (" + e.getMessage() + ")", e);
      }
    });
  }

  /**
   * Compacts the lease's document: folds {@code state} (this node's copy, or null) and every stored row into one
   * state, if the lease is current in the same transaction. Rows that other nodes appended and {@code state} lacks
   * are kept (folded in, or left as rows when appended meanwhile): in a cluster no node's copy is known to hold
   * everything, so the owner never replaces blindly.
   *
   * @throws LeaseLostException if another node took the document over, or the lease was released; nothing written
   * @throws StoreException if the database failed; what was stored before is then still there
   * @throws IllegalArgumentException if the lease is not one of this node's
   */
  @Override
  public void compact(DocumentLease lease, byte @Nullable [] state) {
    checkOwn(lease);
    DocumentKey key = lease.key();
    long doc = Tables.hash(key);
    byte[] extra = state == null ? null : state.clone();
    store.onIoThread(key, "compact", () -> {
      for (int attempt = 1; ; attempt++) {
        try {
          long[] done = store.compactor().compact(key, extra, c -> checkEpoch(c, lease, doc));
          if (done[0] != 0 || done[1] != 0 || extra != null || attempt == 3) {
            return null;
          }
        } catch (SQLException e) {
          if (attempt < 3 && Tables.isTransient(e)) {
            continue;
          }
          throw new StoreException("could not compact document " + key + " under epoch " + lease.epoch() + " ("
              + e.getMessage() + "); what was stored before is unchanged", e);
        } catch (LeaseRefused e) {
          distrust(lease);
          throw new LeaseLostException(e.getMessage());
        }
      }
    });
  }

  /** Thrown inside the transaction, so that it rolls back; turned into {@link LeaseLostException} outside. */
  private static final class LeaseRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseRefused(String message) {
      super(message, null, false, false);
    }
  }

  private void checkEpoch(Connection c, DocumentLease lease, long doc) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(lockLease)) {
      s.setLong(1, doc);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new LeaseRefused("node " + nodeId + " has no lease of document " + lease.key() + " (epoch "
              + lease.epoch() + "): nothing written");
        }
        String owner = rs.getString(1);
        long epoch = rs.getLong(2);
        if (!nodeId.equals(owner) || epoch != lease.epoch()) {
          throw new LeaseRefused("node " + nodeId + " lost document " + lease.key() + ": its epoch is "
              + lease.epoch() + " but the lease is now " + (owner == null ? "released" : "held by " + owner)
              + " at epoch " + epoch + "; nothing written");
        }
      }
    }
  }

  @Override
  public void release(DocumentLease lease) {
    checkOwn(lease);
    long doc = Tables.hash(lease.key());
    distrust(lease);
    store.onIoThread(lease.key(), "release the lease of", () -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement("UPDATE " + tables.leasesTable
              + " SET owner = NULL WHERE doc = ? AND owner = ? AND epoch = ?")) {
        c.setAutoCommit(true);
        s.setLong(1, doc);
        s.setString(2, nodeId);
        s.setLong(3, lease.epoch());
        s.executeUpdate();
        return null;
      } catch (SQLException e) {
        throw new StoreException("could not release the lease of document " + lease.key() + " ("
            + e.getMessage() + "); it expires with the heartbeat of node " + nodeId, e);
      }
    });
  }

  /**
   * Stops the heartbeat and waits for a renewal under way, at most the TTL (after that it is cut short: it would
   * have been too late to keep the leases anyway), so that no renewal is written after this returns and the caller
   * may close the store and its pool. Releases nothing: leases expire after the TTL (release them first).
   */
  @Override
  public void close() {
    if (heartbeats == null) {
      return;
    }
    heartbeats.shutdown();
    try {
      if (!heartbeats.awaitTermination(ttl.toMillis(), TimeUnit.MILLISECONDS)) {
        heartbeats.shutdownNow();
        log.warn("node {}: closed while a heartbeat was still under way after {} ms; it may yet be written", nodeId,
            ttl.toMillis());
      }
    } catch (InterruptedException e) {
      heartbeats.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "JdbcDocumentLeases[" + nodeId + ", " + tables.leasesTable + "]";
  }

  private void checkOwn(DocumentLease lease) {
    Objects.requireNonNull(lease, "lease");
    if (!lease.nodeId().equals(nodeId)) {
      throw new IllegalArgumentException("lease of document " + lease.key() + " belongs to node " + lease.nodeId()
          + ", not to this node " + nodeId);
    }
  }

  /** Settings of {@link JdbcDocumentLeases}; each setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private final JdbcDocumentStore store;
    private String nodeId = UUID.randomUUID().toString();
    private Duration ttl = Duration.ofSeconds(10);
    private Duration heartbeatInterval;

    private Builder(JdbcDocumentStore store) {
      this.store = store;
    }

    /**
     * This node's id (default a random UUID): 1 to {@value #MAX_NODE_ID_LENGTH} characters, unique among live
     * nodes. A node restarted with the same id keeps the leases its previous run held (with their epochs).
     *
     * @throws IllegalArgumentException if it is empty or too long
     */
    public Builder nodeId(String nodeId) {
      Objects.requireNonNull(nodeId, "nodeId");
      if (nodeId.isEmpty() || nodeId.length() > MAX_NODE_ID_LENGTH) {
        throw new IllegalArgumentException("nodeId must have 1 to " + MAX_NODE_ID_LENGTH + " characters but has "
            + nodeId.length());
      }
      this.nodeId = nodeId;
      return this;
    }

    /**
     * How long leases stay valid after the node's last heartbeat (default 10 s; at least 100 ms). A node that
     * dies gives its documents to others after this long.
     *
     * @throws IllegalArgumentException if it is shorter than 100 ms
     */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toMillis() < 100) {
        throw new IllegalArgumentException("ttl must be at least 100 ms but is " + ttl.toMillis() + " ms");
      }
      this.ttl = ttl;
      return this;
    }

    /**
     * How often the node renews its heartbeat (default a third of the TTL); {@link Duration#ZERO}: never by
     * itself, only when {@link #heartbeat()} is called.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public Builder heartbeatInterval(Duration every) {
      Objects.requireNonNull(every, "every");
      if (every.isNegative()) {
        throw new IllegalArgumentException("heartbeatInterval must not be negative but is " + every);
      }
      this.heartbeatInterval = every;
      return this;
    }

    /**
     * Writes this node's first heartbeat and starts renewing it.
     *
     * @throws StoreException if the database cannot be reached
     * @throws IllegalArgumentException if the heartbeat interval is not shorter than the TTL
     */
    public JdbcDocumentLeases build() {
      if (heartbeatInterval != null && !heartbeatInterval.isZero() && heartbeatInterval.compareTo(ttl) >= 0) {
        throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval.toMillis()
            + " ms) must be shorter than the ttl (" + ttl.toMillis() + " ms)");
      }
      return new JdbcDocumentLeases(this);
    }
  }
}
