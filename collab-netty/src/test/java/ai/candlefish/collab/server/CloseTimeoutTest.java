package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that reads nothing while the server closes it: the close frame waits behind megabytes the client never
 * takes, and the connection is dropped at the close timeout (3 s), quietly. Netty logged a warning with a stack trace
 * for each such client ("Failed to mark a promise as failure because it has failed already": the close frame's write
 * was given the promise that the timeout had failed).
 */
class CloseTimeoutTest {
  @Test
  void aClientThatReadsNothing_isDroppedAtTheCloseTimeout_withoutAWarning() throws Exception {
    CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0)
        .documentStore(new InMemoryDocumentStore()).authenticator(TestTokens.TOKENS)
        .outboundBufferLimit(1L << 30).build().start(); // not closed for being slow: for its revoked token
    PrintStream err = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    try (Socket silent = RawWebSocket.open(server.port())) {
      silent.setReceiveBufferSize(4096);
      assertThat(RawWebSocket.upgrade(silent, "/plans?token=alice", "")).contains(" 101 ");
      DocumentHandle plans = server.openDocument(DocumentKey.of("acme", "plans")).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 40; i++) { // 20 MB of updates, more than both sockets' buffers hold
        plans.edit(t -> t.doc().getText("t").insert(0, "x".repeat(500_000))).get(10, TimeUnit.SECONDS);
      }
      System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
      assertThat(server.revoke("acme", "alice").get(10, TimeUnit.SECONDS)).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> server.connectionCount() == 0);
      Thread.sleep(500); // the outbound buffer's failures are reported as the channel closes
      plans.close();
    } finally {
      System.setErr(err);
      server.close();
    }
    assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain("Failed to mark a promise");
  }
}
