package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
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
 * Real y-websocket 3.1.0 clients ({@code WebsocketProvider} on Node's {@code ws}, see
 * {@code collab-testkit/src/main/js/yjs-node-clients.mjs}) against the server: convergence with each other and with the
 * server's own copy, awareness, tokens, read-only access, and a restart with the store kept.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class YWebsocketInteropTest {
  private static final long SEED = Long.getLong("interop.seed", 20240607L);
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private CollabServer server;

  @BeforeEach
  void startServer() {
    server = newServer(0);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private CollabServer newServer(int port) {
    return CollabServer.newBuilder()
        .host("127.0.0.1")
        .port(port)
        .documentStore(store)
        .authenticator(TestTokens.TOKENS)
        .storeDebounce(Duration.ofMillis(50))
        .storeMaxWait(Duration.ofMillis(200))
        .unloadDelay(Duration.ofMillis(100))
        .build()
        .start();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  @Test
  void twoProviders_editingConcurrently_convergeWithEachOtherAndTheServer() {
    node.connect("a", url(), "shared", "alice");
    node.connect("b", url(), "shared", "bob");
    node.call("concurrent", "edits", List.of(Map.of("id", "a", "index", 0, "text", "hello "),
        Map.of("id", "b", "index", 0, "text", "world ")));
    assertThat(node.waitSame("a", "b")).isIn("hello world ", "world hello ");
    node.call("randomEdits", "ids", List.of("a", "b"), "count", 400, "seed", SEED);
    String text = node.waitSame("a", "b");

    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", "shared")).join()) {
      await("the server copy, seed " + SEED).atMost(Duration.ofSeconds(30))
          .until(() -> handle.read(doc -> doc.getText("t").toString()).join().equals(text));
      handle.edit(txn -> txn.doc().getText("t").insert(0, "[server] ")).join();
      node.waitText("a", "[server] " + text);
      node.waitText("b", "[server] " + text);
    } finally {
      node.call("destroy", "id", "a");
      node.call("destroy", "id", "b");
    }
  }

  @Test
  void emptyEmbed_ofAProvider_isKeptByTheServer_andTheConnectionStays() {
    // Yjs writes insertEmbed(i, "") as an item of length 0; as a client's first struct its update is sent, and what
    // the client types before it refers to it (its right origin). The server refused such updates and closed.
    node.connect("a", url(), "empty-embed", "alice");
    node.call("insertEmbed", "id", "a", "index", 0, "embed", "");
    node.insert("a", 0, "hi");
    node.insert("a", 2, " there");
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", "empty-embed")).join()) {
      await("the server copy").atMost(Duration.ofSeconds(30))
          .until(() -> handle.read(doc -> doc.getText("t").toString()).join().equals("hi there"));
      handle.edit(txn -> txn.doc().getText("t").insert(0, ">")).join();
      node.waitText("a", ">hi there");
      assertThat((List<?>) node.status("a").get("closes")).isEmpty();
    } finally {
      node.call("destroy", "id", "a");
    }
  }

  @Test
  void awareness_reachesTheOthers_andIsRemovedAtOnceWhenAClientDrops() {
    long a = node.connect("a", url(), "presence", "alice");
    long b = node.connect("b", url(), "presence", "bob");
    node.call("setAwareness", "id", "a", "state", Map.of("user", Map.of("name", "Ann", "color", "#f00")));
    node.waitAwareness("b", a, true, 5000);
    assertThat(node.call("awareness", "id", "b").get("states").toString()).contains("Ann");

    long dropped = System.nanoTime();
    node.call("drop", "id", "a"); // no close handshake, no "offline" awareness message: the server must notice
    // b would time a's state out 30 s after it last heard of it (just before the drop); half of that, which a
    // loaded machine needs at most, tells the server's removal from that timeout.
    node.waitAwareness("b", a, false, 15_000);
    assertThat(Duration.ofNanos(System.nanoTime() - dropped))
        .as("removed by the server, not by the 30 s awareness timeout")
        .isLessThan(Duration.ofSeconds(15));
    node.waitAwareness("b", b, true, 1000);
    node.call("destroy", "id", "a");
    node.call("destroy", "id", "b");
  }

  @Test
  void restart_withTheStoreKept_keepsTheContent_andTheProvidersResync() {
    node.connect("a", url(), "durable", "alice");
    node.connect("b", url(), "durable", "bob");
    node.insert("a", 0, "persist me");
    node.waitText("b", "persist me");

    int port = server.port();
    server.close();
    assertThat(store.load(DocumentKey.of("acme", "durable")).isEmpty()).as("stored when the server closed").isFalse();
    node.insert("a", 0, "offline, "); // edited while the server is down
    server = newServer(port);

    node.call("waitConnected", "id", "a", "timeoutMs", 10_000);
    node.call("waitConnected", "id", "b", "timeoutMs", 10_000);
    assertThat(node.waitSame("a", "b")).isEqualTo("offline, persist me");
    node.connect("c", url(), "durable", "carol");
    node.waitText("c", "offline, persist me");
    for (String id : List.of("a", "b", "c")) {
      node.call("destroy", "id", id);
    }
  }

  @Test
  void roomNamesWithUnusualCharacters_reachTheDocumentOfThatName() {
    // The provider puts the room into the URL as it is (a stray % included); Node's URL parser escapes the rest. The
    // longest name in CJK is 9,216 characters percent-encoded.
    List<String> rooms = List.of("50% off", "100%", "a/b/ünï 😀", "x".repeat(1000),
        "中".repeat(DocumentKey.MAX_NAME_LENGTH));
    for (int i = 0; i < rooms.size(); i++) {
      String room = rooms.get(i);
      node.connect("w" + i, url(), room, "alice");
      node.insert("w" + i, 0, "in " + i);
      node.connect("r" + i, url(), room, "bob");
      node.waitText("r" + i, "in " + i);
    }
    for (int i = 0; i < rooms.size(); i++) {
      try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", rooms.get(i))).join()) {
        assertThat(handle.read(doc -> doc.getText("t").toString()).join()).as(rooms.get(i)).isEqualTo("in " + i);
      }
      node.call("destroy", "id", "w" + i);
      node.call("destroy", "id", "r" + i);
    }
  }

  @Test
  void readOnlyProvider_seesEverything_butItsEditsAreRejected() {
    node.connect("w", url(), "readonly", "alice");
    node.insert("w", 0, "written");
    node.connect("r", url(), "readonly", "reader");
    node.waitText("r", "written");
    assertThat(node.status("r").get("denied")).as("syncing alone is not an edit").isEqualTo(List.of());

    node.insert("r", 0, "vandal ");
    await().atMost(Duration.ofSeconds(30)).until(() -> !((List<?>) node.status("r").get("denied")).isEmpty());
    node.insert("w", 7, "!");
    node.waitText("r", "vandal written!"); // the reader's own copy keeps its edit; the others never see it
    assertThat(node.text("w")).isEqualTo("written!");
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", "readonly")).join()) {
      assertThat(handle.read(doc -> doc.getText("t").toString()).join()).isEqualTo("written!");
    }
    node.call("destroy", "id", "w");
    node.call("destroy", "id", "r");
  }

  @Test
  void unknownToken_closesWith4401_andTheProviderStopsReconnecting() throws InterruptedException {
    node.call("connect", "id", "x", "url", url(), "room", "secret", "token", "mallory", "waitSynced", false);
    await().atMost(Duration.ofSeconds(30)).until(() -> !((List<?>) node.status("x").get("closes")).isEmpty());
    Thread.sleep(700); // longer than the provider's backoff: it would have reconnected by now
    Map<String, Object> status = node.status("x");
    assertThat(status.get("closes")).isEqualTo(List.of(Map.of("code", CloseCodes.UNAUTHORIZED, "reason",
        "unknown token")));
    assertThat(status.get("denied")).isEqualTo(List.of("unknown token"));
    node.call("destroy", "id", "x");
  }
}
