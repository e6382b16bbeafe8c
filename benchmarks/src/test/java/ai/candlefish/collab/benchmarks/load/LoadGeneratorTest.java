package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seconds-long smoke run of the load generator against a real server in this JVM, so that the harness keeps
 * working; the real runs are {@code run-load.sh}. No timing assertions: the figures only have to exist.
 */
class LoadGeneratorTest {
  private CollabServer server;

  @BeforeEach
  void startServer() {
    server = CollabServer.newBuilder().port(0).host("127.0.0.1")
        .authenticator(Authenticator.insecureAllowAll("load")).build().start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private LoadSettings.Builder settings() {
    return LoadSettings.newBuilder().server(URI.create("ws://127.0.0.1:" + server.port())).scenario("smoke");
  }

  @ParameterizedTest
  // The last: all three at once on every document, each update relayed from one protocol to the others.
  @ValueSource(strings = {"y-websocket", "hocuspocus", "collab.v1", "y-websocket,hocuspocus,collab.v1"})
  void run_editingClients_converge_andRecordLatencies(String protocol) throws Exception {
    LoadReport report = LoadGenerator.run(settings().protocol(LoadCommandLine.protocol(protocol))
        .clients(20, 4).rate(5)
        .phases(Duration.ofMillis(500), Duration.ofSeconds(3)).awarenessInterval(Duration.ofSeconds(1)).build());

    System.out.print(report.summary());
    assertThat(report.connected()).isEqualTo(20);
    assertThat(report.unexpectedCloses()).isZero();
    assertThat(report.protocolErrors()).isZero();
    assertThat(report.updatesSent()).isPositive();
    // Every update reaches the 4 other clients of its document, and each receipt is one latency sample.
    assertThat(report.undelivered()).isZero();
    assertThat(report.unmatched()).isZero();
    assertThat(report.deliveries()).isEqualTo(report.updatesSent() * 4);
    assertThat(report.latencySamples()).isPositive();
    assertThat(report.relayMaxMillis()).isGreaterThanOrEqualTo(report.relayP50Millis()).isPositive();
    assertThat(report.documentsChecked()).isEqualTo(4);
    assertThat(report.converged()).as(report.divergence()).isTrue();
    if (!protocol.equals("y-websocket")) {
      // The server acknowledged every update, each once (an unknown or repeated ack id is a protocol error).
      assertThat(report.ack().measured()).isTrue();
      assertThat(report.ack().unacknowledged()).isZero();
      assertThat(report.ack().samples()).isPositive().isLessThanOrEqualTo(report.updatesSent());
      assertThat(report.ack().maxMillis()).isGreaterThanOrEqualTo(report.ack().p50Millis()).isPositive();
    } else {
      assertThat(report.ack().measured()).isFalse();
      assertThat(report.ack().samples()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"y-websocket", "hocuspocus", "collab.v1"})
  void run_idleClients_connectAndConverge(String protocol) throws Exception {
    LoadReport report = LoadGenerator.run(settings().protocol(LoadCommandLine.protocol(protocol))
        .clients(12, 3).rate(0)
        .phases(Duration.ZERO, Duration.ofMillis(300)).build());

    assertThat(report.connected()).isEqualTo(12);
    assertThat(report.connectP99Millis()).isPositive();
    assertThat(report.updatesSent()).isZero();
    assertThat(report.converged()).as(report.divergence()).isTrue();
  }

  /**
   * Split over two processes (--processes 2), the other one a JVM of its own started by this one: it holds the clients
   * of documents 4-7, this one those of 0-3 and every writer; all 40 connect, and all 8 documents are checked.
   */
  @Test
  void run_inTwoProcesses_theOtherHoldsItsShareAndChecksItsDocuments() throws Exception {
    List<String> commandLine = List.of("--server", "ws://127.0.0.1:" + server.port(), "--scenario", "smoke",
        "--clients", "40", "--documents", "8", "--writers", "4", "--rate", "5", "--duration", "2", "--awareness", "1",
        "--processes", "2");
    LoadReport report = LoadGenerator.run(LoadCommandLine.parse(commandLine.toArray(String[]::new)), commandLine);

    assertThat(report.connected()).isEqualTo(40);
    assertThat(report.documentsChecked()).isEqualTo(8);
    assertThat(report.converged()).as(report.divergence()).isTrue();
    assertThat(report.unexpectedCloses()).isZero();
    assertThat(report.protocolErrors()).isZero();
    // The writers' documents are this process's: each update reaches the 4 other clients of its document.
    assertThat(report.updatesSent()).isPositive();
    assertThat(report.undelivered()).isZero();
    assertThat(report.deliveries()).isEqualTo(report.updatesSent() * 4);
  }

  @Test
  void processes_whoseShareLeavesAWritersDocumentToAnother_areRefused() {
    assertThatThrownBy(() -> settings().clients(40, 8).writers(5).processes(2, 0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use fewer writers or processes");
  }

  @Test
  void run_warmupConnections_connectOnDocumentsOfTheirOwn_beforeTheClients() throws Exception {
    server.close();
    List<String> paths = new CopyOnWriteArrayList<>();
    Authenticator all = Authenticator.insecureAllowAll("load");
    server = CollabServer.newBuilder().port(0).host("127.0.0.1").authenticator((token, connection) -> {
      paths.add(connection.path());
      return all.authenticate(token, connection);
    }).build().start();

    LoadReport report = LoadGenerator.run(settings().clients(12, 3).rate(0).warmupConnections(60)
        .phases(Duration.ZERO, Duration.ofMillis(300)).build());

    assertThat(report.connected()).isEqualTo(12);
    assertThat(report.converged()).as(report.divergence()).isTrue();
    // Two batches of warm-up connections, then the clients (and the convergence check's probes).
    assertThat(paths.subList(0, 60)).allMatch(p -> p.contains("warmup-"));
    assertThat(paths.subList(60, 72)).noneMatch(p -> p.contains("warmup-"));
  }

  /**
   * A server that may hold only as many connections as there are clients (as one at its process's open-file limit):
   * the convergence check's probe of each document takes the place of one of its clients, which leaves first.
   */
  @ParameterizedTest
  @ValueSource(strings = {"y-websocket", "hocuspocus"})
  void run_convergenceCheck_needsNoConnectionBeyondTheClients(String protocol) throws Exception {
    server.close();
    server = CollabServer.newBuilder().port(0).host("127.0.0.1").authenticator(Authenticator.insecureAllowAll("load"))
        .connectionLimits(12, 12).build().start();

    LoadReport report = LoadGenerator.run(settings().protocol(LoadCommandLine.protocol(protocol)).clients(12, 3)
        .rate(2).phases(Duration.ZERO, Duration.ofMillis(500)).build());

    assertThat(report.connected()).isEqualTo(12);
    assertThat(report.documentsChecked()).isEqualTo(3);
    assertThat(report.converged()).as(report.divergence()).isTrue();
    assertThat(report.errors()).isZero();
  }

  @Test
  void run_refusedClient_isReportedWithTheServersCloseCodeAndReason() throws Exception {
    server.close();
    AtomicInteger connections = new AtomicInteger();
    Authenticator all = Authenticator.insecureAllowAll("load");
    server = CollabServer.newBuilder().port(0).host("127.0.0.1").authenticator((token, connection) -> {
      if (connections.incrementAndGet() == 5) {
        throw new AuthenticationException("the fifth is refused");
      }
      return all.authenticate(token, connection);
    }).build().start();

    LoadReport report = LoadGenerator.run(settings().clients(12, 3).rate(0)
        .phases(Duration.ZERO, Duration.ofMillis(300)).build());

    assertThat(report.connected()).isEqualTo(11);
    assertThat(report.connectFailures()).isEqualTo(1);
    assertThat(report.failureCauses()).containsExactly(entry("the server closed with 4401 the fifth is refused", 1));
    assertThat(report.summary()).contains("by cause: {the server closed with 4401 the fifth is refused=1}");
  }

  @Test
  void run_writersAndInitialDocument_onlyWritersEdit_andJoinersReceiveTheDocument() throws Exception {
    LoadReport report = LoadGenerator.run(settings().clients(6, 1).writers(1).rate(10).initialDocumentBytes(20_000)
        .phases(Duration.ZERO, Duration.ofSeconds(1)).build());

    assertThat(report.connected()).isEqualTo(6);
    assertThat(report.writers()).isEqualTo(1);
    // Only client 0 edits; its 5 readers get each update (the seeding client is not counted).
    assertThat(report.updatesSent()).isPositive();
    assertThat(report.deliveries()).isEqualTo(report.updatesSent() * 5);
    assertThat(report.errors()).isZero();
    assertThat(report.converged()).as(report.divergence()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"y-websocket", "hocuspocus"})
  void run_replicas_clientsWithoutAReplicaReceiveEveryUpdate_andAreCheckedByTheirClocks(String protocol)
      throws Exception {
    // Clients 0 and 1 (one per document) edit and keep replicas; the other 8 only time and count what they receive.
    LoadReport report = LoadGenerator.run(settings().protocol(LoadCommandLine.protocol(protocol))
        .clients(10, 2).writers(2).replicas(2).rate(20)
        .phases(Duration.ofMillis(300), Duration.ofSeconds(2)).build());

    assertThat(report.connected()).isEqualTo(10);
    assertThat(report.updatesSent()).isPositive();
    assertThat(report.deliveries()).isEqualTo(report.updatesSent() * 4);
    assertThat(report.undelivered()).isZero();
    assertThat(report.errors()).isZero();
    assertThat(report.documentsChecked()).isEqualTo(2);
    assertThat(report.converged()).as(report.divergence()).isTrue();
  }

  @Test
  void settings_replicas_areOnePerDocumentByDefault() {
    assertThat(settings().clients(10, 2).build().replicas()).isEqualTo(2);
    assertThat(settings().clients(10, 2).replicas(20).build().replicas()).isEqualTo(10);
    assertThat(settings().clients(10, 2).replicas(0).build().hasReplica(0)).isFalse();
  }

  @Test
  void initialDocument_isAtLeastTheSizeAskedFor_andHasManyItems() {
    byte[] update = InitialDocument.ofSize(50_000, 1);
    ai.candlefish.collab.core.Doc doc = ai.candlefish.collab.core.Doc.create();
    doc.applyUpdate(update);

    assertThat(update.length).isGreaterThanOrEqualTo(50_000);
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(update);
    assertThat(doc.getText(LoadClient.TEXT).length()).isGreaterThan(1000).isLessThan(update.length);
  }

  @Test
  void run_serverPid_measuresCpuAndHeap() throws Exception {
    LoadReport report = LoadGenerator.run(settings().clients(4, 2).rate(2)
        .phases(Duration.ZERO, Duration.ofSeconds(1)).serverPid(ProcessHandle.current().pid()).build());

    assertThat(report.serverHeapIdleBytes()).isPositive();
    assertThat(report.serverHeapConnectedBytes()).isPositive();
    assertThat(report.serverRssBytes()).isPositive();
    assertThat(report.serverCpuPercent()).isGreaterThanOrEqualTo(0);
    assertThat(report.converged()).isTrue();
  }
}
