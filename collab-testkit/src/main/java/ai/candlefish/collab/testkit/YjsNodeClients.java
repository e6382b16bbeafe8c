package ai.candlefish.collab.testkit;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Real Yjs clients in a Node process ({@code collab-testkit/src/main/js/yjs-node-clients.mjs}: y-websocket's
 * {@code WebsocketProvider}, and {@code @hocuspocus/provider}'s with {@code "kind", "hocuspocus"}), driven line by
 * line; the script's header lists the commands. Each method sends one command and waits for its reply; a command that fails in Node fails the test with Node's
 * stack trace and everything Node wrote to stderr.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class YjsNodeClients implements AutoCloseable {
  /** What the script waits when a command gives no "timeoutMs" (its {@code DEFAULT_WAIT_MS}). */
  private static final long NODE_DEFAULT_WAIT_MILLIS = 30_000;
  /**
   * How much longer than its own wait a command may take to be answered: Node shares the machine with the servers
   * it talks to, and at a load of 50 to 80 it gets a small slice of a core. A reply that never comes means Node is
   * stuck or gone; a command that waits must be able to fail in Node first, with its own message.
   */
  private static final long REPLY_MARGIN_MILLIS = 60_000;

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  /** Replies still owed to commands whose callers stopped waiting: they come first and are dropped. */
  private int abandonedReplies;

  private YjsNodeClients(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump("node-replies", process.getInputStream(), replies::add);
    pump("node-stderr", process.getErrorStream(), line -> stderr.append(line).append('\n'));
  }

  /** Starts the Node process; fails when the kit's npm packages are not installed or Node is not on the PATH. */
  public static YjsNodeClients start() {
    Path dir = jsDir();
    if (!Files.isDirectory(dir.resolve("node_modules/y-websocket"))) {
      throw new IllegalStateException("y-websocket is not installed in " + dir
          + "; run ./mvnw -pl collab-testkit process-classes (or npm ci there)");
    }
    try {
      return new YjsNodeClients(new ProcessBuilder("node", "yjs-node-clients.mjs").directory(dir.toFile())
          .start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (Node 20+ must be on the PATH)", e);
    }
  }

  /**
   * The script's folder, found from the running module's folder (a sibling of this kit, or an example's under
   * {@code examples/}) or the project's.
   */
  static Path jsDir() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    for (Path p : List.of(Path.of(basedir, "../collab-testkit/src/main/js"),
        Path.of(basedir, "../../collab-testkit/src/main/js"), Path.of(basedir, "collab-testkit/src/main/js"))) {
      if (Files.isRegularFile(p.resolve("yjs-node-clients.mjs"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("cannot find collab-testkit/src/main/js from " + basedir);
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

  /**
   * Sends {@code op} with alternating keys and values and waits for its reply.
   *
   * @return the reply
   * @throws AssertionError when the command fails in Node (with Node's stderr), or no reply comes in time
   */
  public Map<String, Object> call(String op, Object... keysAndValues) {
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("op", op);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      cmd.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    long waitMillis = REPLY_MARGIN_MILLIS + (cmd.get("timeoutMs") instanceof Number n ? n.longValue()
        : NODE_DEFAULT_WAIT_MILLIS);
    String reply;
    try {
      stdin.write(Json.stringify(cmd) + "\n");
      stdin.flush();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      reply = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      while (reply != null && abandonedReplies > 0) { // the late reply to an earlier command, not ours
        abandonedReplies--;
        reply = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (IOException e) {
      throw new AssertionError("node is gone; stderr:\n" + stderr, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandonedReplies++;
      throw new AssertionError("interrupted", e);
    }
    if (reply == null) {
      abandonedReplies++;
      throw new AssertionError("no reply to " + op + " within " + waitMillis / 1000 + " s; stderr:\n" + stderr);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) Json.parse(reply);
    if (result.containsKey("error")) {
      throw new AssertionError(op + " failed in node: " + result.get("error") + "\nstderr:\n" + stderr);
    }
    return result;
  }

  /** Connects client {@code id} to {@code url}/{@code room} and waits up to 30 s until it is synced; returns its id. */
  public long connect(String id, String url, String room, String token) {
    return ((Number) call("connect", "id", id, "url", url, "room", room, "token", token).get("clientId")).longValue();
  }

  /**
   * Adds a new {@code Y.Doc} (with {@code guid}, or a random one when null) as a subdocument under {@code key} of
   * client {@code id}'s map "m"; returns its guid.
   */
  public String addSubdoc(String id, String key, String guid) {
    return (String) call("addSubdoc", "id", id, "key", key, "guid", guid).get("guid");
  }

  /**
   * Waits until client {@code id}'s map "m" holds a subdocument under {@code key}, loads it and opens it with a
   * y-websocket provider of its own on room = its guid, as client {@code as}, and waits until that one is synced;
   * returns the guid.
   */
  public String openSubdoc(String id, String key, String as, String url, String token) {
    return (String) call("openSubdoc", "id", id, "key", key, "as", as, "url", url, "token", token).get("guid");
  }

  /** Inserts {@code text} at {@code index} into client {@code id}'s text. */
  public void insert(String id, int index, String text) {
    call("insert", "id", id, "index", index, "text", text);
  }

  /** Client {@code id}'s text, as it is now. */
  public String text(String id) {
    return (String) call("text", "id", id).get("text");
  }

  /** Waits up to 30 s until client {@code id}'s text is exactly {@code text}. */
  public void waitText(String id, String text) {
    call("waitText", "id", id, "text", text);
  }

  /** Waits up to 30 s until the clients' texts are equal; returns that text. */
  public String waitSame(String... ids) {
    return (String) call("waitSame", "ids", List.of(ids)).get("text");
  }

  /** Waits until client {@code id} sees {@code client}'s presence (or, with {@code present} false, no longer). */
  public void waitAwareness(String id, long client, boolean present, int timeoutMs) {
    call("waitAwareness", "id", id, "client", client, "present", present, "timeoutMs", timeoutMs);
  }

  /** Client {@code id}'s connection state; see the script's {@code status} command. */
  public Map<String, Object> status(String id) {
    return call("status", "id", id);
  }

  /**
   * Sends {@code update} as it is over client {@code id}'s socket, as a y-websocket sync message of {@code type} (1:
   * step 2, 2: update) or, for a Hocuspocus client, that message after the document's name: what a hostile client
   * could send, such as structs forged under another user's client id.
   */
  public void sendRaw(String id, int type, byte[] update, String hocuspocusDocument) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (hocuspocusDocument != null) {
      writeBytes(out, hocuspocusDocument.getBytes(StandardCharsets.UTF_8));
    }
    out.write(0); // sync
    out.write(type);
    writeBytes(out, update);
    call("raw", "id", id, "hex", HexFormat.of().formatHex(out.toByteArray()));
  }

  /** lib0 varUint8Array: the length as a varUint, then the bytes. */
  private static void writeBytes(ByteArrayOutputStream out, byte[] bytes) {
    for (int n = bytes.length; ; n >>>= 7) {
      if (n < 0x80) {
        out.write(n);
        break;
      }
      out.write((n & 0x7f) | 0x80);
    }
    out.writeBytes(bytes);
  }

  /** The close codes that client {@code id}'s connections were closed with so far (from {@link #status}). */
  @SuppressWarnings("unchecked")
  public List<Integer> closeCodes(String id) {
    return ((List<Map<String, Object>>) status(id).get("closes")).stream()
        .map(c -> ((Number) c.get("code")).intValue()).toList();
  }

  /** Everything Node wrote to stderr so far. */
  public String stderr() {
    return stderr.toString();
  }

  /** Ends the Node process (its clients disconnect). */
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
