package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.spi.DocumentKey;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Updates per second that {@link JdbcDocumentStore#append} stores, each call returning after its commit: one
 * thread appending to one document (every update its own transaction), then many threads each appending to its
 * own document (the group commit puts what waits into one transaction). On a real PostgreSQL 17 (the embedded
 * binaries, with {@code fsync} and {@code synchronous_commit} on, as in production) and on H2 (a file in
 * PostgreSQL mode, its defaults). Each update is one keystroke of a text (about 25 bytes); compaction runs as
 * configured by default (every 500 updates of a document). For comparison, a baseline row: one thread doing plain
 * auto-committed INSERTs without the store. Prints one Markdown table row per run.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl collab-jdbc,benchmarks package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar ai.candlefish.collab.benchmarks.StoreThroughput [--seconds 10]
 *     [--warmup 3] [--threads 1,16,64] [--db postgresql,postgresql-rewrite,h2] [--smoke]
 * </pre>
 */
public final class StoreThroughput {
  private StoreThroughput() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int seconds = 10;
    int warmup = 3;
    int[] threads = {1, 16, 64};
    List<String> dbs = List.of("postgresql", "postgresql-rewrite", "h2");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--db" -> dbs = List.of(args[++i].split(","));
        case "--smoke" -> {
          seconds = 1;
          warmup = 0;
          threads = new int[] {1, 4};
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --seconds N, --warmup N, --threads 1,16,64, --db postgresql,postgresql-rewrite,h2, --smoke)");
      }
    }
    System.out.println("| database | threads (documents) | updates/s | commits/s | updates per commit"
        + " | append latency p50 / p99 (ms) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (String db : dbs) {
      switch (db) {
        case "postgresql", "postgresql-rewrite" -> {
          // The driver's reWriteBatchedInserts sends a batch as multi-row INSERTs instead of one INSERT each.
          boolean rewrite = db.endsWith("-rewrite");
          try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
              .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
              HikariDataSource pool = pool(pg.getPostgresDatabase(
                  Map.of("reWriteBatchedInserts", Boolean.toString(rewrite))))) {
            String label = "PostgreSQL " + show(pool, "server_version") + " (fsync " + show(pool, "fsync")
                + ", synchronous_commit " + show(pool, "synchronous_commit")
                + (rewrite ? ", reWriteBatchedInserts" : "") + ")";
            for (int t : threads) {
              run(label, pool, t, warmup, seconds);
            }
            plainInserts(label, pool, warmup, seconds);
          }
        }
        case "h2" -> {
          Path dir = Files.createTempDirectory("store-throughput-h2");
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = Files.walk(dir)) {
              files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
              // a temporary directory left behind
            }
          }));
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("collab") + ";MODE=PostgreSQL");
          config.setMaximumPoolSize(8);
          try (HikariDataSource pool = new HikariDataSource(config)) {
            String label = "H2 " + org.h2.engine.Constants.VERSION + " (file)";
            for (int t : threads) {
              run(label, pool, t, warmup, seconds);
            }
            plainInserts(label, pool, warmup, seconds);
          }
        }
        default -> throw new IllegalArgumentException("unknown database " + db
            + " (postgresql, postgresql-rewrite or h2)");
      }
    }
  }

  private static HikariDataSource pool(DataSource dataSource) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource);
    config.setMaximumPoolSize(8);
    return new HikariDataSource(config);
  }

  private static String show(DataSource dataSource, String setting) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int runs;

  private static void run(String label, DataSource pool, int threads, int warmupSeconds, int seconds)
      throws Exception {
    CountingDataSource counting = new CountingDataSource(pool);
    List<List<byte[]>> updates = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      updates.add(keystrokes(t + 1, 2000));
    }
    try (JdbcDocumentStore store = JdbcDocumentStore.newBuilder(counting).tablePrefix("bench" + (++runs) + "_")
        .build()) {
      AtomicLong appended = new AtomicLong();
      long[][] latencies = new long[threads][];
      int[] latencyCounts = new int[threads];
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch done = new CountDownLatch(threads);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        DocumentKey key = DocumentKey.of("bench", "doc-" + t);
        latencies[me] = new long[1 << 16];
        Thread w = new Thread(() -> {
          List<byte[]> mine = updates.get(me);
          int i = 0;
          while (!stop.get()) {
            long start = System.nanoTime();
            store.append(key, mine.get(i++ % mine.size()));
            long nanos = System.nanoTime() - start;
            appended.incrementAndGet();
            if (measuring.get()) {
              if (latencyCounts[me] == latencies[me].length) {
                latencies[me] = Arrays.copyOf(latencies[me], latencies[me].length * 2);
              }
              latencies[me][latencyCounts[me]++] = nanos;
            }
          }
          done.countDown();
        }, "append-" + t);
        workers.add(w);
      }
      workers.forEach(Thread::start);
      Thread.sleep(warmupSeconds * 1000L);
      long count0 = appended.get();
      long connections0 = counting.connections.get();
      long t0 = System.nanoTime();
      measuring.set(true);
      Thread.sleep(seconds * 1000L);
      long count1 = appended.get();
      long connections1 = counting.connections.get();
      long t1 = System.nanoTime();
      stop.set(true);
      done.await();
      double elapsed = (t1 - t0) / 1e9;
      double perSecond = (count1 - count0) / elapsed;
      // Every transaction of the store (group commits, compactions) takes one connection.
      double commitsPerSecond = (connections1 - connections0) / elapsed;
      long[] all = merge(latencies, latencyCounts);
      System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.1f | %.2f / %.2f |%n", label, threads, perSecond,
          commitsPerSecond, perSecond / Math.max(1, commitsPerSecond), percentile(all, 0.5), percentile(all, 0.99));
      System.out.flush();
    }
  }

  /**
   * The baseline: one thread, plain JDBC on its own connection, one auto-committed INSERT per update into the
   * store's table (no store, no thread hand-off, no compaction).
   */
  private static void plainInserts(String label, DataSource pool, int warmupSeconds, int seconds)
      throws SQLException {
    String prefix = "bench" + (++runs) + "_";
    JdbcDocumentStore.newBuilder(pool).tablePrefix(prefix).build().close();
    List<byte[]> updates = keystrokes(1, 2000);
    try (Connection c = pool.getConnection(); var insert = c.prepareStatement(
        "INSERT INTO " + prefix + "updates (doc, tenant, name, data) VALUES (1, 'bench', 'doc', ?)")) {
      c.setAutoCommit(true);
      long[] latencies = new long[1 << 16];
      int n = 0;
      long measureFrom = System.nanoTime() + warmupSeconds * 1_000_000_000L;
      long end = measureFrom + seconds * 1_000_000_000L;
      long count = 0;
      for (int i = 0; ; i++) {
        long start = System.nanoTime();
        if (start >= end) {
          break;
        }
        insert.setBytes(1, updates.get(i % updates.size()));
        insert.executeUpdate();
        long nanos = System.nanoTime() - start;
        if (start >= measureFrom) {
          count++;
          if (n == latencies.length) {
            latencies = Arrays.copyOf(latencies, n * 2);
          }
          latencies[n++] = nanos;
        }
      }
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      double perSecond = count / (double) seconds;
      System.out.printf(Locale.ROOT, "| %s, plain JDBC baseline | 1 | %,.0f | %,.0f | 1.0 | %.2f / %.2f |%n", label,
          perSecond, perSecond, percentile(sorted, 0.5), percentile(sorted, 0.99));
      System.out.flush();
    }
  }

  private static long[] merge(long[][] parts, int[] counts) {
    int n = 0;
    for (int c : counts) {
      n += c;
    }
    long[] all = new long[n];
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    return all;
  }

  private static double percentile(long[] sorted, double p) {
    return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)] / 1e6;
  }

  /** {@code n} updates, each one keystroke appended to a text by client {@code clientId}. */
  private static List<byte[]> keystrokes(long clientId, int n) {
    Doc doc = Doc.newBuilder().clientId(clientId).build();
    List<byte[]> out = new ArrayList<>(n);
    doc.onUpdate((update, origin, txn) -> out.add(update));
    for (int i = 0; i < n; i++) {
      doc.getText("notes").insert(i, Character.toString('a' + i % 26));
    }
    return out;
  }

  /** Counts the connections handed out: one per transaction of the store. */
  private static final class CountingDataSource implements DataSource {
    final AtomicLong connections = new AtomicLong();
    private final DataSource delegate;

    CountingDataSource(DataSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public Connection getConnection() throws SQLException {
      connections.incrementAndGet();
      return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      connections.incrementAndGet();
      return delegate.getConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return delegate.isWrapperFor(iface);
    }
  }
}
