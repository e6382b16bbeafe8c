package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.DocumentVersion;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.spi.VersionInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DocumentStore} in a SQL database, over plain JDBC: PostgreSQL in production, H2 as the embedded
 * default ({@code jdbc:h2:file:<dir>/collab;MODE=PostgreSQL} needs no set-up).
 *
 * <pre>{@code
 * JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource) // a pooled DataSource, e.g. HikariCP
 *     .tablePrefix("collab_")                                         // the default
 *     .build();                                                       // creates or upgrades the tables
 * CollabServer server = CollabServer.newBuilder().documentStore(store).build().start();
 * ...
 * server.close();
 * store.close();
 * }</pre>
 *
 * <p><b>Tables.</b> {@code <prefix>schema_version} holds the schema version; {@code <prefix>updates} holds one row
 * per stored piece (a compacted state or an appended update) with the document's tenant and name; {@code
 * <prefix>doc_versions} the saved versions, {@code <prefix>doc_clients} the owner of each claimed Yjs client id. {@link
 * Builder#build()} creates them, or upgrades them from an older version; starting again is a no-op, and two
 * instances starting at once on the same database are safe. The database user needs to create tables once.
 *
 * <p><b>Appends</b> are grouped: concurrent {@link #append} and {@link #appendAsync} calls (from many documents and
 * threads) become one JDBC batch in one transaction, and each call returns (each future completes) once that
 * transaction is committed. So many small updates do
 * not become as many round trips and commits, and an acknowledged update is durable (as durable as the database:
 * PostgreSQL with its default {@code synchronous_commit}; H2 writes committed transactions to its file within its
 * {@code WRITE_DELAY}, 500 ms unless the URL says otherwise).
 *
 * <p><b>Compaction.</b> A {@code CollabServer} compacts the documents it serves itself (its {@code
 * compactAfterUpdates}; in a cluster, the lease holder through {@link JdbcDocumentLeases#compact}), so by default
 * this store compacts nothing on its own. Used without a server, it can: once a document has more than {@link
 * Builder#compactAfter(int)} updates or {@link Builder#compactAfterBytes(long)} bytes of updates after its state
 * (counted by this instance since it loaded the document, and checked at load), a background thread merges its
 * rows into one state, in one transaction: it reads the rows and locks the first of them (where {@link #replace} and
 * {@link #delete}, which lock every row in sequence order, begin: so they never deadlock), applies them to a document
 * that garbage-collects deleted content (or merges them with {@link Updates#merge} when some depend on updates that
 * are not stored), writes the state into the row with the highest sequence number it read, and deletes exactly the
 * other rows it read. Updates appended meanwhile are rows it did not read, so they stay. If the rows it read changed
 * meanwhile (a {@link #replace}, a {@link #delete}, another instance's compaction), the transaction is rolled back
 * and nothing is lost.
 *
 * <p><b>Loading</b> returns the rows in sequence order: the state first, then the updates appended after it. Every
 * row is checked to be a well-formed update; a corrupt row fails the load with a {@link StoreException} that names
 * its sequence number, rather than giving a document that silently lacks data.
 *
 * <p>Thread-safe. Every JDBC call runs on one of the store's own threads, never on the caller's, so interrupting a
 * caller only ends its wait and cannot disturb the database (H2 closes its file, and so the whole database, when a
 * thread is interrupted during I/O). Uses a connection of the data source per group commit, per compaction, and per
 * concurrent {@link #load}, {@link #replace} and {@link #delete} call: give it a pooled data source.
 */
public final class JdbcDocumentStore implements DocumentStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JdbcDocumentStore.class);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,29}");

  private final DataSource dataSource;
  private final Tables tables;
  private final GroupCommitter committer;
  private final Compactor compactor;
  private final ExecutorService io;

  private JdbcDocumentStore(Builder b) {
    this.dataSource = b.dataSource;
    this.tables = new Tables(b.tablePrefix);
    SchemaMigrator.migrate(dataSource, tables);
    this.compactor = new Compactor(dataSource, tables, b.compactAfter, b.compactAfterBytes,
        "collab-jdbc-compactor-" + b.tablePrefix);
    this.committer = new GroupCommitter(dataSource, tables, b.maxBatchSize, "collab-jdbc-writer-" + b.tablePrefix,
        compactor::appended);
    String ioName = "collab-jdbc-io-" + b.tablePrefix;
    this.io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, ioName);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A builder of a store on {@code dataSource}.
   *
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder newBuilder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * The document's rows in sequence order (its state first, then the updates appended after it).
   *
   * @throws StoreException if the database cannot be read, or a stored row is not a well-formed update
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public StoredDocument load(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    return onIoThread(key, "load", () -> read(key));
  }

  private StoredDocument read(DocumentKey key) {
    long doc = Tables.hash(key);
    List<byte[]> updates = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(tables.selectDocument)) {
      bindKey(s, doc, key);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          seqs.add(rs.getLong(1));
          updates.add(rs.getBytes(2));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("could not load document " + key + " from " + tables.updatesTable + " ("
          + e.getMessage() + ")", e);
    }
    long bytes = 0;
    for (int i = 0; i < updates.size(); i++) {
      byte[] u = updates.get(i);
      if (u == null) {
        throw new StoreException("document " + key + " has a row without data in " + tables.updatesTable
            + " (seq " + seqs.get(i) + ")");
      }
      try {
        Updates.stateVector(u); // decodes every struct and the delete set
      } catch (DecodingException e) {
        throw new StoreException("document " + key + " has a corrupt row in " + tables.updatesTable + " (seq "
            + seqs.get(i) + ", " + u.length + " bytes): " + e.getMessage()
            + "; the document is not served until that row is repaired or deleted", e);
      }
      if (i > 0) {
        bytes += u.length;
      }
    }
    compactor.loaded(key, Math.max(0, updates.size() - 1), bytes);
    return StoredDocument.of(updates);
  }

  /**
   * Appends and returns once the update is committed, together with the other appends that were waiting then.
   *
   * @throws StoreException if the update could not be committed, or the thread was interrupted while waiting (the
   *     update may then be stored or not)
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public void append(DocumentKey key, byte[] update) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(update, "update");
    committer.append(key, Tables.hash(key), update);
  }

  /**
   * Queues the update for the next group commit and answers at once: the future completes, on the store's writer
   * thread, once the transaction holding it is committed, or exceptionally with a {@link StoreException} (nothing of
   * it was committed). A server in a cluster writes every document's updates this way, so all of a node's due writes
   * share one commit (one flush of the database's log) instead of one per worker thread.
   *
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public CompletableFuture<Void> appendAsync(DocumentKey key, byte[] update) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(update, "update");
    return committer.appendLater(key, Tables.hash(key), update);
  }

  /**
   * Deletes the document's rows and inserts {@code state}, in one transaction.
   *
   * @throws StoreException if the state could not be stored; what was stored before is then still there
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public void replace(DocumentKey key, byte[] state) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    long doc = Tables.hash(key);
    onIoThread(key, "replace", () -> inTransaction(key, "replace", c -> {
      lockRows(c, doc, key);
      try (PreparedStatement del = c.prepareStatement(tables.deleteDocument);
          PreparedStatement ins = c.prepareStatement(tables.insert)) {
        bindKey(del, doc, key);
        del.executeUpdate();
        ins.setLong(1, doc);
        ins.setString(2, key.tenant());
        ins.setString(3, key.name());
        ins.setBytes(4, state);
        ins.executeUpdate();
      }
    }));
    compactor.loaded(key, 0, 0);
  }

  /**
   * Deletes every row of the document, its state, its updates, its saved versions and its client owners (the
   * database frees their space as it does for any deleted row: PostgreSQL by vacuum).
   *
   * @throws StoreException if the document could not be deleted
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public void delete(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    long doc = Tables.hash(key);
    onIoThread(key, "delete", () -> inTransaction(key, "delete", c -> {
      lockRows(c, doc, key);
      try (PreparedStatement del = c.prepareStatement(tables.deleteDocument)) {
        bindKey(del, doc, key);
        del.executeUpdate();
      }
      try (PreparedStatement del = c.prepareStatement(tables.deleteDocumentVersions)) {
        bindKey(del, doc, key);
        del.executeUpdate();
      }
      try (PreparedStatement del = c.prepareStatement(tables.deleteDocumentClients)) {
        bindKey(del, doc, key);
        del.executeUpdate();
      }
    }));
    compactor.forget(key);
  }

  // ------------------------------------------------------------------------------------------------- versions
  // Table <prefix>doc_versions (schema version 3): one row per version, with its snapshot and state.

  /**
   * Saves a version in one row of {@code <prefix>doc_versions}; its id comes from the table's identity.
   *
   * @throws StoreException if the row could not be inserted
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public VersionInfo saveVersion(DocumentKey key, String label, String author, Instant createdAt, byte[] snapshot,
      byte[] state) {
    Objects.requireNonNull(key, "key");
    VersionInfo draft = new VersionInfo(0, label, author, createdAt);
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(state, "state");
    long doc = Tables.hash(key);
    long[] id = {0};
    onIoThread(key, "save a version of", () -> inTransaction(key, "save a version of", c -> {
      try (PreparedStatement s = c.prepareStatement(tables.insertVersion, new String[] {"id"})) {
        bindKey(s, doc, key);
        s.setString(4, label);
        s.setString(5, author);
        s.setLong(6, createdAt.toEpochMilli());
        s.setBytes(7, snapshot);
        s.setBytes(8, state);
        s.executeUpdate();
        try (ResultSet keys = s.getGeneratedKeys()) {
          if (!keys.next()) {
            throw new SQLException("the database returned no id for the new version");
          }
          id[0] = keys.getLong(1);
        }
      }
    }));
    return new VersionInfo(id[0], draft.label(), draft.author(), Instant.ofEpochMilli(createdAt.toEpochMilli()));
  }

  /**
   * The versions of the document, oldest first, without their content.
   *
   * @throws StoreException if the database cannot be read
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public List<VersionInfo> listVersions(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    return onIoThread(key, "list the versions of", () -> query(key, tables.selectVersions, -1, "the versions",
        tables.versionsTable, rs -> {
      List<VersionInfo> out = new ArrayList<>();
      while (rs.next()) {
        out.add(info(rs));
      }
      return List.copyOf(out);
    }));
  }

  /**
   * One version with its snapshot and state, or null.
   *
   * @throws StoreException if the database cannot be read
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public @Nullable DocumentVersion loadVersion(DocumentKey key, long id) {
    Objects.requireNonNull(key, "key");
    return onIoThread(key, "load a version of", () -> query(key, tables.selectVersion, id, "the versions",
        tables.versionsTable, rs -> rs.next() ? DocumentVersion.of(info(rs), rs.getBytes(5), rs.getBytes(6)) : null));
  }

  /**
   * Deletes the rows of these versions, in one transaction.
   *
   * @throws StoreException if they could not be deleted (then none is)
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public void deleteVersions(DocumentKey key, Collection<Long> ids) {
    Objects.requireNonNull(key, "key");
    List<Long> copy = List.copyOf(ids);
    long doc = Tables.hash(key);
    onIoThread(key, "delete versions of", () -> inTransaction(key, "delete versions of", c -> {
      try (PreparedStatement s = c.prepareStatement(tables.deleteVersion)) {
        for (long id : copy) {
          bindKey(s, doc, key);
          s.setLong(4, id);
          s.addBatch();
        }
        s.executeBatch();
      }
    }));
  }

  // -------------------------------------------------------------------------------------------- client owners
  // Table <prefix>doc_clients (schema version 4): one row per claimed Yjs client id, the first claim wins.

  /**
   * The owners recorded for the document's client ids.
   *
   * @throws StoreException if the database cannot be read
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public Map<Long, String> loadClientOwners(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    return onIoThread(key, "load the client owners of", () -> query(key, tables.selectClients, -1,
        "the client owners", tables.clientsTable, rs -> {
      Map<Long, String> out = new HashMap<>();
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2));
      }
      return Map.copyOf(out);
    }));
  }

  /**
   * Inserts the claim; if the unique index holds one already, answers its owner.
   *
   * @throws IllegalArgumentException if {@code owner} is longer than 1024 characters
   * @throws StoreException if the database cannot be written
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public String claimClient(DocumentKey key, long clientId, String owner) {
    Objects.requireNonNull(key, "key");
    checkOwner(owner);
    long doc = Tables.hash(key);
    return onIoThread(key, "claim a client id of", () -> {
      try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(tables.insertClient)) {
        bindKey(s, doc, key);
        s.setLong(4, clientId);
        s.setString(5, owner);
        s.executeUpdate();
        return owner;
      } catch (SQLException e) {
        if (!Tables.isUniqueViolation(e)) {
          throw new StoreException("could not claim client id " + clientId + " of document " + key + " in "
              + tables.clientsTable + " (" + e.getMessage() + ")", e);
        }
      }
      // Claimed before (by another node, or by this claim retried): the owner on record answers. A row of another
      // document whose key hash collides holds the index too; then nobody owns the id here, and the claim stands.
      String onRecord = query(key, tables.selectClient, clientId, "the client owners", tables.clientsTable,
          rs -> rs.next() ? rs.getString(1) : null);
      return onRecord == null ? owner : onRecord;
    });
  }

  /**
   * Claims the ids in one transaction: the owners on record are read, the ids without one inserted by statements
   * of up to 1,000 rows each (an import of an offline document brings thousands, and one round trip each held the
   * document's acknowledgements back). If another node claimed one of them meanwhile, the transaction is undone and
   * each id is claimed on its own, as {@link #claimClient}.
   *
   * @throws IllegalArgumentException if {@code owner} is longer than 1024 characters
   * @throws StoreException if the database cannot be written
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public Map<Long, String> claimClients(DocumentKey key, Collection<Long> clientIds, String owner) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clientIds, "clientIds");
    checkOwner(owner);
    long doc = Tables.hash(key);
    Map<Long, String> answer = onIoThread(key, "claim client ids of", () -> {
      Map<Long, String> onRecord = new HashMap<>();
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement select = c.prepareStatement(tables.selectClients)) {
          bindKey(select, doc, key);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              onRecord.put(rs.getLong(1), rs.getString(2));
            }
          }
          List<Long> fresh = new ArrayList<>();
          for (long clientId : clientIds) {
            if (onRecord.putIfAbsent(clientId, owner) == null) {
              fresh.add(clientId);
            }
          }
          for (int from = 0; from < fresh.size(); from += CLAIMS_PER_INSERT) {
            insertClaims(c, doc, key, fresh.subList(from, Math.min(fresh.size(), from + CLAIMS_PER_INSERT)), owner);
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          if (!Tables.isUniqueViolation(e)) {
            throw e;
          }
          return null; // claimed meanwhile (or a colliding key's row): one by one below
        } finally {
          c.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        throw new StoreException("could not claim " + clientIds.size() + " client ids of document " + key + " in "
            + tables.clientsTable + " (" + e.getMessage() + ")", e);
      }
      Map<Long, String> claimed = new HashMap<>();
      for (long clientId : clientIds) {
        claimed.put(clientId, onRecord.get(clientId));
      }
      return claimed;
    });
    if (answer != null) {
      return answer;
    }
    Map<Long, String> oneByOne = new HashMap<>();
    for (long clientId : clientIds) {
      oneByOne.put(clientId, claimClient(key, clientId, owner));
    }
    return oneByOne;
  }

  private void checkOwner(String owner) {
    Objects.requireNonNull(owner, "owner");
    if (owner.length() > Tables.MAX_OWNER_LENGTH) {
      throw new IllegalArgumentException("owner is " + owner.length() + " characters long; at most "
          + Tables.MAX_OWNER_LENGTH + " fit in " + tables.clientsTable);
    }
  }

  /** Rows in one INSERT of {@link #claimClients}: 5,000 parameters, well within what PostgreSQL and H2 take. */
  private static final int CLAIMS_PER_INSERT = 1_000;

  private void insertClaims(Connection c, long doc, DocumentKey key, List<Long> clientIds, String owner)
      throws SQLException {
    String sql = tables.insertClient + ", (?, ?, ?, ?, ?)".repeat(clientIds.size() - 1);
    try (PreparedStatement insert = c.prepareStatement(sql)) {
      int p = 0;
      for (long clientId : clientIds) {
        insert.setLong(++p, doc);
        insert.setString(++p, key.tenant());
        insert.setString(++p, key.name());
        insert.setLong(++p, clientId);
        insert.setString(++p, owner);
      }
      insert.executeUpdate();
    }
  }

  private static VersionInfo info(ResultSet rs) throws SQLException {
    return new VersionInfo(rs.getLong(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)));
  }

  private interface RowsReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs a query of the document's versions or client owners ({@code what}, in {@code table}), with {@code id} (a
   * version or client id) as 4th parameter unless it is -1.
   */
  private <T> T query(DocumentKey key, String sql, long id, String what, String table, RowsReader<T> reader) {
    long doc = Tables.hash(key);
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      bindKey(s, doc, key);
      if (id != -1) {
        s.setLong(4, id);
      }
      try (ResultSet rs = s.executeQuery()) {
        return reader.read(rs);
      }
    } catch (SQLException e) {
      throw new StoreException("could not read " + what + " of document " + key + " from " + table + " ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * Commits the appends already queued, lets the calls in progress and a compaction in progress finish, and stops
   * the store's threads. Does not close the data source. Every call afterwards throws {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    committer.close();
    io.shutdown();
    compactor.close();
    try {
      if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("calls to {} did not finish within 30 s of close()", this);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "JdbcDocumentStore[" + tables.updatesTable + "]";
  }

  /** The compactor, for the fenced compaction of {@link JdbcDocumentLeases}. */
  Compactor compactor() {
    return compactor;
  }

  DataSource dataSource() {
    return dataSource;
  }

  Tables tables() {
    return tables;
  }

  private interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on one of the store's own threads and waits for it. The store's JDBC calls never run on a
   * caller's thread, so interrupting a caller (an executor shut down with {@code shutdownNow}) only ends its wait:
   * an interrupt in the middle of I/O can close the database file (H2 closes its file channel, and with it the
   * whole database).
   */
  <T> T onIoThread(DocumentKey key, String what, Callable<T> work) {
    Future<T> result;
    try {
      result = io.submit(work);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the store is closed; cannot " + what + " document " + key, e);
    }
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting to " + what + " document " + key
          + "; it may still complete", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreException se) {
        throw new StoreException(se.getMessage(), se.getCause() == null ? se : se.getCause());
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new StoreException("could not " + what + " document " + key + ": " + cause, cause);
    }
  }

  /** Locks the document's rows in sequence order (see {@link Tables#lockDocument}). */
  private void lockRows(Connection c, long doc, DocumentKey key) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(tables.lockDocument)) {
      bindKey(lock, doc, key);
      try (ResultSet rs = lock.executeQuery()) {
        while (rs.next()) {
          // each row read is locked
        }
      }
    }
  }

  /** Runs {@code work} in a transaction, again (up to 3 times) when it loses a conflict with another one. */
  private Void inTransaction(DocumentKey key, String what, SqlWork work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          work.run(c);
          c.commit();
          return null;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        if (attempt < 3 && Tables.isTransient(e)) {
          log.debug("{} of document {} conflicted with another transaction (attempt {}); again", what, key, attempt);
          continue;
        }
        throw new StoreException("could not " + what + " document " + key + " in " + tables.updatesTable + " ("
            + e.getMessage() + "); what was stored before is unchanged", e);
      }
    }
  }

  static void bindKey(PreparedStatement s, long doc, DocumentKey key) throws SQLException {
    s.setLong(1, doc);
    s.setString(2, key.tenant());
    s.setString(3, key.name());
  }

  /**
   * Settings of a {@link JdbcDocumentStore}. Each setter checks its value at once; {@link #build()} creates the
   * tables. Not thread-safe.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private String tablePrefix = "collab_";
    private int compactAfter = Integer.MAX_VALUE;
    private long compactAfterBytes = Long.MAX_VALUE;
    private int maxBatchSize = 512;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * The prefix of the table names (default {@code collab_}): a letter or underscore, then up to 29 letters,
     * digits or underscores. Stores with different prefixes on one database are independent.
     *
     * @throws IllegalArgumentException if the prefix is not of that form
     */
    public Builder tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException("tablePrefix must match " + PREFIX.pattern() + " but is '" + prefix + "'");
      }
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * Compacts a document in the background once more than this many updates are stored after its state (default:
     * never). Only for a store used without a {@code CollabServer}: a server compacts the documents it serves
     * itself, and in a cluster only the lease holder may compact (fenced); a store that compacted on its own there
     * would be a second, unfenced owner.
     *
     * @throws IllegalArgumentException if {@code updates} is less than 1
     */
    public Builder compactAfter(int updates) {
      if (updates < 1) {
        throw new IllegalArgumentException("compactAfter must be at least 1 but is " + updates);
      }
      this.compactAfter = updates;
      return this;
    }

    /**
     * Compacts a document in the background once the updates stored after its state exceed this many bytes (default:
     * never). Only for a store used without a {@code CollabServer}, as {@link #compactAfter(int)}.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public Builder compactAfterBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("compactAfterBytes must be at least 1 but is " + bytes);
      }
      this.compactAfterBytes = bytes;
      return this;
    }

    /**
     * The most appends committed in one transaction (default 512).
     *
     * @throws IllegalArgumentException if {@code appends} is less than 1
     */
    public Builder maxBatchSize(int appends) {
      if (appends < 1) {
        throw new IllegalArgumentException("maxBatchSize must be at least 1 but is " + appends);
      }
      this.maxBatchSize = appends;
      return this;
    }

    /**
     * Creates or upgrades the tables and starts the store's two threads (writer and compactor).
     *
     * @throws StoreException if the tables cannot be created or upgraded, or are of a newer schema version
     */
    public JdbcDocumentStore build() {
      return new JdbcDocumentStore(this);
    }
  }
}
