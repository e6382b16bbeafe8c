package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A page that opens many documents at once over one shared Hocuspocus socket (a document list, a dashboard): real
 * {@code HocuspocusProvider}s send every document's token, step 1 and presence before the first token is answered,
 * and every document must be served, not the socket closed for "too much before authentication".
 */
class HocuspocusManyDocumentsTest {
  private CollabServer server;
  private YjsNodeClients node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void fortyProviders_onOneSharedSocket_openedAtOnce_allSync() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TestTokens.TOKENS).build().start();
    node = YjsNodeClients.start();
    node.call("socket", "id", "s", "url", "ws://127.0.0.1:" + server.port());
    for (int i = 0; i < 40; i++) {
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "p" + i, "room", "doc-" + i, "token",
          "alice", "waitSynced", false);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (int i = 0; i < 40; i++) {
        if (!Boolean.TRUE.equals(node.status("p" + i).get("synced"))) {
          return false;
        }
      }
      return true;
    });
    assertThat(node.status("p0").get("closes")).asList().isEmpty();
  }
}
