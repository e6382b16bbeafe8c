package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection flood that takes the server's process to its open-file limit (EMFILE on accept), in a JVM of its own
 * ({@link OpenFileLimitServer}) started under {@code ulimit -n} {@value #OPEN_FILES}: the failed accepts are logged
 * once a minute with a count (Netty logged a WARN with a stack trace for each, about one a second while the flood
 * lasted), the open connections are served throughout, and new ones are accepted once the flood ends.
 */
class OpenFileLimitTest {
  private static final int OPEN_FILES = 400;
  /** More connections than the process has descriptors left (the JVM's jars and the server's own take ~150). */
  private static final int FLOOD = 600;
  private static final Duration FLOOD_TIME = Duration.ofSeconds(5);
  private static final String REPORT = "could not accept";

  @Test
  void acceptFailures_atTheOpenFileLimit_areReportedOnceAMinute_andTheServerServesThroughout() throws Exception {
    Path log = Files.createTempFile("open-file-limit-", ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder("bash", "-c", "ulimit -n " + OPEN_FILES + " && exec \"$@\"", "bash",
        java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        OpenFileLimitServer.class.getName())
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    List<Socket> flood = new ArrayList<>();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("the server's first line; its log:%n%s", Files.readString(log)).startsWith("ready ");
      int port = Integer.parseInt(ready.substring("ready ".length()));
      URI document = URI.create("ws://127.0.0.1:" + port + "/plans?token=alice");
      try (YClient a = YClient.connect(document); YClient b = YClient.connect(document)) {
        a.awaitSynced();
        b.awaitSynced();
        // Also loads the classes an edit needs: from target/classes each class is a file to open, which fails at
        // the limit (from a jar, opened once, it does not).
        a.insert(0, "before the flood");
        await().atMost(Duration.ofSeconds(30)).until(() -> b.text().equals("before the flood"));
        Thread.sleep(500); // and the store's (it writes 10-50 ms after an edit)

        long start = System.nanoTime();
        for (int i = 0; i < FLOOD; i++) {
          flood.add(new Socket("127.0.0.1", port)); // the kernel completes them; the server cannot take them all
        }
        await("the report; the log: " + log).atMost(Duration.ofSeconds(30))
            .until(() -> Files.readString(log).contains(REPORT));
        a.insert(0, "during, ");
        await().atMost(Duration.ofSeconds(30)).until(() -> b.text().equals("during, before the flood"));
        Thread.sleep(Math.max(0, FLOOD_TIME.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));

        String during = Files.readString(log);
        long minutes = TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - start);
        assertThat(during.lines().filter(line -> line.contains(REPORT)).count())
            .as("reports: the first at once, then one a minute at most; the log:%n%s", during)
            .isBetween(1L, 1 + minutes);
        assertThat(during).as("Netty's own line per failed accept").doesNotContain("exceptionCaught()")
            .doesNotContain("Failed to create a new channel");

        for (Socket socket : flood) {
          socket.close();
        }
        flood.clear();
        try (YClient c = YClient.connect(document)) {
          c.awaitSynced();
          assertThat(c.text()).isEqualTo("during, before the flood");
        }
      }
    } finally {
      for (Socket socket : flood) {
        socket.close();
      }
      child.getOutputStream().close(); // the server closes and exits
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      if (!Boolean.getBoolean("openFileLimit.keepLog")) {
        Files.deleteIfExists(log);
      }
    }
  }
}
