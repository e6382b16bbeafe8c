package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real {@code @hocuspocus/provider} 4.8.0 clients ({@code HocuspocusProvider}, alone or sharing one
 * {@code HocuspocusProviderWebsocket}, on Node's {@code ws}; see {@code collab-testkit/src/main/js/yjs-node-clients.mjs}) against
 * the server, side by side with y-websocket 3.1.0 clients on the same documents: convergence, several documents over
 * one socket, awareness, read-only scope, tenants, a malformed frame, stateless messages, and acknowledgements that
 * arrive only once an update is stored.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class HocuspocusInteropTest {
  private static final long SEED = Long.getLong("interop.seed", 20261202L);
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension


  private record Stateless(DocumentKey key, String protocol, String payload) {}

  /** An in-memory store whose writes can be held back: while {@link #gate} is closed, nothing is stored. */
  static final class GatedStore implements DocumentStore {
    final InMemoryDocumentStore inner = new InMemoryDocumentStore();
    volatile CountDownLatch gate;

    @Override
    public StoredDocument load(DocumentKey key) {
      return inner.load(key);
    }

    @Override
    public void append(DocumentKey key, byte[] update) {
      pass();
      inner.append(key, update);
    }

    @Override
    public void replace(DocumentKey key, byte[] state) {
      pass();
      inner.replace(key, state);
    }

    @Override
    public void delete(DocumentKey key) {
      inner.delete(key);
    }

    private void pass() {
      CountDownLatch g = gate;
      try {
        if (g != null && !g.await(20, TimeUnit.SECONDS)) {
          throw new StoreException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted");
      }
    }
  }

  private final GatedStore store = new GatedStore();
  private final BlockingQueue<Stateless> stateless = new LinkedBlockingQueue<>();
  private final List<String> clients = new ArrayList<>();
  private CollabServer server;

  @BeforeEach
  void startServer() {
    server = newServer(0);
  }

  private CollabServer newServer(int port) {
    return CollabServer.newBuilder()
        .host("127.0.0.1")
        .port(port)
        .documentStore(store)
        .authenticator(TestTokens.TOKENS)
        .hooks(new CollabHooks() {
          @Override
          public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal,
              Permission permission, String payload) {
            stateless.add(new Stateless(key, connection.protocol(), payload));
          }
        })
        .storeDebounce(Duration.ofMillis(300))
        .storeMaxWait(Duration.ofMillis(1000))
        .unloadDelay(Duration.ofMillis(100))
        .build()
        .start();
  }

  @AfterEach
  void stopServer() {
    for (String id : clients) {
      node.call("destroy", "id", id);
    }
    server.close();
  }

  /** The Hocuspocus provider's {@code url}: the server's prefix, no document in it. */
  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  private long hocuspocus(String id, String document, String token) {
    clients.add(id);
    return ((Number) node.call("connect", "kind", "hocuspocus", "id", id, "url", url(), "room", document, "token",
        token).get("clientId")).longValue();
  }

  private long hocuspocusOver(String socket, String id, String document, String token) {
    clients.add(id);
    return ((Number) node.call("connect", "kind", "hocuspocus", "socket", socket, "id", id, "room", document,
        "token", token).get("clientId")).longValue();
  }

  private void hocuspocusUnsynced(String id, String document, String token) {
    clients.add(id);
    node.call("connect", "kind", "hocuspocus", "id", id, "url", url(), "room", document, "token", token,
        "waitSynced", false);
  }

  private long ywebsocket(String id, String document, String token) {
    clients.add(id);
    return node.connect(id, url(), document, token);
  }

  private void destroy(String id) {
    node.call("destroy", "id", id);
    clients.remove(id);
  }

  private String serverText(DocumentKey key) {
    try (DocumentHandle handle = server.openDocument(key).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  /** What the store holds for {@code key}, applied to a fresh document. */
  private String storedText(DocumentKey key) {
    Doc doc = Doc.create();
    store.inner.load(key).updates().forEach(doc::applyUpdate);
    return doc.getText("t").toString();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> status, String key) {
    return (List<Object>) status.get(key);
  }

  /** Waits until the server has handled everything {@code id} sent before (one connection's messages are ordered). */
  private void barrier(String id, DocumentKey key) throws InterruptedException {
    String marker = "barrier " + System.nanoTime();
    node.call("sendStateless", "id", id, "payload", marker);
    for (Stateless s; (s = stateless.poll(30, TimeUnit.SECONDS)) != null; ) {
      if (s.payload().equals(marker)) {
        assertThat(s.key()).isEqualTo(key);
        return;
      }
    }
    throw new AssertionError("the server never heard " + marker);
  }

  // ------------------------------------------------------------------------------------------------- (a)

  @Test
  void hocuspocusAndYWebsocketProviders_editingConcurrently_convergeWithEachOtherAndTheServer() {
    hocuspocus("h1", "shared", "alice");
    hocuspocus("h2", "shared", "bob");
    ywebsocket("y1", "shared", "alice");
    ywebsocket("y2", "shared", "bob");
    List<String> all = List.of("h1", "h2", "y1", "y2");
    node.call("concurrent", "edits", List.of(Map.of("id", "h1", "index", 0, "text", "A"),
        Map.of("id", "h2", "index", 0, "text", "B"), Map.of("id", "y1", "index", 0, "text", "C"),
        Map.of("id", "y2", "index", 0, "text", "D")));
    assertThat(node.waitSame(all.toArray(String[]::new))).hasSize(4).contains("A", "B", "C", "D");
    node.call("randomEdits", "ids", all, "count", 400, "seed", SEED);
    String text = node.waitSame(all.toArray(String[]::new));

    DocumentKey key = DocumentKey.of("acme", "shared");
    try (DocumentHandle handle = server.openDocument(key).join()) {
      await("the server copy, seed " + SEED).atMost(Duration.ofSeconds(30))
          .until(() -> handle.read(doc -> doc.getText("t").toString()).join().equals(text));
      handle.edit(txn -> txn.doc().getText("t").insert(0, "[server] ")).join();
    }
    for (String id : all) {
      node.waitText(id, "[server] " + text);
    }
    assertThat(node.status("h1").get("scope")).isEqualTo("read-write");
  }

  // ------------------------------------------------------------------------------------------------- (b)

  @Test
  void oneSharedSocket_carriesTwoDocuments_andClosingOneLeavesTheOther() {
    node.call("socket", "id", "s", "url", url());
    try {
      hocuspocusOver("s", "one", "doc-one", "alice");
      hocuspocusOver("s", "two", "doc-two", "alice");
      hocuspocus("other-one", "doc-one", "bob");
      ywebsocket("other-two", "doc-two", "bob");

      node.insert("one", 0, "first document");
      node.insert("other-two", 0, "second document");
      node.waitText("other-one", "first document");
      node.waitText("two", "second document");
      assertThat(node.text("one")).isEqualTo("first document");
      assertThat(serverText(DocumentKey.of("acme", "doc-one"))).isEqualTo("first document");
      assertThat(serverText(DocumentKey.of("acme", "doc-two"))).isEqualTo("second document");

      destroy("one"); // sends "close" for doc-one; the socket stays for doc-two
      node.insert("other-two", 0, "still ");
      node.waitText("two", "still second document");
      node.insert("two", 0, ">");
      node.waitText("other-two", ">still second document");
      assertThat(node.status("two").get("closes")).isEqualTo(List.of());
    } finally {
      destroy("two");
      node.call("destroySocket", "id", "s");
    }
  }

  @Test
  void sessionAwareProviders_ofOneDocumentOnOneSocket_eachSyncWithItsOwnPresence_andLeaveAlone() {
    node.call("socket", "id", "s", "url", url());
    try {
      long left = sessionAware("s", "left", "split-view", "alice");
      long right = sessionAware("s", "right", "split-view", "alice");
      long plain = hocuspocus("plain", "split-view", "bob");
      assertThat(left).isNotEqualTo(right);

      node.insert("left", 0, "from the left pane");
      node.waitText("right", "from the left pane");
      node.waitText("plain", "from the left pane");
      node.insert("right", 0, "right, ");
      node.insert("plain", 0, "plain, ");
      assertThat(node.waitSame("left", "right", "plain")).contains("right, ", "plain, ", "from the left pane");
      // every update was answered at its own address: each provider counts its own acknowledgements down to zero
      node.call("waitAcked", "id", "left", "timeoutMs", 10_000);
      node.call("waitAcked", "id", "right", "timeoutMs", 10_000);
      assertThat(node.status("left").get("scope")).isEqualTo("read-write");
      assertThat(serverText(DocumentKey.of("acme", "split-view"))).isEqualTo(node.text("plain"));

      node.call("setAwareness", "id", "left", "state", Map.of("pane", "left"));
      node.call("setAwareness", "id", "right", "state", Map.of("pane", "right"));
      node.waitAwareness("plain", left, true, 5000);
      node.waitAwareness("plain", right, true, 5000);
      node.waitAwareness("left", right, true, 5000);

      destroy("left"); // its close message names its address: the other session on the socket stays
      node.waitAwareness("plain", left, false, 5000);
      node.waitAwareness("right", left, false, 5000);
      node.waitAwareness("plain", right, true, 1000);
      node.insert("plain", 0, "> ");
      node.waitText("right", node.text("plain"));
      assertThat(node.status("right").get("closes")).isEqualTo(List.of());
    } finally {
      destroy("right");
      node.call("destroySocket", "id", "s");
    }
  }

  private long sessionAware(String socket, String id, String document, String token) {
    clients.add(id);
    return ((Number) node.call("connect", "kind", "hocuspocus", "socket", socket, "id", id, "room", document,
        "token", token, "sessionAwareness", true).get("clientId")).longValue();
  }

  @Test
  void providerRemountedOnASharedSocket_whileItsTokenIsChecked_syncs() {
    node.call("socket", "id", "s", "url", url());
    try {
      hocuspocus("other", "remounted", "bob");
      node.insert("other", 0, "already here");
      for (int gap : new int[] {0, 1, 5}) {
        clients.add("ui");
        node.call("remount", "id", "ui", "socket", "s", "room", "remounted", "token", "alice", "gapMs", gap);
        assertThat(node.waitSame("ui", "other")).endsWith("already here");
        node.insert("ui", 0, gap + " ");
        node.call("waitAcked", "id", "ui", "timeoutMs", 10_000);
        destroy("ui");
      }
      node.waitText("other", "5 1 0 already here");
    } finally {
      node.call("destroySocket", "id", "s");
    }
  }

  @Test
  void restart_withTheStoreKept_theSharedSocketReconnects_andBothDocumentsResync() {
    node.call("socket", "id", "s", "url", url());
    try {
      hocuspocusOver("s", "one", "restart-one", "alice");
      hocuspocusOver("s", "two", "restart-two", "alice");
      node.insert("one", 0, "one");
      node.insert("two", 0, "two");
      node.call("waitAcked", "id", "one", "timeoutMs", 10_000);
      node.call("waitAcked", "id", "two", "timeoutMs", 10_000);

      int port = server.port();
      server.close();
      node.insert("one", 3, " offline"); // edited while the server is down
      server = newServer(port);

      node.call("waitConnected", "id", "one", "timeoutMs", 10_000);
      node.call("waitConnected", "id", "two", "timeoutMs", 10_000);
      node.call("waitAcked", "id", "one", "timeoutMs", 10_000);
      assertThat(serverText(DocumentKey.of("acme", "restart-one"))).isEqualTo("one offline");
      assertThat(serverText(DocumentKey.of("acme", "restart-two"))).isEqualTo("two");
      hocuspocus("late", "restart-one", "bob");
      node.waitText("late", "one offline");
    } finally {
      destroy("one");
      destroy("two");
      node.call("destroySocket", "id", "s");
    }
  }

  // ------------------------------------------------------------------------------------------------- (c)

  @Test
  void awareness_reachesTheOthers_andDisappearsWhenAProviderIsDestroyed() {
    long a = hocuspocus("a", "presence", "alice");
    long b = hocuspocus("b", "presence", "bob");
    ywebsocket("y", "presence", "bob");
    node.call("setAwareness", "id", "a", "state", Map.of("user", Map.of("name", "Ann", "color", "#f00")));
    node.waitAwareness("b", a, true, 5000);
    node.waitAwareness("y", a, true, 5000);
    assertThat(node.call("awareness", "id", "b").get("states").toString()).contains("Ann");
    node.call("setAwareness", "id", "b", "state", Map.of("user", Map.of("name", "Bo")));
    node.waitAwareness("a", b, true, 5000);

    destroy("a");
    node.waitAwareness("b", a, false, 5000);
    node.waitAwareness("y", a, false, 5000);
    node.waitAwareness("y", b, true, 1000);
  }

  @Test
  void awareness_ofADroppedSocket_isRemovedByTheServer() {
    long a = hocuspocus("a", "presence-drop", "alice");
    hocuspocus("b", "presence-drop", "bob");
    node.call("setAwareness", "id", "a", "state", Map.of("user", "Ann"));
    node.waitAwareness("b", a, true, 5000);
    node.call("drop", "id", "a"); // no close message, no "offline" awareness: the server must notice
    node.waitAwareness("b", a, false, 5000);
  }

  // ------------------------------------------------------------------------------------------------- (d)

  @Test
  void readOnlyToken_getsTheReadonlyScope_andItsUpdateIsNotApplied() throws InterruptedException {
    hocuspocus("w", "readonly", "alice");
    node.insert("w", 0, "written");
    node.call("waitAcked", "id", "w", "timeoutMs", 10_000);
    hocuspocus("r", "readonly", "reader");
    node.waitText("r", "written");
    assertThat(node.status("r").get("scope")).isEqualTo("readonly");
    assertThat(node.status("w").get("scope")).isEqualTo("read-write");
    node.call("waitAcked", "id", "r", "timeoutMs", 10_000); // syncing alone changes nothing: acknowledged

    node.insert("r", 0, "vandal ");
    DocumentKey key = DocumentKey.of("acme", "readonly");
    barrier("r", key);
    assertThat(node.status("r").get("unsynced")).as("answered with sync status 0: not applied").isEqualTo(1);
    assertThat(serverText(key)).isEqualTo("written");
    node.insert("w", 7, "!");
    node.waitText("r", "vandal written!"); // the reader keeps its own edit; nobody else ever sees it
    assertThat(node.text("w")).isEqualTo("written!");
    assertThat(serverText(key)).isEqualTo("written!");
    assertThat(node.status("r").get("closes")).isEqualTo(List.of());
  }

  // ------------------------------------------------------------------------------------------------- (e)

  @Test
  void tenants_withTheSameDocumentName_neverSeeEachOther() throws InterruptedException {
    hocuspocus("g", "plans", "zed");
    node.insert("g", 0, "globex only");
    node.call("waitAcked", "id", "g", "timeoutMs", 10_000);
    hocuspocus("a", "plans", "alice");
    assertThat(node.text("a")).isEmpty();
    node.insert("a", 0, "acme only");
    barrier("a", DocumentKey.of("acme", "plans"));
    barrier("g", DocumentKey.of("globex", "plans"));
    assertThat(node.text("g")).isEqualTo("globex only");
    assertThat(serverText(DocumentKey.of("acme", "plans"))).isEqualTo("acme only");
    assertThat(serverText(DocumentKey.of("globex", "plans"))).isEqualTo("globex only");
  }

  @Test
  void aDocumentTheTokenMayNotOpen_isDenied_whileItsOtherDocumentOnTheSameSocketSyncs() {
    node.call("socket", "id", "s", "url", url());
    try {
      hocuspocusOver("s", "pub", "public-notes", "limited");
      clients.add("secret");
      node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "secret", "room", "secret", "token",
          "limited", "waitSynced", false);
      await().atMost(Duration.ofSeconds(30)).until(() -> !list(node.status("secret"), "denied").isEmpty());
      assertThat(list(node.status("secret"), "denied")).containsExactly("no access to this document");
      assertThat(node.status("secret").get("synced")).isEqualTo(false);

      hocuspocus("other", "public-notes", "alice");
      node.insert("pub", 0, "readable by all");
      node.waitText("other", "readable by all");
      assertThat(node.status("pub").get("closes")).isEqualTo(List.of());
    } finally {
      destroy("pub");
      destroy("secret");
      node.call("destroySocket", "id", "s");
    }
  }

  @Test
  void unknownToken_isDeniedWithTheAuthenticatorsReason() {
    hocuspocusUnsynced("x", "anything", "mallory");
    await().atMost(Duration.ofSeconds(30)).until(() -> !list(node.status("x"), "denied").isEmpty());
    assertThat(list(node.status("x"), "denied")).containsExactly("unknown token");
    assertThat(node.status("x").get("synced")).isEqualTo(false);
  }

  @Test
  void noToken_reachesTheAuthenticatorAsNull() {
    hocuspocusUnsynced("x", "anything", null); // the provider sends "" for token: null
    await().atMost(Duration.ofSeconds(30)).until(() -> !list(node.status("x"), "denied").isEmpty());
    assertThat(list(node.status("x"), "denied")).containsExactly("a token is required");
  }

  // ------------------------------------------------------------------------------------------------- (f)

  @Test
  void malformedFrame_closesOnlyThatConnection_andTheProviderComesBack() {
    hocuspocus("bad", "robust", "alice");
    hocuspocus("good", "robust", "bob");
    ywebsocket("y", "robust", "bob");
    node.insert("good", 0, "before");
    node.waitText("bad", "before");

    node.call("raw", "id", "bad", "hex", "06646f63"); // a document name longer than the message
    await().atMost(Duration.ofSeconds(30)).until(() -> !list(node.status("bad"), "closes").isEmpty());
    Map<?, ?> close = (Map<?, ?>) list(node.status("bad"), "closes").get(0);
    assertThat(close.get("code")).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat((String) close.get("reason")).contains("string length 6 exceeds the 3 bytes left");

    node.insert("good", 6, ", during");
    node.waitText("y", "before, during");
    node.insert("y", 0, "[y] ");
    node.waitText("good", "[y] before, during");
    assertThat(list(node.status("good"), "closes")).isEmpty();

    node.call("waitConnected", "id", "bad", "timeoutMs", 10_000); // it reconnects by itself and catches up
    assertThat(node.waitSame("bad", "good", "y")).isEqualTo("[y] before, during");
  }

  // ------------------------------------------------------------------------------------------------- (g)

  @Test
  void statelessMessages_reachTheHook_andBroadcastsReachTheProviders() throws InterruptedException {
    hocuspocus("a", "chat", "alice");
    hocuspocus("b", "chat", "bob");
    node.call("sendStateless", "id", "a", "payload", "{\"ping\":\"✓\"}");
    Stateless heard = stateless.poll(30, TimeUnit.SECONDS);
    assertThat(heard).isEqualTo(new Stateless(DocumentKey.of("acme", "chat"), "hocuspocus", "{\"ping\":\"✓\"}"));

    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", "chat")).join()) {
      handle.broadcastStateless("{\"pong\":1}");
    }
    for (String id : List.of("a", "b")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> list(node.status(id), "stateless").equals(
          List.of("{\"pong\":1}")));
    }
  }

  // ------------------------------------------------------------------------------------------------- (h)

  @Test
  void unsyncedChanges_goBackToZero_onlyOnceTheUpdatesAreStored() throws InterruptedException {
    hocuspocus("a", "acked", "alice");
    hocuspocus("b", "acked", "bob");
    node.call("waitAcked", "id", "a", "timeoutMs", 10_000);
    DocumentKey key = DocumentKey.of("acme", "acked");
    store.gate = new CountDownLatch(1);
    node.insert("a", 0, "stored before acknowledged");
    barrier("a", key); // applied, and relayed to b, but not stored
    node.waitText("b", "stored before acknowledged");
    assertThat(node.status("a").get("unsynced")).as("no acknowledgement while the store holds it back").isEqualTo(1);
    store.gate.countDown();
    String text = (String) node.call("waitAcked", "id", "a", "timeoutMs", 10_000).get("text");
    assertThat(storedText(key)).isEqualTo(text).isEqualTo("stored before acknowledged");
    store.gate = null;

    node.call("randomEdits", "ids", List.of("a", "b"), "count", 100, "seed", SEED);
    node.call("waitAcked", "id", "a", "timeoutMs", 10_000);
    node.call("waitAcked", "id", "b", "timeoutMs", 10_000);
    // Each side's own edits are acknowledged, so the store has them all: the converged text.
    assertThat(storedText(key)).as("seed %d", SEED).isEqualTo(node.waitSame("a", "b"));
  }

  @Test
  void forceSync_isAnsweredSoThatTheProviderIsSyncedAgain() {
    hocuspocus("a", "forced", "alice");
    node.insert("a", 0, "x");
    node.call("waitAcked", "id", "a", "timeoutMs", 10_000);
    node.call("forceSync", "id", "a"); // counts one unsynced change until its step 2 is acknowledged
    node.call("waitAcked", "id", "a", "timeoutMs", 10_000);
  }
}
