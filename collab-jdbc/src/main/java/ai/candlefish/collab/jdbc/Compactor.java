package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.DocumentKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what each document's log holds after its state, and compacts a log that has grown past the thresholds on
 * a thread of its own (see {@link JdbcDocumentStore} for the transaction).
 *
 * <p>The counts are what this instance has seen since it loaded, replaced or compacted the document: rows appended
 * by another instance are not counted, so compaction may come later than the thresholds say, never wrongly. A
 * document whose compaction fails (a corrupt row) is counted from zero again, so it is tried again only after as
 * many appends.
 *
 * <p>Thread-safe.
 */
final class Compactor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);

  /** The log of one document after its state. Guarded by itself. */
  private static final class Log {
    int updates;
    long bytes;
    boolean compacting;
  }

  private final DataSource dataSource;
  private final Tables tables;
  private final int maxUpdates;
  private final long maxBytes;
  private final ConcurrentHashMap<DocumentKey, Log> logs = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  private volatile boolean closed;

  Compactor(DataSource dataSource, Tables tables, int maxUpdates, long maxBytes, String threadName) {
    this.dataSource = dataSource;
    this.tables = tables;
    this.maxUpdates = maxUpdates;
    this.maxBytes = maxBytes;
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** A load found {@code updates} updates of {@code bytes} bytes after the state. */
  void loaded(DocumentKey key, int updates, long bytes) {
    Log log = logs.computeIfAbsent(key, k -> new Log());
    synchronized (log) {
      log.updates = updates;
      log.bytes = bytes;
      maybeCompact(key, log);
    }
  }

  /** These appends are committed. Runs on the writer thread. */
  void appended(List<GroupCommitter.Append> batch) {
    for (GroupCommitter.Append a : batch) {
      Log log = logs.computeIfAbsent(a.key(), k -> new Log());
      synchronized (log) {
        log.updates++;
        log.bytes += a.update().length;
        maybeCompact(a.key(), log);
      }
    }
  }

  /** The document is deleted. */
  void forget(DocumentKey key) {
    logs.remove(key);
  }

  private void maybeCompact(DocumentKey key, Log log) {
    if (log.compacting || (log.updates <= maxUpdates && log.bytes <= maxBytes)) {
      return;
    }
    log.compacting = true;
    try {
      executor.execute(() -> compact(key, log));
    } catch (RejectedExecutionException e) {
      log.compacting = false; // closed: the next instance compacts it
    }
  }

  private void compact(DocumentKey key, Log log) {
    long removedUpdates = 0;
    long removedBytes = 0;
    try {
      if (closed) {
        return;
      }
      long[] removed = compact(key);
      removedUpdates = removed[0];
      removedBytes = removed[1];
    } catch (SQLException e) {
      if (Tables.isTransient(e)) {
        // Lost a conflict with a replace or delete of the same document: nothing changed, the next append retries.
        Compactor.log.debug("compacting document {} conflicted with another transaction; left as it is", key, e);
      } else {
        Compactor.log.warn("compacting document {} in {} failed; its updates stay as they are", key,
            tables.updatesTable, e);
        removedUpdates = Long.MAX_VALUE;
        removedBytes = Long.MAX_VALUE;
      }
    } catch (RuntimeException e) {
      // Nothing changed (the transaction was rolled back). Count from zero so that a bad row is not retried at
      // every append.
      Compactor.log.warn("compacting document {} in {} failed; its updates stay as they are", key,
          tables.updatesTable, e);
      removedUpdates = Long.MAX_VALUE;
      removedBytes = Long.MAX_VALUE;
    } finally {
      synchronized (log) {
        log.updates = (int) Math.max(0, log.updates - removedUpdates);
        log.bytes = Math.max(0, log.bytes - removedBytes);
        log.compacting = false;
      }
    }
  }

  /**
   * Compacts one document's rows in one transaction.
   *
   * @return how many updates after the state, and how many of their bytes, were folded into the state: zeros if the
   *     rows changed meanwhile (the next append tries again), {@link Long#MAX_VALUE} twice if there was nothing to
   *     compact (another instance did it: count from zero)
   */
  long[] compact(DocumentKey key) throws SQLException {
    return compact(key, null, null);
  }

  /** A check made inside a compaction's transaction before it reads the rows (a lease's fencing epoch). */
  interface Fence {
    /** Throws (and so rolls the transaction back) when the compaction must not write. */
    void check(Connection c) throws SQLException;
  }

  /**
   * Compacts one document's rows in one transaction, folding {@code extra} (a state the caller holds, or null) in
   * with them, after {@code fence} (or null) passed in the same transaction. With {@code extra}, a document with
   * fewer than two rows is written too. Rows appended meanwhile are rows it did not read, so they stay.
   */
  long[] compact(DocumentKey key, byte[] extra, Fence fence) throws SQLException {
    long started = System.nanoTime();
    long doc = Tables.hash(key);
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        if (fence != null) {
          fence.check(c);
        }
        List<Long> seqs = new ArrayList<>();
        List<byte[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(tables.selectDocument)) {
          JdbcDocumentStore.bindKey(s, doc, key);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              seqs.add(rs.getLong(1));
              rows.add(rs.getBytes(2));
            }
          }
        }
        if (extra == null && rows.size() < 2) {
          c.rollback();
          return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
        }
        if (rows.isEmpty()) {
          try (PreparedStatement s = c.prepareStatement(tables.insert)) {
            JdbcDocumentStore.bindKey(s, doc, key);
            s.setBytes(4, extra);
            s.executeUpdate();
          }
          c.commit();
          return new long[] {0, 0};
        }
        // The first row only, not every row read (Tables.lockDocument): a replace or delete of the document locks
        // its rows in sequence order, so it meets this lock at its first row, before it holds any other, or holds
        // it already and this waits (no deadlock either way). Appends add rows after the last read, which this
        // leaves as they are. What a committed transaction changed meanwhile shows in the counts below (or here:
        // the first row gone), and the compaction rolls back. Locking all 500 rows of a compaction at the server's
        // threshold wrote 27 % of its WAL (a lock record per row).
        boolean changed;
        try (PreparedStatement s = c.prepareStatement(tables.lockRow)) {
          s.setLong(1, seqs.get(0));
          s.setLong(2, doc);
          try (ResultSet rs = s.executeQuery()) {
            changed = !rs.next();
            if (!changed) {
              rows.set(0, rs.getBytes(1)); // as locked: a single-row compaction may have rewritten it meanwhile
            }
          }
        }
        if (changed) {
          c.rollback();
          Compactor.log.debug("document {} changed before it was compacted; left as it is", key);
          return new long[] {0, 0};
        }
        byte[] state = extra == null ? state(rows) : state(extra, rows);
        long last = seqs.get(seqs.size() - 1);
        try (PreparedStatement s = c.prepareStatement(tables.updateData)) {
          s.setBytes(1, state);
          s.setLong(2, last);
          s.setLong(3, doc);
          changed = s.executeUpdate() != 1;
        }
        if (!changed && seqs.size() > 1) {
          // One statement for all of them, as a range: the document's rows from the first read to the last (which
          // now holds the state). A row committed into that range since the read (its sequence number taken
          // before the last's, its commit after the read) is deleted too and makes the count differ: rolled back,
          // as a change meanwhile. Rows appended after the read come after the last and stay. A batch was a
          // statement per row (~500 at the server's default threshold); a list of the rows' numbers (= ANY) was
          // an array that only a compaction encodes, new code for the driver and the compiler at the first
          // compaction of every node.
          try (PreparedStatement s = c.prepareStatement(tables.deleteRows)) {
            JdbcDocumentStore.bindKey(s, doc, key);
            s.setLong(4, seqs.get(0));
            s.setLong(5, last);
            changed = s.executeUpdate() != seqs.size() - 1;
          }
        }
        if (changed) {
          c.rollback();
          Compactor.log.debug("document {} changed while it was compacted; left as it is", key);
          return new long[] {0, 0};
        }
        c.commit();
        long bytes = 0;
        for (int i = 1; i < rows.size(); i++) {
          bytes += rows.get(i).length;
        }
        if (Compactor.log.isDebugEnabled()) {
          Compactor.log.debug("compacted document {}: {} rows into a state of {} bytes in {} ms ({})", key,
              rows.size(), state.length, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
              extra == null ? "rows folded" : state == extra ? "the held state as it was"
                  : "held state and rows folded");
        }
        return new long[] {rows.size() - 1, bytes};
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /**
   * One state holding every row: applied to a document that garbage-collects, unless something stays pending
   * (rows that depend on updates that are not stored), in which case a plain merge keeps everything.
   */
  static byte[] state(List<byte[]> rows) {
    Doc doc = Doc.newBuilder().gc(true).build();
    for (byte[] row : rows) {
      doc.applyUpdate(row);
    }
    return doc.hasPendingUpdates() ? Updates.merge(rows) : doc.encodeStateAsUpdate();
  }

  /**
   * One state holding {@code held} (a state the caller holds, usually all the rows and more) and every row. When
   * {@code held} already holds every row ({@link Updates#holdsAll}: the lease holder's usual case), it is that state
   * as it is: nothing is loaded into a document and nothing encoded again. That fold, a fresh document integrating
   * the whole state, its cleanup and a whole-document encode, ran at no other moment on a node, so the first
   * compactions of a node's documents were the C2 compiler's first sight of it, on every document at once in the
   * cluster relay (RESULTS.md, "Cluster, round 9"). Otherwise the held state first, then only the rows that add
   * something to it ({@link Updates#wouldChange}), so that rows already in it are decoded but not integrated one by
   * one; as {@link #state(List)} for the rest.
   */
  static byte[] state(byte[] held, List<byte[]> rows) {
    if (Updates.holdsAll(held, rows)) {
      return held;
    }
    Doc doc = Doc.newBuilder().gc(true).build();
    doc.applyUpdate(held);
    for (byte[] row : rows) {
      if (Updates.wouldChange(row, doc)) {
        doc.applyUpdate(row);
      }
    }
    if (!doc.hasPendingUpdates()) {
      return doc.encodeStateAsUpdate();
    }
    List<byte[]> all = new ArrayList<>(rows.size() + 1);
    all.addAll(rows);
    all.add(held);
    return Updates.merge(all);
  }

  /**
   * Lets a compaction in progress finish and drops those not started. Never interrupts: an interrupted thread in
   * the middle of I/O can close a database's file (H2's file channel closes, and the whole database with it).
   */
  @Override
  public void close() {
    closed = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("a compaction in {} did not finish within 30 s of close()", tables.updatesTable);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
