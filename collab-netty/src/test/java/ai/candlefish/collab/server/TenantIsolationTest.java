package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.Update;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import ai.candlefish.collab.testkit.CollidingKeys;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation end to end: documents whose keys are built to collide ({@link CollidingKeys}: separators inside
 * tenants and names, case, Unicode normalisation, trailing spaces, the longest names differing in their last
 * character), each written over one protocol and watched over another by a principal of the same id in every
 * tenant, never meet: each is loaded once, keeps and stores only its own edits, relays them and its presence only to
 * its own clients, and a revocation in one tenant reaches no other.
 */
class TenantIsolationTest {
  private static final List<DocumentKey> KEYS = CollidingKeys.ALL;
  /** The principal id in every tenant: the same id in another tenant is another principal. */
  private static final String USER = "user";
  /** Token {@code k<i>}: {@link #USER} of key i's tenant, writing every document of that tenant. */
  private static final Authenticator BY_KEY = (token, connection) -> {
    if (token == null || !token.matches("k[0-9]+") || Integer.parseInt(token.substring(1)) >= KEYS.size()) {
      throw new AuthenticationException("unknown token");
    }
    return Principal.of(USER, KEYS.get(Integer.parseInt(token.substring(1))).tenant(), Permission.WRITE);
  };

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private final List<DocumentKey> loaded = new CopyOnWriteArrayList<>();
  /** The server, then its clients: closed last first. */
  private final List<AutoCloseable> open = new ArrayList<>();
  private CollabServer server;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void documentsWithKeysBuiltToCollide_neverMeet_onAnyProtocol() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store).authenticator(BY_KEY)
        .unloadDelay(Duration.ofMinutes(5)).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .hooks(new CollabHooks() {
          @Override
          public void onLoad(DocumentKey key, Doc doc) {
            loaded.add(key);
          }
        }).build().start();
    open.add(server);
    List<Watcher> watchers = new ArrayList<>();
    for (int i = 0; i < KEYS.size(); i++) {
      watchers.add(watch(Protocol.values()[(i + 1) % 3], i));
    }
    for (int i = 0; i < KEYS.size(); i++) {
      int k = i;
      await().atMost(Duration.ofSeconds(30)).until(() -> watchers.get(k).isOpen());
    }
    for (int i = 0; i < KEYS.size(); i++) {
      write(Protocol.values()[i % 3], i);
    }

    for (int i = 0; i < KEYS.size(); i++) {
      DocumentKey key = KEYS.get(i);
      String written = textOf(i);
      await().atMost(Duration.ofSeconds(30)).until(() -> text(key).equals(written));
      try (DocumentHandle handle = server.openDocument(key).join()) {
        handle.edit(txn -> txn.doc().getText("t").insert(txn.doc().getText("t").length(), "!")).join();
      }
    }
    for (int i = 0; i < KEYS.size(); i++) {
      Watcher watcher = watchers.get(i);
      String expected = textOf(i) + "!";
      await(KEYS.get(i) + " over " + watcher.protocol).atMost(Duration.ofSeconds(30))
          .until(() -> watcher.text().equals(expected) && !watcher.presence().isEmpty());
      assertThat(watcher.presence()).as("presence on " + KEYS.get(i)).containsOnly(Map.of("doc", textOf(i)));
      DocumentKey key = KEYS.get(i);
      await().atMost(Duration.ofSeconds(30)).until(() -> stored(key).equals(expected));
    }
    assertThat(loaded).as("each document loaded once, none shared").containsExactlyInAnyOrderElementsOf(KEYS);

    // Tenant "a" only: its three documents' writers and watchers; "a/b", "a:b", "1:a", "1" and the rest keep theirs.
    assertThat(server.revoke("a", USER).join()).isEqualTo(6);
    for (DocumentKey key : KEYS) {
      assertThat(server.isRevoked(Principal.of(USER, key.tenant(), Permission.WRITE)))
          .as(key.toString()).isEqualTo(key.tenant().equals("a"));
    }
    for (int i = 0; i < KEYS.size(); i++) {
      if (!KEYS.get(i).tenant().equals("a")) {
        assertThat(watchers.get(i).isOpen()).as(KEYS.get(i) + " over " + watchers.get(i).protocol).isTrue();
      }
    }
  }

  private static String textOf(int i) {
    return "doc " + i;
  }

  private static byte[] update(int i) {
    Doc doc = Doc.newBuilder().clientId(1000 + i).build();
    doc.getText("t").insert(0, textOf(i));
    return doc.encodeStateAsUpdate();
  }

  private static byte[] presence(int i) {
    Awareness awareness = new Awareness(2000 + i, System::currentTimeMillis);
    awareness.setLocalState(Map.of("doc", textOf(i)));
    return awareness.encodeUpdate();
  }

  private String text(DocumentKey key) {
    try (DocumentHandle handle = server.openDocument(key).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  private String stored(DocumentKey key) {
    Doc doc = Doc.create();
    store.load(key).updates().forEach(doc::applyUpdate);
    return doc.getText("t").toString();
  }

  private enum Protocol { Y_WEBSOCKET, HOCUSPOCUS, COLLAB_V1 }

  /** The y-websocket URL of key i's document: the name percent-encoded byte by byte, slashes kept. */
  private URI yWebsocketUri(int i) {
    StringBuilder path = new StringBuilder();
    for (byte b : KEYS.get(i).name().getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
        path.append(c);
      } else {
        path.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return URI.create("ws://127.0.0.1:" + server.port() + "/" + path + "?token=k" + i);
  }

  /** Writes key i's text and presence over {@code protocol}, as key i's tenant's user. */
  private void write(Protocol protocol, int i) {
    String name = KEYS.get(i).name();
    switch (protocol) {
      case Y_WEBSOCKET -> {
        YClient client = keep(YClient.connect(yWebsocketUri(i)));
        client.send(YClient.frame(0, SyncProtocol.update(update(i))));
        client.send(YClient.awarenessFrame(presence(i)));
      }
      case HOCUSPOCUS -> keep(new RawHocuspocusClient(server.port())).auth(name, "k" + i).step1(name)
          .update(name, update(i)).send(name, 1, presence(i));
      case COLLAB_V1 -> {
        RawCollabV1Client client = keep(new RawCollabV1Client(server.port()));
        client.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("k" + i)));
        client.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument(name)));
        client.send(ClientFrame.newBuilder().setUpdate(Update.newBuilder().setDocument(name)
            .setUpdate(ByteString.copyFrom(update(i))).setAckId(1)));
        client.send(ClientFrame.newBuilder().setAwareness(ai.candlefish.collab.protocol.v1.Awareness.newBuilder()
            .setDocument(name).setUpdate(ByteString.copyFrom(presence(i)))));
      }
    }
  }

  /** A client of key i's document over {@code protocol} that only watches: what it received, as a document. */
  private Watcher watch(Protocol protocol, int i) {
    String name = KEYS.get(i).name();
    return switch (protocol) {
      case Y_WEBSOCKET -> {
        YClient client = keep(YClient.connect(yWebsocketUri(i)));
        yield new Watcher(protocol, () -> client.synced() && !client.closed.isDone(), client::text,
            () -> client.awareness.states().entrySet().stream()
                .filter(e -> e.getKey() != client.awareness.clientId()).map(Map.Entry::getValue).toList());
      }
      case HOCUSPOCUS -> {
        RawHocuspocusClient client = keep(new RawHocuspocusClient(server.port())).auth(name, "k" + i).step1(name);
        yield new Watcher(protocol,
            () -> !client.of(name, 0).isEmpty() && client.denied(name).isEmpty() && !client.closed.isDone(),
            () -> textOf(client.of(name, 0).stream().map(r -> SyncMessage.decode(r.body())).toList()),
            () -> presenceOf(client.of(name, 1).stream()
                .map(r -> new Lib0Decoder(r.body()).readVarUint8Array()).toList()));
      }
      case COLLAB_V1 -> {
        RawCollabV1Client client = keep(new RawCollabV1Client(server.port()));
        client.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("k" + i)));
        client.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument(name)));
        client.send(ClientFrame.newBuilder().setSyncStep1(SyncStep1.newBuilder().setDocument(name)
            .setStateVector(ByteString.copyFrom(new byte[] {0}))));
        yield new Watcher(protocol,
            () -> client.received.stream().anyMatch(ServerFrame::hasSyncStep2) && !client.closed.isDone(),
            () -> textOf(client.received.stream().filter(f -> f.hasSyncStep2() || f.hasUpdate())
                .map(f -> f.hasUpdate() ? f.getUpdate().getUpdate() : f.getSyncStep2().getUpdate())
                .map(u -> (SyncMessage) SyncProtocol.update(u.toByteArray())).toList()),
            () -> presenceOf(client.received.stream().filter(ServerFrame::hasAwareness)
                .map(f -> f.getAwareness().getUpdate().toByteArray()).toList()));
      }
    };
  }

  private static String textOf(List<SyncMessage> received) {
    Doc doc = Doc.create();
    received.forEach(m -> SyncProtocol.handle(doc, m, null));
    return doc.getText("t").toString();
  }

  private static List<Object> presenceOf(List<byte[]> updates) {
    Awareness awareness = new Awareness(1, System::currentTimeMillis);
    updates.forEach(u -> awareness.applyUpdate(u, null));
    return awareness.states().entrySet().stream().filter(e -> e.getKey() != 1).map(Map.Entry::getValue).toList();
  }

  private <C> C keep(C client) {
    open.add(client instanceof AutoCloseable c ? c : () -> {
      if (client instanceof RawHocuspocusClient h) {
        h.socket.abort();
      } else if (client instanceof RawCollabV1Client v) {
        v.abort();
      }
    });
    return client;
  }

  /** A watching client: whether it has joined its document, what it received as text, the presence it saw. */
  private record Watcher(Protocol protocol, BooleanSupplier joined, Supplier<String> receivedText,
      Supplier<List<Object>> seenPresence) {
    boolean isOpen() {
      return joined.getAsBoolean();
    }

    String text() {
      return receivedText.get();
    }

    List<Object> presence() {
      return seenPresence.get();
    }
  }
}
