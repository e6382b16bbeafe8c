package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.Update;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.UpdateRefusedException;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.testkit.TestTokens;
import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An update refused for good (by a hook, a limit, or because it is malformed) on a socket that serves several
 * documents (Hocuspocus, collab/1) ends only its document's session: the socket stays, and the sender's other
 * documents take its edits. On y-websocket, whose socket is the session, the socket closes with the refusal's code.
 * Either way the refusal is counted once, in {@code collab.messages.rejected} and in the audit log.
 */
class DocumentRefusalsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** The refusals for good an update can meet, each with an update that meets it (for document "a"). */
  enum Refusal {
    MALFORMED(CloseCodes.PROTOCOL_ERROR, () -> new byte[] {1, 1, (byte) 0x80}),
    HOOK(CloseCodes.FORBIDDEN, () -> mapUpdate("totals", 1)),
    NESTING_TOO_DEEP(CloseCodes.NESTING_TOO_DEEP, () -> HostileClientTest.nest(12)),
    DOCUMENT_TOO_LARGE(CloseCodes.DOCUMENT_TOO_LARGE, () -> textUpdate("x".repeat(50_000))),
    TOO_MANY_CLIENT_IDS(CloseCodes.TOO_MANY_CLIENT_IDS, DocumentRefusalsTest::threeClients),
    TOO_MUCH_PENDING(CloseCodes.TOO_MUCH_PENDING, DocumentRefusalsTest::waiting);

    final int code;
    final Supplier<byte[]> update;

    Refusal(int code, Supplier<byte[]> update) {
      this.code = code;
      this.update = update;
    }
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<Integer> audited = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
  private CollabServer server;

  @BeforeEach
  void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TestTokens.TOKENS).meterRegistry(meters).maxNestingDepth(8).maxDocumentBytes(40_000)
        .maxNewClientIds(2).maxPendingBytes(500).storeDebounce(Duration.ofMillis(20))
        .storeMaxWait(Duration.ofMillis(100))
        .hooks(new CollabHooks() {
          @Override
          public void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
              Updates.ChangedRoots roots) {
            if (roots.names().contains("totals")) { // not mayChange: an update that waits is not refused here
              throw new UpdateRefusedException("totals are computed by the server");
            }
          }
        })
        .auditLog(new AuditLog() {
          @Override
          public void refused(ConnectionInfo connection, @Nullable Principal principal, @Nullable DocumentKey key,
              int code, String reason) {
            audited.add(code);
          }
        }).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Refusal.class)
  void refusedUpdate_onHocuspocus_endsItsDocumentOnly_countedOnce(Refusal refusal) {
    RawHocuspocusClient eve = new RawHocuspocusClient(server.port());
    clients.add(() -> eve.socket.abort());
    eve.auth("a", "alice").step1("a").auth("b", "alice").step1("b");
    await().atMost(WAIT).until(() -> eve.authenticated("a") == 1 && eve.authenticated("b") == 1);

    eve.update("a", refusal.update.get());
    await().atMost(WAIT).until(() -> !eve.denied("a").isEmpty() || eve.closed.isDone());
    assertThat(eve.closed).as("closed: %s", eve.closeReason.getNow(null)).isNotDone();
    assertThat(eve.statuses("a")).as("applied").doesNotContain(1);

    eve.update("b", textUpdate("still served"));
    await().atMost(WAIT).until(() -> eve.statuses("b").contains(1));
    assertThat(text("b")).isEqualTo("still served");
    assertThat(eve.closed).isNotDone();
    assertCountedOnce(refusal.code);
  }

  @ParameterizedTest
  @EnumSource(Refusal.class)
  void refusedUpdate_onCollabV1_endsItsDocumentOnly_countedOnce(Refusal refusal) {
    RawCollabV1Client eve = new RawCollabV1Client(server.port());
    clients.add(eve::abort);
    eve.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("alice")));
    eve.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument("a")));
    eve.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument("b")));
    await().atMost(WAIT).until(() -> eve.received.stream().filter(ServerFrame::hasOpened).count() == 2);

    eve.send(update("a", refusal.update.get(), 7));
    await().atMost(WAIT).until(() -> eve.received.stream()
        .anyMatch(f -> f.hasError() && f.getError().getAckId() == 0) || eve.closed.isDone());
    assertThat(eve.closed).isNotDone();
    assertThat(eve.received.stream().filter(ServerFrame::hasError).map(ServerFrame::getError)
        .filter(e -> e.getAckId() == 0).toList())
        .singleElement().satisfies(e -> {
          assertThat(e.getDocument()).isEqualTo("a");
          assertThat(e.getCode()).isEqualTo(refusal.code);
        });
    assertThat(eve.received).noneMatch(f -> f.hasAck() && f.getAck().getAckId() == 7);

    eve.send(update("b", textUpdate("still served"), 8));
    await().atMost(WAIT).until(() -> eve.received.stream().anyMatch(f -> f.hasAck() && f.getAck().getAckId() == 8));
    assertThat(text("b")).isEqualTo("still served");
    assertThat(eve.closed).isNotDone();
    assertCountedOnce(refusal.code);
  }

  @ParameterizedTest
  @EnumSource(value = Refusal.class, names = {"HOOK", "MALFORMED", "TOO_MANY_CLIENT_IDS"})
  void refusedUpdate_onYWebsocket_closesItsSocket_countedOnce(Refusal refusal) {
    YClient eve = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/a?token=alice"));
    clients.add(eve);
    eve.awaitSynced();
    eve.send(yWebsocketUpdate(refusal.update.get()));
    assertThat(eve.awaitClose().code()).isEqualTo(refusal.code);
    // Another socket's round trip: whatever the server counts for the refusal is counted by then.
    YClient bob = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/b?token=bob"));
    clients.add(bob);
    bob.awaitSynced();
    bob.insert(0, "still served");
    await().atMost(WAIT).until(() -> text("b").equals("still served"));
    assertCountedOnce(refusal.code);
  }

  private void assertCountedOnce(int code) {
    Counter counter = meters.find("collab.messages.rejected").tag("code", Integer.toString(code)).counter();
    assertThat(counter).as("collab.messages.rejected{code=%s}", code).isNotNull();
    assertThat(counter.count()).as("collab.messages.rejected{code=%s}", code).isEqualTo(1.0);
    assertThat(audited).as("audited refusals").containsExactly(code);
  }

  private String text(String name) {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", name)).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  private static ClientFrame.Builder update(String document, byte[] update, long ackId) {
    return ClientFrame.newBuilder().setUpdate(Update.newBuilder().setDocument(document)
        .setUpdate(ByteString.copyFrom(update)).setAckId(ackId));
  }

  /** A y-websocket sync message of type update. */
  private static byte[] yWebsocketUpdate(byte[] update) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(0);
    out.writeVarUint(SyncMessage.UPDATE);
    out.writeVarUint8Array(update);
    return out.toByteArray();
  }

  private static byte[] textUpdate(String text) {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, text);
    return doc.encodeStateAsUpdate();
  }

  private static byte[] mapUpdate(String root, int value) {
    Doc doc = Doc.create();
    doc.getMap(root).set("k", value);
    return doc.encodeStateAsUpdate();
  }


  /** One update written under three Yjs client ids new to the document. */
  private static byte[] threeClients() {
    Doc merged = Doc.create();
    for (long client = 101; client <= 103; client++) {
      Doc doc = Doc.newBuilder().clientId(client).build();
      doc.getText("t").insert(0, "c" + client);
      merged.applyUpdate(doc.encodeStateAsUpdate());
    }
    return merged.encodeStateAsUpdate();
  }

  /** An edit whose first part never arrives: all of it waits, over 500 bytes. */
  private static byte[] waiting() {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, "first");
    byte[] after = doc.encodeStateVector();
    doc.getText("t").insert(5, "y".repeat(1_000));
    return doc.encodeStateAsUpdate(after);
  }
}
