package ai.candlefish.collab.redis;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 17 (io.zonky's embedded binaries) that can die and come back: its data directory and port stay
 * the same, so a node's JDBC URL works again after {@link #restart()}. {@link #kill()} is {@code kill -9} of the
 * postmaster and every backend, a crash: what was committed survives (commits wait for the WAL, {@code
 * synchronous_commit=on}, unlike zonky's default), the rest is gone, and the next start runs crash recovery.
 */
final class PostgresProcess implements AutoCloseable {
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres postgres;

  private PostgresProcess() throws IOException {
    this.dataDirectory = Files.createTempDirectory("cluster-pg-");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
  }

  /** Creates a database cluster in a fresh directory and starts it on a free port. */
  static PostgresProcess start() throws IOException {
    PostgresProcess p = new PostgresProcess();
    p.launch();
    return p;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
  }

  boolean isAlive() {
    return postgres != null;
  }

  /** {@code kill -9} of the postmaster and its backends; returns once every one of them is gone. */
  void kill() throws IOException {
    long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() ->
        new IllegalStateException("the postmaster (pid " + pid + ") is not running"));
    List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
    all.add(0, postmaster);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("PostgreSQL process " + p.pid() + " did not die within 10 s of SIGKILL", e);
      }
    }
    EmbeddedPostgres dead = postgres;
    postgres = null;
    dead.close(); // releases zonky's lock on the directory (its pg_ctl stop finds nothing to stop)
  }

  /** Starts it again on the same directory and port: crash recovery, then the same data. */
  void restart() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException("PostgreSQL on port " + port + " is running; kill() it first");
    }
    launch();
  }

  @Override
  public void close() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      // a directory left in the temporary directory
    }
  }

  private void launch() throws IOException {
    postgres = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
        .setPort(port).setServerConfig("synchronous_commit", "on").start();
  }
}
