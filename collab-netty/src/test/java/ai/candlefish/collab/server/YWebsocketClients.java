package ai.candlefish.collab.server;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Real Yjs clients in a Node process ({@code src/test/js/ywebsocket-clients.mjs}: y-websocket's
 * {@code WebsocketProvider}, and {@code @hocuspocus/provider}'s with {@code "kind", "hocuspocus"}), driven line by
 * line. Each method sends one command and waits for its reply; a command that fails in Node fails the test with Node's
 * stack trace and everything Node wrote to stderr.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class YWebsocketClients implements AutoCloseable {
  private static final long REPLY_TIMEOUT_SECONDS = 60;

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();

  private YWebsocketClients(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump("node-replies", process.getInputStream(), replies::add);
    pump("node-stderr", process.getErrorStream(), line -> stderr.append(line).append('\n'));
  }

  static YWebsocketClients start() {
    Path dir = jsDir();
    if (!Files.isDirectory(dir.resolve("node_modules/y-websocket"))) {
      throw new IllegalStateException("y-websocket is not installed in " + dir
          + "; run ./mvnw -pl collab-netty generate-test-resources (or npm ci there)");
    }
    try {
      return new YWebsocketClients(new ProcessBuilder("node", "ywebsocket-clients.mjs").directory(dir.toFile())
          .start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (Node 20+ must be on the PATH)", e);
    }
  }

  static Path jsDir() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    for (Path p : List.of(Path.of(basedir, "src/test/js"), Path.of(basedir, "collab-netty/src/test/js"))) {
      if (Files.isRegularFile(p.resolve("ywebsocket-clients.mjs"))) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException("cannot find collab-netty/src/test/js from " + basedir);
  }

  private static void pump(String name, InputStream in, Consumer<String> sink) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          sink.accept(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** Sends {@code op} with alternating keys and values; returns the reply. */
  Map<String, Object> call(String op, Object... keysAndValues) {
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("op", op);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      cmd.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    String reply;
    try {
      stdin.write(Json.stringify(cmd) + "\n");
      stdin.flush();
      reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new AssertionError("node is gone; stderr:\n" + stderr, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (reply == null) {
      throw new AssertionError("no reply to " + op + " within " + REPLY_TIMEOUT_SECONDS + " s; stderr:\n" + stderr);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) Json.parse(reply);
    if (result.containsKey("error")) {
      throw new AssertionError(op + " failed in node: " + result.get("error") + "\nstderr:\n" + stderr);
    }
    return result;
  }

  /** Connects client {@code id} to {@code url}/{@code room} and waits until it is synced; returns its client id. */
  long connect(String id, String url, String room, String token) {
    return ((Number) call("connect", "id", id, "url", url, "room", room, "token", token).get("clientId")).longValue();
  }

  void insert(String id, int index, String text) {
    call("insert", "id", id, "index", index, "text", text);
  }

  String text(String id) {
    return (String) call("text", "id", id).get("text");
  }

  void waitText(String id, String text) {
    call("waitText", "id", id, "text", text, "timeoutMs", 10_000);
  }

  String waitSame(String... ids) {
    return (String) call("waitSame", "ids", List.of(ids), "timeoutMs", 10_000).get("text");
  }

  void waitAwareness(String id, long client, boolean present, int timeoutMs) {
    call("waitAwareness", "id", id, "client", client, "present", present, "timeoutMs", timeoutMs);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> status(String id) {
    return call("status", "id", id);
  }

  String stderr() {
    return stderr.toString();
  }

  @Override
  public void close() {
    try {
      call("quit");
    } catch (AssertionError e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
