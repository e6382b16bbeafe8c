package ai.candlefish.collab.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} (Debian's, installed by {@code scripts/ensure-redis.sh} in the test phase) on a free
 * port of 127.0.0.1, without persistence. {@link #kill()} is {@code kill -9}; {@link #start()} again uses the same
 * port.
 */
final class RedisServer implements AutoCloseable {
  private static final String BINARY = "/usr/bin/redis-server";
  final int port;
  private Process process;

  RedisServer() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    start();
  }

  void start() throws IOException {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new IllegalStateException(BINARY + " is missing: run scripts/ensure-redis.sh");
    }
    process = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Awaitility.await("redis-server listening on " + port).atMost(30, TimeUnit.SECONDS).until(this::listening);
  }

  private boolean listening() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return process.isAlive();
    } catch (IOException e) {
      return false;
    }
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new UncheckedIOException(new IOException("redis-server did not die within 20 s of SIGKILL"));
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
