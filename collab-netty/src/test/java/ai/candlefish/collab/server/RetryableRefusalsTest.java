package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.testkit.ForwardingDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A refusal that says "try again later" is one the real provider retries, and one that says "never" is final for it
 * (README "Security", the table of refusals per protocol): y-websocket 3.1.0's {@code WebsocketProvider} reconnects on
 * every close code but 4400-4499; {@code @hocuspocus/provider} 4.8.0 takes "permission denied" as final and asks for
 * a document again only when its socket reconnects, which it does on any close. collab/1's client is tested in
 * collab-client ({@code CollabClientTest}).
 */
@ExtendWith(YjsNodeClientsExtension.class)
class RetryableRefusalsTest {
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension
  private static final long MAX_DOCUMENT_BYTES = 64 * 1024;
  /** Text that makes a document larger than the server allows (4413). */
  private static final String TOO_MUCH = "x".repeat((int) MAX_DOCUMENT_BYTES * 2);

  /** A store that cannot load document {@link #failing} (a database that is down for it) until told otherwise. */
  static final class FlakyStore extends ForwardingDocumentStore {
    volatile String failing;

    @Override
    public StoredDocument load(DocumentKey key) {
      if (key.name().equals(failing)) {
        throw new StoreException("database down");
      }
      return super.load(key);
    }
  }

  private final FlakyStore store = new FlakyStore();
  private CollabServer server;

  @BeforeEach
  void startServer() {
    server = CollabServer.newBuilder()
        .host("127.0.0.1")
        .port(0)
        .documentStore(store)
        .authenticator(TestTokens.TOKENS)
        .storeDebounce(Duration.ofMillis(50))
        .storeMaxWait(Duration.ofMillis(200))
        .unloadDelay(Duration.ofMillis(100))
        .maxDocumentBytes(MAX_DOCUMENT_BYTES)
        .build()
        .start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  private String serverText(String document) {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", document)).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> status, String key) {
    return (List<Object>) status.get(key);
  }

  @Test
  void hocuspocus_documentThatCannotLoadNow_closesTheSocketWith4503_andTheProviderSyncsOnceItLoads() {
    // Before, the provider heard "permission denied" for it and never asked again: it stayed unsynced.
    store.failing = "flaky";
    node.call("socket", "id", "s", "url", url());
    try {
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "steady", "room", "steady", "token", "alice");
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "flaky", "room", "flaky", "token", "alice",
          "waitSynced", false);
      await().atMost(Duration.ofSeconds(30)).until(() -> node.closeCodes("flaky").contains(CloseCodes.UNAVAILABLE));
      node.insert("flaky", 0, "typed while it could not load");
      node.insert("steady", 0, "typed on the same socket");

      store.failing = null;
      node.call("waitConnected", "id", "flaky", "timeoutMs", 30_000);
      node.call("waitAcked", "id", "flaky", "timeoutMs", 30_000);
      node.call("waitAcked", "id", "steady", "timeoutMs", 30_000);
      assertThat(serverText("flaky")).isEqualTo("typed while it could not load");
      assertThat(serverText("steady")).isEqualTo("typed on the same socket");
      assertThat(list(node.status("flaky"), "denied")).as("a final answer for a passing failure").isEmpty();
    } finally {
      node.call("destroy", "id", "steady");
      node.call("destroy", "id", "flaky");
      node.call("destroySocket", "id", "s");
    }
  }

  @Test
  void hocuspocus_documentItMayNotOpen_isDeniedForGood_andTheSocketStays() {
    node.call("socket", "id", "s", "url", url());
    try {
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "pub", "room", "public-notes", "token",
          "limited");
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "secret", "room", "secret", "token", "limited",
          "waitSynced", false);
      await().atMost(Duration.ofSeconds(30)).until(() -> !list(node.status("secret"), "denied").isEmpty());
      node.insert("pub", 0, "still here");
      node.call("waitAcked", "id", "pub", "timeoutMs", 30_000);
      assertThat(list(node.status("pub"), "closes")).as("the socket stays").isEmpty();
      assertThat(list(node.status("secret"), "denied")).containsExactly("no access to this document");
    } finally {
      node.call("destroy", "id", "pub");
      node.call("destroy", "id", "secret");
      node.call("destroySocket", "id", "s");
    }
  }

  @Test
  void yWebsocket_updateRefusedForGood_closesWith4413_andTheProviderStops() throws InterruptedException {
    node.call("connect", "id", "y", "url", url(), "room", "big", "token", "alice");
    try {
      node.insert("y", 0, TOO_MUCH);
      await().atMost(Duration.ofSeconds(30)).until(() -> node.closeCodes("y").contains(CloseCodes.DOCUMENT_TOO_LARGE));
      Thread.sleep(1500);
      assertThat(node.closeCodes("y")).containsExactly(CloseCodes.DOCUMENT_TOO_LARGE);
      assertThat(serverText("big")).isEmpty();
    } finally {
      node.call("destroy", "id", "y");
    }
  }

  @Test
  void yWebsocket_documentThatCannotLoadNow_closesWith4503_andTheProviderSyncsOnceItLoads() {
    store.failing = "flaky";
    node.call("connect", "id", "y", "url", url(), "room", "flaky", "token", "alice", "waitSynced", false);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> node.closeCodes("y").contains(CloseCodes.UNAVAILABLE));
      node.insert("y", 0, "typed while it could not load");
      store.failing = null;
      node.call("waitConnected", "id", "y", "timeoutMs", 30_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> serverText("flaky").equals("typed while it could not load"));
    } finally {
      node.call("destroy", "id", "y");
    }
  }

  @Test
  void yWebsocket_documentItMayNotOpen_isClosedWith4403_andTheProviderStops() throws InterruptedException {
    node.call("connect", "id", "y", "url", url(), "room", "secret", "token", "limited", "waitSynced", false);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> node.closeCodes("y").contains(CloseCodes.FORBIDDEN));
      Thread.sleep(1500); // the provider's backoff is at most 500 ms here: it would have come back by now
      assertThat(node.closeCodes("y")).containsExactly(CloseCodes.FORBIDDEN);
      assertThat(node.status("y").get("connected")).isEqualTo(false);
    } finally {
      node.call("destroy", "id", "y");
    }
  }
}
