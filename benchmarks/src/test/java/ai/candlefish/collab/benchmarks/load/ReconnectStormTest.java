package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A small reconnect storm by {@code run-storm.sh}, so that the harness keeps working and the server keeps passing
 * it: 40 clients of both protocols (real Yjs in Node, {@code js/churn.mjs}) on 8 documents of a {@code StoreLoadServer}
 * (H2 file) in a JVM of its own, killed with {@code kill -9} and started again, then a network cut; every client
 * must sync again each time, and at the end every acknowledged and every sent edit must be in its document and every
 * client converged (the script's own check). No timing assertions; the real runs are in RESULTS.md.
 */
class ReconnectStormTest {

  @Test
  void runStorm_killAndCut_everyClientSyncsAgain_andNothingIsLost() throws Exception {
    Path module = Path.of("").toAbsolutePath();
    assertThat(module.resolve("js/node_modules/yjs")).as("npm ci in %s/js (the build's npm-ci step)", module)
        .exists();
    int port = freePort();
    int relay = freePort();
    Path output = Files.createTempFile("storm", ".log");
    ProcessBuilder builder = new ProcessBuilder("bash", "run-storm.sh", "--no-build", "--port",
        Integer.toString(port), "--relay-port", Integer.toString(relay), "--clients", "40", "--docs", "8", "--hold",
        "2", "--cut", "2").directory(module.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
    // The server runs from this test's classpath (StoreLoadServer and collab-jdbc, H2, Hikari).
    builder.environment().put("STORM_CLASSPATH", System.getProperty("java.class.path"));
    Process storm = builder.start();
    boolean ended = storm.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      storm.destroyForcibly();
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    System.out.print(printed);
    assertThat(ended).as("run-storm.sh ended within 5 minutes").isTrue();
    assertThat(storm.exitValue()).as(printed).isZero();
    assertThat(printed).contains("kill -9: all 40 clients synced again", "network cut of 2 s: all 40 clients synced"
        + " again", "missingAcked 0", "missingSent 0 divergedClients 0", "run-storm.sh: passed");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
