package ai.candlefish.collab.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package, installed by {@code scripts/ensure-redis.sh} in the test phase) on a
 * free port of 127.0.0.1, in the foreground of a child process: no persistence, so a restart is a new, empty Redis
 * with a new run id, as a crashed cache server comes back. {@link #kill()} is {@code kill -9}; {@link #restart()}
 * starts it again on the same port.
 */
final class RedisServerProcess implements AutoCloseable {
  private static final String BINARY = "/usr/bin/redis-server";

  private final int port;
  private final Path log;
  private Process process;

  private RedisServerProcess(int port) throws IOException {
    this.port = port;
    this.log = Files.createTempFile("redis-" + port + "-", ".log");
  }

  /** Starts a redis-server on a free port and waits until it answers PING. */
  static RedisServerProcess start() {
    try {
      RedisServerProcess r = new RedisServerProcess(freePort());
      r.launch();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Whether the process is alive. */
  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** {@code kill -9}: the server vanishes with everything it held. */
  void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL on Linux
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not die within 10 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing redis-server", e);
    }
    process = null;
  }

  /** Starts it again on the same port (empty: no persistence). */
  void restart() {
    if (isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is running; kill() it first");
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one inline command and returns the raw reply (for the tests' inspections: XTRIM, INFO, ...). */
  String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\nQUIT\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return all.endsWith("+OK\r\n") ? all.substring(0, all.length() - 5) : all;
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port + ": " + inline, e);
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a log file left in the temporary directory
    }
  }

  private void launch() throws IOException {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new IllegalStateException(BINARY + " is missing: run scripts/ensure-redis.sh (apt-get install"
          + " redis-server); the build runs it in the test phase");
    }
    ProcessBuilder pb = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
            + ": " + Files.readString(log));
      }
      try {
        if (command("PING").startsWith("+PONG")) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("redis-server on port " + port + " did not answer within 20 s: "
            + Files.readString(log));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting redis-server", e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
