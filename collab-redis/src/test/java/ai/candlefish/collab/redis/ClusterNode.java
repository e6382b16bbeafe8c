package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server node ({@link ClusterNodeMain}) in a JVM of its own for the fault tests; its log (stderr) goes to a file. */
final class ClusterNode {
  final String id;
  final int port;
  final Path log;
  final Process process;
  private final BufferedReader out;
  private final Writer in;

  /** @param jvmOptions more options of the node's JVM ({@code -D...} settings that {@link ClusterNodeMain} reads) */
  ClusterNode(String jdbcUrl, String redisUri, String id, int leaseTtlMillis, int nodeTimeoutMillis,
      List<String> jvmOptions) throws Exception {
    this.id = id;
    this.port = freePort();
    this.log = Files.createTempFile("cluster-node-" + id + "-", ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m",
        // The reader's resyncs are logged at debug: the fault tests look for them.
        "-Dorg.slf4j.simpleLogger.log.ai.candlefish.collab.redis.StreamReader=debug"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterNodeMain.class.getName(), jdbcUrl,
        redisUri, Integer.toString(port), id, Integer.toString(leaseTtlMillis), Integer.toString(nodeTimeoutMillis)));
    process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String line;
    while ((line = out.readLine()) != null && !line.equals("ready")) {
      // the node's own output before it listens
    }
    if (line == null) {
      throw new AssertionError("node " + id + " ended before it listened: exit " + process.waitFor() + "\n"
          + Files.readString(log));
    }
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  /** Revokes principal {@code principal} of tenant "cluster" on this node; returns its connections that had it. */
  int revoke(String principal) throws IOException {
    in.write("revoke " + principal + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null || !line.startsWith("revoked ")) {
      throw new AssertionError("node " + id + " answered " + line + " to revoke\n" + log());
    }
    return Integer.parseInt(line.substring(8));
  }

  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    assertThat(kill.waitFor()).as("kill -%s %s", signal, id).isZero();
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  void destroy() throws Exception {
    if (process.isAlive()) {
      signal("CONT");
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Files.deleteIfExists(log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
