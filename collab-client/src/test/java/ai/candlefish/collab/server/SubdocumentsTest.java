package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subdocuments served as documents of their own, named by their guid, as Yjs providers open them: real y-websocket
 * 3.1.0 providers in Node ({@code collab-testkit/src/main/js/yjs-node-clients.mjs}: a parent with a {@code Y.Doc} in
 * its map "m", and a second provider on the subdocument's guid) and {@link CollabClient}'s
 * {@link ClientDocument#openSubdocument}; stored like any document (a restart with the store kept), and checked
 * against the authenticator by the guid.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class SubdocumentsTest {
  /** Generous: the machines that run this are shared and may be 5-10 times slower than usual. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private CollabServer server;
  private CollabClient carol;

  @BeforeEach
  void startServer() {
    server = newServer(0);
  }

  @AfterEach
  void stop() {
    if (carol != null) {
      carol.close();
    }
    server.close();
  }

  private CollabServer newServer(int port) {
    return CollabServer.newBuilder().host("127.0.0.1").port(port).documentStore(store)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(50)).storeMaxWait(Duration.ofMillis(200))
        .unloadDelay(Duration.ofMillis(100)).build().start();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  private CollabClient client(String token) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(URI.create(url())).token(token)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return client;
  }

  /** Restarts the server on its port with the same store. */
  private void restart() {
    int port = server.port();
    server.close();
    server = newServer(port);
  }

  private static String text(Doc doc) {
    synchronized (doc) {
      return doc.getText("t").toString();
    }
  }

  /** The subdocument under "child" of the parent's map "m", once there. */
  private static Doc child(ClientDocument parent) {
    return await("the parent's subdocument").atMost(WAIT).until(() -> {
      synchronized (parent.doc()) {
        return parent.doc().getMap("m").get("child") instanceof Doc d ? d : null;
      }
    }, d -> d != null);
  }

  /** Inserts a new subdocument with {@code guid} under {@code key} of the parent's map "m", and waits for the ack. */
  private static Doc addSubdoc(ClientDocument parent, String key, String guid) throws Exception {
    Doc subdoc = Doc.newBuilder().guid(guid).build();
    parent.edit(txn -> txn.doc().getMap("m").set(key, subdoc)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return subdoc;
  }

  private void connect(String nodeClient, String room, String token) {
    node.call("connect", "id", nodeClient, "url", url(), "room", room, "token", token, "timeoutMs", WAIT.toMillis());
  }

  private static void waitText(String nodeClient, String text) {
    node.call("waitText", "id", nodeClient, "text", text, "timeoutMs", WAIT.toMillis());
  }

  private static String openSubdoc(String nodeClient, String key, String as, String url, String token) {
    return (String) node.call("openSubdoc", "id", nodeClient, "key", key, "as", as, "url", url, "token", token,
        "timeoutMs", WAIT.toMillis()).get("guid");
  }

  private static void destroy(String... nodeClients) {
    for (String id : nodeClients) {
      node.call("destroy", "id", id);
    }
  }

  private String serverText(String name) {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", name)).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  @Test
  void yWebsocketProviders_openASubdocumentByItsGuid_andTheServerStoresItAsADocumentOfItsOwn() {
    connect("a", "project", "alice");
    String guid = node.addSubdoc("a", "child", null);
    openSubdoc("a", "child", "a1", url(), "alice");
    node.insert("a1", 0, "inside the subdocument");

    connect("b", "project", "bob");
    assertThat(openSubdoc("b", "child", "b1", url(), "bob")).isEqualTo(guid);
    waitText("b1", "inside the subdocument");
    node.insert("b1", 0, "[bob] ");
    waitText("a1", "[bob] inside the subdocument");

    await().atMost(WAIT).until(() -> serverText(guid).equals("[bob] inside the subdocument"));
    try (DocumentHandle parent = server.openDocument(DocumentKey.of("acme", "project")).join()) {
      assertThat(parent.read(doc -> doc.getSubdocGuids()).join()).as("the parent holds the reference only")
          .containsExactly(guid);
      assertThat(parent.read(doc -> doc.getText("t").toString()).join()).isEmpty();
    }

    restart();
    connect("c", "project", "carol");
    openSubdoc("c", "child", "c1", url(), "carol");
    waitText("c1", "[bob] inside the subdocument");
    node.call("waitConnected", "id", "a1", "timeoutMs", WAIT.toMillis());
    node.insert("a1", 0, "after the restart: ");
    waitText("c1", "after the restart: [bob] inside the subdocument");
    destroy("a", "a1", "b", "b1", "c", "c1");
  }

  @Test
  void hocuspocusProvider_opensASubdocumentAYWebsocketProviderMade() {
    connect("a", "mixed-parent", "alice");
    String guid = node.addSubdoc("a", "child", null);
    openSubdoc("a", "child", "a1", url(), "alice");
    node.insert("a1", 0, "over y-websocket");
    node.call("connect", "kind", "hocuspocus", "id", "h", "url", url(), "room", "mixed-parent", "token", "bob",
        "timeoutMs", WAIT.toMillis());
    assertThat(node.call("openSubdoc", "kind", "hocuspocus", "id", "h", "key", "child", "as", "h1", "url", url(),
        "token", "bob", "timeoutMs", WAIT.toMillis()).get("guid")).isEqualTo(guid);
    waitText("h1", "over y-websocket");
    node.insert("h1", 0, "and Hocuspocus ");
    waitText("a1", "and Hocuspocus over y-websocket");
    destroy("a", "a1", "h", "h1");
  }

  @Test
  void collabClient_opensASubdocumentAYjsProviderMade_andEditsItWithTheProvider() throws Exception {
    connect("a", "plans", "alice");
    String guid = node.addSubdoc("a", "child", null);
    openSubdoc("a", "child", "a1", url(), "alice");
    node.insert("a1", 0, "from node");

    carol = client("carol");
    ClientDocument parent = carol.open("plans").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc subdoc = child(parent);
    assertThat(subdoc.guid()).isEqualTo(guid);
    assertThat(subdoc.shouldLoad()).as("not loaded before it is opened").isFalse();
    ClientDocument opened = parent.openSubdocument(subdoc).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(opened.name()).isEqualTo(guid);
    assertThat(opened.doc()).as("the parent's own instance is kept in sync").isSameAs(subdoc);
    assertThat(subdoc.shouldLoad()).isTrue();
    await().atMost(WAIT).until(() -> text(subdoc).equals("from node"));

    opened.edit(txn -> txn.doc().getText("t").insert(0, "java and ")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    waitText("a1", "java and from node");
    synchronized (parent.doc()) {
      assertThat(((Doc) parent.doc().getMap("m").get("child")).getText("t").toString())
          .isEqualTo("java and from node");
    }

    restart();
    node.call("waitConnected", "id", "a1", "timeoutMs", WAIT.toMillis());
    node.insert("a1", 0, "again: ");
    await().atMost(WAIT).until(() -> text(subdoc).equals("again: java and from node"));
    assertThat(serverText(guid)).isEqualTo("again: java and from node");
    destroy("a", "a1");
  }

  @Test
  void collabClient_insertsASubdocument_andOpensIt_andAYjsProviderOpensItsGuid() throws Exception {
    carol = client("carol");
    ClientDocument parent = carol.open("notebook").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc page = addSubdoc(parent, "child", "notebook/page-1");
    ClientDocument opened = parent.openSubdocument(page).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    opened.edit(txn -> txn.doc().getText("t").insert(0, "page one")).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    connect("b", "notebook", "bob");
    assertThat(openSubdoc("b", "child", "b1", url(), "bob")).isEqualTo("notebook/page-1");
    waitText("b1", "page one");
    node.insert("b1", 8, " by bob");
    await().atMost(WAIT).until(() -> text(page).equals("page one by bob"));
    destroy("b", "b1");
  }

  @Test
  void autoLoadedSubdocuments_areOpenedFromTheSubdocsEvent() throws Exception {
    carol = client("carol");
    ClientDocument parent = carol.open("auto").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<ClientDocument> opened = new CopyOnWriteArrayList<>();
    synchronized (parent.doc()) { // the README's pattern: no remote update between the two lines
      parent.doc().onSubdocs(e -> e.loaded().forEach(d -> parent.openSubdocument(d).thenAccept(opened::add)));
      parent.doc().getSubdocs().stream().filter(Doc::shouldLoad).forEach(parent::openSubdocument);
    }

    connect("a", "auto", "alice");
    node.call("addSubdoc", "id", "a", "key", "child", "guid", "auto/1", "autoLoad", true);
    openSubdoc("a", "child", "a1", url(), "alice");
    node.insert("a1", 0, "loaded by itself");
    await().atMost(WAIT).until(() -> opened.size() == 1);
    assertThat(opened.get(0).name()).isEqualTo("auto/1");
    await().atMost(WAIT).until(() -> text(opened.get(0).doc()).equals("loaded by itself"));
    destroy("a", "a1");
  }

  @Test
  void hostileSubdocumentGuids_failTheirOpens_andTheParentKeepsSyncing() throws Exception {
    carol = client("carol");
    ClientDocument parent = carol.open("hostile").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<CompletableFuture<ClientDocument>> opens = new CopyOnWriteArrayList<>();
    synchronized (parent.doc()) {
      parent.doc().onSubdocs(e -> e.loaded().forEach(d -> opens.add(parent.openSubdocument(d))));
    }

    connect("a", "hostile", "alice");
    node.call("addSubdoc", "id", "a", "key", "bad", "guid", "bad\u0001guid", "autoLoad", true);
    node.call("addSubdoc", "id", "a", "key", "first", "guid", "hostile/same", "autoLoad", true);
    node.call("addSubdoc", "id", "a", "key", "second", "guid", "hostile/same", "autoLoad", true);
    node.insert("a", 0, "still syncing");
    await().atMost(WAIT).until(() -> text(parent.doc()).equals("still syncing") && opens.size() == 3);
    assertThatThrownBy(() -> opens.get(0).join()).cause().isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid document name");
    assertThat(opens.get(1).get(WAIT.toSeconds(), TimeUnit.SECONDS).name()).isEqualTo("hostile/same");
    assertThatThrownBy(() -> opens.get(2).join()).cause().isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open");
    destroy("a");
  }

  @Test
  void aThrowingObserverOfTheSubdocument_doesNotStopItsOpening() throws Exception {
    connect("a", "observed", "alice");
    node.addSubdoc("a", "child", "observed/1");
    openSubdoc("a", "child", "a1", url(), "alice");
    node.insert("a1", 0, "content");

    carol = client("carol");
    ClientDocument parent = carol.open("observed").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc subdoc = child(parent);
    synchronized (subdoc) {
      subdoc.getText("t").observe(e -> {
        throw new IllegalStateException("an application's bug");
      });
    }
    parent.openSubdocument(subdoc).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(text(subdoc)).isEqualTo("content");
    node.insert("a1", 0, "more ");
    await().atMost(WAIT).until(() -> text(subdoc).equals("more content"));
    destroy("a", "a1");
  }

  @Test
  void subdocuments_arePermissionCheckedByTheirGuid() throws Exception {
    // "limited" may write documents whose names start with "public": the parent's subdocuments named
    // "public-board/..." are allowed (a naming convention), one named otherwise is not.
    carol = client("limited");
    ClientDocument parent = carol.open("public-board").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc allowed = addSubdoc(parent, "card", "public-board/card-1");
    Doc other = addSubdoc(parent, "secret", "secret-card");

    ClientDocument card = parent.openSubdocument(allowed).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    card.edit(txn -> txn.doc().getText("t").insert(0, "ok")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThatThrownBy(() -> parent.openSubdocument(other).join()).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(RefusedException.class).hasMessageContaining("4403");
    assertThat(serverText("public-board/card-1")).isEqualTo("ok");
    assertThat(store.load(DocumentKey.of("acme", "secret-card")).isEmpty()).isTrue();
  }

  @Test
  void openSubdocument_ofAnotherDocument_orTwice_failsFast() throws Exception {
    carol = client("carol");
    ClientDocument parent = carol.open("misuse").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc loose = Doc.create();
    assertThatThrownBy(() -> parent.openSubdocument(loose)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a subdocument of document 'misuse'");

    Doc sub = addSubdoc(parent, "child", "misuse/1");
    parent.openSubdocument(sub).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThatThrownBy(() -> parent.openSubdocument(sub).join()).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("already open");
  }

  @Test
  void deletingASubdocumentFromItsParent_closesIt() throws Exception {
    carol = client("carol");
    ClientDocument parent = carol.open("deleting").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Doc sub = addSubdoc(parent, "child", "deleting/1");
    ClientDocument opened = parent.openSubdocument(sub).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    connect("a", "deleting", "alice");
    node.call("deleteKey", "id", "a", "key", "child");
    await().atMost(WAIT).until(sub::isDestroyed);
    await().atMost(WAIT).until(() -> opened.toString().contains("CLOSED"));
    assertThatThrownBy(() -> opened.edit(txn -> txn.doc().getText("t").insert(0, "x")))
        .isInstanceOf(IllegalStateException.class);
    destroy("a");
  }
}
