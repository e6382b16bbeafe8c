package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.TestTokens;
import com.sun.management.ThreadMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own with a small heap, for attacks on memory ({@link HostileClientTest}): documents of at
 * most 1 MiB and a {@code beforeUpdate} hook that lets everything through (so that the server asks which roots each
 * update changes). Prints {@code ready <port>}, serves until its standard input closes; answers each line
 * {@code allocated} with {@code allocated <bytes>}, what its live threads have allocated so far (what a question
 * about an update costs, where the garbage it makes would not kill a heap however small).
 */
final class SmallHeapServer {
  private SmallHeapServer() {}

  /** A {@link SmallHeapServer} started in a JVM of its own with a 96 MiB heap, which exits on OutOfMemoryError. */
  static final class Child implements AutoCloseable {
    final Process process;
    final int port;
    private final BufferedReader out;

    private Child(Process process) throws IOException {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      if (ready == null || !ready.startsWith("ready ")) {
        process.destroyForcibly();
        throw new IllegalStateException("the child server's first line: " + ready);
      }
      this.port = Integer.parseInt(ready.substring("ready ".length()));
    }

    static Child start() throws IOException {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      return new Child(new ProcessBuilder(java.toString(), "-Xmx96m", "-XX:+ExitOnOutOfMemoryError",
          "-cp", System.getProperty("java.class.path"), SmallHeapServer.class.getName())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** What the child's live threads have allocated so far, in bytes. */
    long allocated() throws IOException {
      Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      in.write("allocated\n");
      in.flush();
      String line = out.readLine();
      if (line == null || !line.startsWith("allocated ")) {
        throw new IllegalStateException("the child server answered " + line + (isAlive() ? "" : " and exited"));
      }
      return Long.parseLong(line.substring("allocated ".length()));
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      out.close();
    }
  }

  /** The bytes that the live threads of this JVM have allocated. */
  private static long allocated() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes); // -1: the thread ended meanwhile
    }
    return total;
  }

  public static void main(String[] args) throws Exception {
    try (CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(TestTokens.TOKENS)
        .maxDocumentBytes(1 << 20).storeDebounce(Duration.ofMillis(10)).storeMaxWait(Duration.ofMillis(50))
        .hooks(new CollabHooks() {
          @Override
          public void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
              Updates.ChangedRoots roots) {
            // asked, and lets it through
          }
        }).build().start()) {
      System.out.println("ready " + server.port());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) { // until the test closes our input
        if (line.equals("allocated")) {
          System.out.println("allocated " + allocated());
          System.out.flush();
        }
      }
    }
  }
}
