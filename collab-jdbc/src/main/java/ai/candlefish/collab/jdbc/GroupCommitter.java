package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of appends: callers queue their update and wait; one writer thread takes everything queued (up to
 * {@code maxBatch}), inserts it as one JDBC batch in one transaction, commits, and only then releases the callers.
 * While a commit is in flight the next callers queue up, so under load each round trip and each commit (the fsync
 * of the database's log) carries many updates, and with one caller it costs what a plain insert costs.
 *
 * <p>Rows of one batch get their {@code seq} in queue order, so appends of one caller stay in order. When a batch
 * fails, its appends are tried once more one by one, each in its own transaction, so that one bad row fails only
 * its own caller. Each batch takes a connection from the data source and gives it back.
 *
 * <p>Thread-safe.
 */
final class GroupCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  record Append(DocumentKey key, long doc, byte[] update, CompletableFuture<Void> done) {}

  private static final Append STOP = new Append(null, 0, null, null);

  private final DataSource dataSource;
  private final Tables tables;
  private final int maxBatch;
  private final Consumer<List<Append>> committed;
  private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  /** @param committed told, on the writer thread, of each batch once it is committed */
  GroupCommitter(DataSource dataSource, Tables tables, int maxBatch, String threadName,
      Consumer<List<Append>> committed) {
    this.dataSource = dataSource;
    this.tables = tables;
    this.maxBatch = maxBatch;
    this.committed = committed;
    this.writer = new Thread(this::run, threadName);
    writer.setDaemon(true);
    writer.start();
  }

  /** Appends and returns once committed. */
  void append(DocumentKey key, long doc, byte[] update) {
    CompletableFuture<Void> done = appendLater(key, doc, update);
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the commit of an update to document " + key
          + "; it may or may not be stored", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreException se) {
        throw new StoreException(se.getMessage(), se.getCause());
      }
      throw new StoreException("could not append to document " + key + ": " + cause, cause);
    }
  }

  /**
   * Queues the append and answers at once; the future completes on the writer thread once the append is committed,
   * or exceptionally ({@link StoreException} when nothing of it was committed).
   *
   * @throws IllegalStateException if the committer is closed
   */
  CompletableFuture<Void> appendLater(DocumentKey key, long doc, byte[] update) {
    Append a = new Append(key, doc, update, new CompletableFuture<>());
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the store is closed; cannot append to document " + key);
      }
      queue.add(a);
    }
    return a.done();
  }

  private void run() {
    List<Append> batch = new ArrayList<>(maxBatch);
    boolean stopping = false;
    while (!stopping || !queue.isEmpty()) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        // Nothing of the store interrupts its writer (close() queues STOP); a stray interrupt is ignored.
        continue;
      }
      queue.drainTo(batch, maxBatch - 1);
      if (batch.remove(STOP)) {
        stopping = true;
      }
      if (!batch.isEmpty()) {
        try {
          write(batch);
        } catch (Throwable t) {
          // Never leave a caller waiting for a writer that is gone; the writer goes on with the next batch.
          log.error("the collab-jdbc writer failed on a batch of {} appends", batch.size(), t);
          batch.forEach(a -> a.done().completeExceptionally(t));
        }
      }
      // Used again: nothing keeps the list past write() (the bookkeeping and the callers get its elements), and a
      // new one of maxBatch slots per commit was 4 % of a cluster node's allocation when most commits carry a few.
      batch.clear();
    }
  }

  private void write(List<Append> batch) {
    try {
      insert(batch);
    } catch (SQLException e) {
      if (batch.size() == 1 || e instanceof NoConnection || isConnectionProblem(e)) {
        batch.forEach(a -> fail(a, e));
        return;
      }
      log.debug("a batch of {} appends failed; trying them one by one", batch.size(), e);
      for (Append a : batch) {
        try {
          insert(List.of(a));
        } catch (SQLException e2) {
          fail(a, e2);
        } catch (RuntimeException e2) {
          a.done().completeExceptionally(e2);
        }
      }
    } catch (RuntimeException e) {
      batch.forEach(a -> a.done().completeExceptionally(e));
    }
  }

  /** Whether {@code e} is about reaching the database rather than one row: then one by one would fail alike. */
  private static boolean isConnectionProblem(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("08");
  }

  /** The data source gave no connection. */
  private static final class NoConnection extends SQLException {
    private static final long serialVersionUID = 1L;

    NoConnection(SQLException cause) {
      super("no connection from the data source: " + cause.getMessage(), cause.getSQLState(), cause);
    }
  }

  private void insert(List<Append> batch) throws SQLException {
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw new NoConnection(e);
    }
    try (c) {
      boolean autoCommit = c.getAutoCommit();
      // One append alone is one auto-committed INSERT: one round trip instead of an INSERT and a COMMIT.
      boolean single = batch.size() == 1;
      c.setAutoCommit(single);
      try (PreparedStatement s = c.prepareStatement(tables.insert)) {
        for (Append a : batch) {
          s.setLong(1, a.doc());
          s.setString(2, a.key().tenant());
          s.setString(3, a.key().name());
          s.setBytes(4, a.update());
          if (single) {
            s.executeUpdate();
          } else {
            s.addBatch();
          }
        }
        if (!single) {
          s.executeBatch();
          c.commit();
        }
      } catch (SQLException | RuntimeException e) {
        if (!single) {
          rollbackQuietly(c);
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
    try {
      committed.accept(batch);
    } catch (RuntimeException e) {
      log.warn("bookkeeping after a commit failed; the updates are stored", e);
    }
    batch.forEach(a -> a.done().complete(null));
  }

  private static void fail(Append a, SQLException e) {
    a.done().completeExceptionally(new StoreException("could not append to document " + a.key() + " ("
        + e.getMessage() + "); nothing of it was committed, retry", e));
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed", e);
    }
  }

  /** Commits what is queued, then stops the writer; appends after this throw. Waits for the writer to end. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
