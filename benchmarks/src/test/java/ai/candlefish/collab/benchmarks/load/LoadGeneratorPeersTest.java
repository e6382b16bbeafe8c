package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A seconds-long smoke run of the load generator against the Node servers that run-load.sh compares with
 * (js/load-server.mjs: @y/websocket-server and @hocuspocus/server), so that the side-by-side harness keeps working:
 * the protocols must still be understood by the real servers, and the process figures must still be read from a
 * process that is not a JVM.
 */
class LoadGeneratorPeersTest {
  private static final Pattern READY = Pattern.compile("LoadServer ready on (\\d+) pid (\\d+)");
  private Process server;

  @AfterEach
  void stopServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @CsvSource({"y-websocket-server, y-websocket", "hocuspocus, hocuspocus"})
  void run_againstNodeServer_converges_andMeasuresTheProcess(String kind, String protocol) throws Exception {
    Path js = Path.of("js").toAbsolutePath();
    assertThat(js.resolve("node_modules/@hocuspocus/server")).as("npm ci in %s (the build's npm-ci step)", js)
        .exists();
    server = new ProcessBuilder("node", "load-server.mjs", kind, "0").directory(js.toFile())
        .redirectErrorStream(true).start();
    Matcher ready = awaitReady(server);
    int port = Integer.parseInt(ready.group(1));
    long pid = Long.parseLong(ready.group(2));

    LoadReport report = LoadGenerator.run(LoadSettings.newBuilder().server(URI.create("ws://127.0.0.1:" + port))
        .serverName(kind).protocol(LoadCommandLine.protocol(protocol)).scenario("smoke").clients(12, 3).rate(5)
        .initialDocumentBytes(10_000).awarenessInterval(Duration.ofSeconds(1))
        .phases(Duration.ofMillis(300), Duration.ofSeconds(2)).serverPid(pid).build());

    System.out.print(report.summary());
    assertThat(report.connected()).isEqualTo(12);
    assertThat(report.errors()).isZero();
    assertThat(report.updatesSent()).isPositive();
    assertThat(report.deliveries()).isEqualTo(report.updatesSent() * 3);
    assertThat(report.converged()).as(report.divergence()).isTrue();
    if (protocol.equals("hocuspocus")) {
      assertThat(report.ack().unacknowledged()).isZero();
    }
    // A Node process: CPU and resident memory are read, the JVM-only heap figure is not.
    assertThat(report.serverRssConnectedBytes()).isPositive();
    assertThat(report.serverCpuPercent()).isPositive();
    assertThat(report.serverHeapConnectedBytes()).isEqualTo(-1);
  }

  private static Matcher awaitReady(Process process) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Matcher> ready = CompletableFuture.supplyAsync(() -> {
      StringBuilder seen = new StringBuilder();
      try {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          Matcher m = READY.matcher(line);
          if (m.find()) {
            return m;
          }
          seen.append(line).append('\n');
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      throw new IllegalStateException("the server ended before it was ready:\n" + seen);
    });
    return ready.get(60, TimeUnit.SECONDS);
  }
}
