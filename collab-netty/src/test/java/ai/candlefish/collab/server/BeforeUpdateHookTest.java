package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.Update;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.UpdateRefusedException;
import ai.candlefish.collab.testkit.TestTokens;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CollabHooks#beforeUpdate} refusing clients' writes to a root the server owns ("totals"), on each protocol:
 * nothing of a refused update is applied, stored or relayed, its sender is refused as a client without permission
 * is, and the other clients go on. A hook that throws anything else refuses too.
 */
class BeforeUpdateHookTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");
  private static final String REASON = "totals are computed by the server";

  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final List<Updates.ChangedRoots> asked = new CopyOnWriteArrayList<>();
  private final List<String> askedOnThreads = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private CollabServer server;

  private final CollabHooks guard = new CollabHooks() {
    @Override
    public void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
        Updates.ChangedRoots roots) {
      asked.add(roots);
      askedOnThreads.add(Thread.currentThread().getName());
      if (roots.mayChange("totals")) {
        throw new UpdateRefusedException(REASON);
      }
      if (roots.mayChange("broken")) {
        throw new IllegalStateException("a bug in the host's hook");
      }
    }
  };

  @BeforeEach
  void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(memory)
        .authenticator(TestTokens.TOKENS).hooks(guard).storeDebounce(Duration.ofMillis(20))
        .storeMaxWait(Duration.ofMillis(100)).build().start();
    try (DocumentHandle plans = server.openDocument(ACME_PLANS).join()) {
      plans.edit(txn -> txn.doc().getMap("totals").set("sum", 10)).join();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    server.close();
  }

  private YClient connect(String token) {
    YClient client = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/plans?token=" + token));
    clients.add(client);
    client.awaitSynced();
    return client;
  }

  private Object onServer(Function<Doc, ?> read) {
    try (DocumentHandle plans = server.openDocument(ACME_PLANS).join()) {
      return plans.read(read::apply).join();
    }
  }

  private Object storedSum() {
    server.openDocument(ACME_PLANS).join().close(); // nothing to wait for: the store is read below
    Doc stored = Doc.create();
    memory.load(ACME_PLANS).updates().forEach(stored::applyUpdate);
    return stored.getMap("totals").get("sum");
  }

  /** A client's update that writes {@code root}, from a document of its own (its parent is the root's name). */
  private static byte[] writing(String root) {
    Doc doc = Doc.newBuilder().clientId(77).build();
    doc.getMap(root).set("sum", 99999);
    return doc.encodeStateAsUpdate();
  }

  @Test
  void beforeUpdate_refusingAYWebsocketUpdate_closesOnlyItsSender_andAppliesNothing() {
    YClient alice = connect("alice");
    YClient bob = connect("bob");
    alice.insert(0, "walls");
    await().until(() -> bob.text().equals("walls"));
    assertThat(asked).as("an edit of another root is asked about").containsExactly(
        new Updates.ChangedRoots(java.util.Set.of("t"), true));
    assertThat(askedOnThreads).as("on the document's thread, an event loop").allMatch(t -> t.startsWith("collab-io-"));

    alice.withDoc(d -> {
      d.getMap("totals").set("sum", 99999);
      return null;
    });
    YClient.Close close = alice.awaitClose();
    assertThat(close.code()).isEqualTo(CloseCodes.FORBIDDEN);
    assertThat(close.reason()).isEqualTo(REASON);
    assertThat(alice.denied).containsExactly(REASON);

    bob.insert(5, " and ceilings");
    await().until(() -> onServer(d -> d.getText("t").toString()).equals("walls and ceilings"));
    assertThat(onServer(d -> d.getMap("totals").get("sum"))).isEqualTo(10);
    assertThat((Object) bob.withDoc(d -> d.getMap("totals").get("sum"))).isEqualTo(10);
    await().until(() -> memory.load(ACME_PLANS).updateCount() > 0 && "walls and ceilings".equals(storedText()));
    assertThat(storedSum()).isEqualTo(10);
    assertThat(bob.closed).isNotDone();
  }

  private String storedText() {
    Doc stored = Doc.create();
    memory.load(ACME_PLANS).updates().forEach(stored::applyUpdate);
    return stored.getText("t").toString();
  }

  @Test
  void beforeUpdate_isNotAskedAboutTheServersOwnEdits() {
    YClient bob = connect("bob");
    try (DocumentHandle plans = server.openDocument(ACME_PLANS).join()) {
      plans.edit(txn -> txn.doc().getMap("totals").set("sum", 11)).join();
    }
    await().until(() -> Integer.valueOf(11).equals(bob.withDoc(d -> d.getMap("totals").get("sum"))));
    assertThat(asked).isEmpty();
    assertThat(bob.closed).isNotDone();
  }

  @Test
  void beforeUpdate_refusingAHocuspocusUpdate_answersNotAppliedAndDeniesTheDocumentOnly() {
    RawHocuspocusClient eve = new RawHocuspocusClient(server.port());
    clients.add(() -> eve.socket.abort());
    eve.auth("plans", "alice").step1("plans");
    await().until(() -> eve.authenticated("plans") == 1);
    eve.update("plans", writing("totals"));
    await().until(() -> !eve.denied("plans").isEmpty());
    assertThat(eve.statuses("plans")).containsExactly(0);
    assertThat(eve.denied("plans")).containsExactly(REASON);

    eve.auth("notes", "alice").step1("notes").update("notes", writing("rooms"));
    await().until(() -> eve.statuses("notes").contains(1));
    assertThat(eve.closed).as("the socket serves the sender's other documents").isNotDone();
    assertThat(onServer(d -> d.getMap("totals").get("sum"))).isEqualTo(10);
  }

  @Test
  void beforeUpdate_refusingACollabV1Update_answersTheAckIdAndRefusesTheDocument() {
    RawCollabV1Client eve = new RawCollabV1Client(server.port());
    clients.add(eve::abort);
    eve.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("alice")));
    eve.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument("plans")));
    await().until(() -> eve.received.stream().anyMatch(ServerFrame::hasOpened));
    eve.send(ClientFrame.newBuilder().setUpdate(Update.newBuilder().setDocument("plans")
        .setUpdate(ByteString.copyFrom(writing("totals"))).setAckId(7)));
    await().until(() -> eve.received.stream().filter(ServerFrame::hasError).count() == 2);
    List<ai.candlefish.collab.protocol.v1.Error> errors = eve.received.stream().filter(ServerFrame::hasError)
        .map(ServerFrame::getError).toList();
    assertThat(errors).extracting(e -> e.getAckId(), e -> e.getCode(), e -> e.getMessage(), e -> e.getDocument())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(7L, CloseCodes.FORBIDDEN, REASON, "plans"),
            org.assertj.core.groups.Tuple.tuple(0L, CloseCodes.FORBIDDEN, REASON, "plans"));
    assertThat(eve.received).noneMatch(ServerFrame::hasAck);
    assertThat(eve.closed).isNotDone();
    assertThat(onServer(d -> d.getMap("totals").get("sum"))).isEqualTo(10);
  }

  @Test
  void beforeUpdate_thatThrows_refusesTheUpdate_andTheDocumentGoesOn() {
    YClient alice = connect("alice");
    YClient bob = connect("bob");
    alice.withDoc(d -> {
      d.getMap("broken").set("k", 1);
      return null;
    });
    YClient.Close close = alice.awaitClose();
    assertThat(close.code()).isEqualTo(CloseCodes.FORBIDDEN);
    assertThat(close.reason()).isEqualTo("update refused");
    bob.insert(0, "still served");
    await().until(() -> onServer(d -> d.getText("t").toString()).equals("still served"));
    assertThat(onServer(d -> d.getMap("broken").size())).isEqualTo(0);
  }

  /**
   * A map entry written over one the server is about to write (its left neighbour, which the server lacks) lands
   * wherever that neighbour will: the hook hears an incomplete answer, and {@code mayChange} refuses it.
   */
  @Test
  void beforeUpdate_ofAnUpdateThatCannotBePlaced_mayChangeAnyRoot() {
    YClient bob = connect("bob");
    Doc ahead = Doc.newBuilder().clientId(5).build();
    ahead.applyUpdate((byte[]) onServer(Doc::encodeStateAsUpdate));
    long serverClient = (Long) onServer(Doc::clientId);
    Doc serverNext = Doc.newBuilder().clientId(serverClient).build();
    serverNext.applyUpdate((byte[]) onServer(Doc::encodeStateAsUpdate));
    serverNext.getMap("totals").set("sum", 12); // what the server will write next
    ahead.applyUpdate(serverNext.encodeStateAsUpdate());
    byte[] before = ahead.encodeStateVector();
    ahead.getMap("totals").set("sum", 99999);
    byte[] forged = ahead.encodeStateAsUpdate(before);

    RawHocuspocusClient eve = new RawHocuspocusClient(server.port());
    clients.add(() -> eve.socket.abort());
    eve.auth("plans", "alice").step1("plans");
    await().until(() -> eve.authenticated("plans") == 1);
    eve.update("plans", forged);
    await().until(() -> !eve.denied("plans").isEmpty());
    assertThat(asked).last().satisfies(roots -> assertThat(roots.complete()).isFalse());
    try (DocumentHandle plans = server.openDocument(ACME_PLANS).join()) {
      plans.edit(txn -> txn.doc().getMap("totals").set("sum", 12)).join();
    }
    await().until(() -> Integer.valueOf(12).equals(bob.withDoc(d -> d.getMap("totals").get("sum"))));
    assertThat(onServer(d -> d.getMap("totals").get("sum"))).isEqualTo(12);
  }
}
