package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Yjs client id belongs to the principal that first wrote with it in a document, kept by the store: real
 * y-websocket 3.1.0 (and Hocuspocus 4.8.0) providers in Node ({@code collab-testkit/src/main/js/yjs-node-clients.mjs}) write, and another
 * principal's connection sends structs forged under their id. A forged update closes its sender with
 * {@link CloseCodes#FOREIGN_CLIENT_ID} and changes nothing; the owner's reconnects (across a server restart), second
 * tab and the server's own edits go on.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class ClientIdOwnershipTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final DocumentKey KEY = DocumentKey.of("acme", "owned");
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private final List<String> clients = new ArrayList<>();
  private CollabServer server;

  @BeforeEach
  void startServer() {
    server = newServer(0);
  }

  private CollabServer newServer(int port) {
    return CollabServer.newBuilder().host("127.0.0.1").port(port).documentStore(store)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .unloadDelay(Duration.ofMillis(100)).build().start();
  }

  @AfterEach
  void stop() {
    for (String id : clients) {
      node.call("destroy", "id", id);
    }
    server.close();
  }

  private long ywebsocket(String id, String token) {
    clients.add(id);
    // Up to WAIT, not Node's default 5 s: the first sync of a run took longer on a machine loaded 20 times over.
    return ((Number) node.call("connect", "id", id, "url", "ws://127.0.0.1:" + server.port(), "room", KEY.name(),
        "token", token, "timeoutMs", WAIT.toMillis()).get("clientId")).longValue();
  }

  /** An update that inserts {@code text} at the start of "t" as client {@code clientId}, from clock 0. */
  private static byte[] forgedUpdate(long clientId, String text) {
    Doc forger = Doc.newBuilder().clientId(clientId).build();
    List<byte[]> updates = new ArrayList<>();
    forger.onUpdate((u, origin, txn) -> updates.add(u));
    forger.getText("t").insert(0, text);
    return updates.get(0);
  }

  private String serverText() {
    try (DocumentHandle handle = server.openDocument(KEY).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  @Test
  void structsUnderAnotherPrincipalsClientId_areRefused_evenAfterARestart() {
    long alice = ywebsocket("alice", "alice");
    node.insert("alice", 0, "alice");
    ywebsocket("bob", "bob");
    node.waitText("bob", "alice");
    // Longer than what Alice wrote, so that it brings structs beyond her clock: new ones, under her id.
    byte[] forged = forgedUpdate(alice, "forged by bob, longer than alice's text");

    node.sendRaw("bob", 2, forged, null);
    await().atMost(WAIT).until(() -> node.closeCodes("bob").contains(CloseCodes.FOREIGN_CLIENT_ID));
    // The same over Hocuspocus.
    clients.add("bob-hocuspocus");
    node.call("connect", "kind", "hocuspocus", "id", "bob-hocuspocus", "url", "ws://127.0.0.1:" + server.port(),
        "room", KEY.name(), "token", "bob");
    node.sendRaw("bob-hocuspocus", 2, forged, KEY.name());
    // A Hocuspocus socket serves several documents: only this one is refused ("permission denied"), the socket stays.
    await().atMost(WAIT).until(() -> !((List<?>) node.status("bob-hocuspocus").get("denied")).isEmpty());
    assertThat((List<?>) node.status("bob-hocuspocus").get("denied")).singleElement().asString()
        .contains("belongs to another user");
    assertThat(node.closeCodes("bob-hocuspocus")).isEmpty();
    // A step 2 with them loses just those structs (after a crash it may hold another user's unstored ones).
    ywebsocket("bob-step2", "bob");
    node.sendRaw("bob-step2", 1, forged, null);
    node.insert("alice", 5, "!");
    node.waitText("bob-step2", "alice!");
    assertThat(node.closeCodes("bob-step2")).isEmpty();
    assertThat(serverText()).isEqualTo("alice!");
    assertThat(node.text("alice")).isEqualTo("alice!");

    // The claim is the document's: after a restart the id is still Alice's.
    int port = server.port();
    server.close();
    assertThat(store.loadClientOwners(KEY)).containsEntry(alice, "alice");
    server = newServer(port);
    node.call("waitConnected", "id", "alice", "timeoutMs", 20_000);
    ywebsocket("bob-again", "bob");
    node.sendRaw("bob-again", 2, forged, null);
    await().atMost(WAIT).until(() -> node.closeCodes("bob-again").contains(CloseCodes.FOREIGN_CLIENT_ID));
    assertThat(serverText()).isEqualTo("alice!");
  }

  /**
   * A step 2 that brings 2,000 subdocument references under Alice's id (~30 KB, ~2.6 MB of Docs decoded) to a
   * document of at most 1 MiB: dropping them meant decoding them whole first (a 16 MiB message of them took the
   * document's thread seconds and ~1.4 GB) and its sender stayed. It is now decoded within the room the document has
   * left, as an update is: refused as it is read, its sender closed with 4413, the document unchanged.
   */
  @Test
  void aStep2OfSubdocumentsUnderAnotherPrincipalsId_isRefusedWithinTheRoomTheDocumentHasLeft() {
    server.close();
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(TestTokens.TOKENS).maxDocumentBytes(1 << 20).build().start();
    long alice = ywebsocket("alice", "alice");
    node.insert("alice", 0, "alice");
    Doc forger = Doc.newBuilder().clientId(alice).build();
    for (int i = 0; i < 2_000; i++) {
      forger.getMap("m").set(Integer.toString(i), Doc.newBuilder().guid("forged-" + i).build());
    }
    ywebsocket("bob-step2", "bob");

    node.sendRaw("bob-step2", 1, forger.encodeStateAsUpdate(), null);

    await().atMost(WAIT).until(() -> node.closeCodes("bob-step2").contains(CloseCodes.DOCUMENT_TOO_LARGE));
    node.insert("alice", 5, "!");
    await().atMost(WAIT).until(() -> serverText().equals("alice!"));
    try (DocumentHandle handle = server.openDocument(KEY).join()) {
      assertThat(handle.read(doc -> doc.getMap("m").size()).join()).isZero();
    }
  }

  @Test
  void theOwnersReconnects_secondTab_andServerSideEdits_goOn() {
    ywebsocket("alice", "alice");
    node.insert("alice", 0, "a");
    ywebsocket("bob", "bob");
    node.waitText("bob", "a");

    // A reconnect with the same Y.Doc (so the same client id), across a server restart.
    int port = server.port();
    server.close();
    server = newServer(port);
    node.call("waitConnected", "id", "alice", "timeoutMs", 20_000);
    node.call("waitConnected", "id", "bob", "timeoutMs", 20_000);
    node.insert("alice", 1, "b");
    node.waitText("bob", "ab");
    // A second tab: another Y.Doc, another client id, the same principal.
    ywebsocket("alice-tab", "alice");
    node.insert("alice-tab", 2, "c");
    node.waitText("bob", "abc");
    // The server's own edit, under its document's client id.
    try (DocumentHandle handle = server.openDocument(KEY).join()) {
      handle.edit(txn -> txn.doc().getText("t").insert(3, "d")).join();
    }
    node.waitText("alice", "abcd");
    node.waitText("bob", "abcd"); // else Bob's "e" would go after "c", beside the server's "d"
    node.insert("bob", 4, "e");
    try {
      node.waitText("alice-tab", "abcde");
    } catch (AssertionError e) {
      // Seen once in about ten runs of the class (2026-12-04): alice-tab stayed at "abcd". Say who was closed.
      throw new AssertionError(e.getMessage() + "; clients: alice " + node.status("alice") + ", alice-tab "
          + node.status("alice-tab") + ", bob " + node.status("bob"), e);
    }
    for (String id : List.of("alice", "alice-tab", "bob")) {
      assertThat(node.closeCodes(id)).as(id).doesNotContain(CloseCodes.FOREIGN_CLIENT_ID);
    }
  }
}
