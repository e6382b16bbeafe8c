package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a {@link CollabServer} keeps a document in a {@link JdbcDocumentStore} on an H2 file; a y-websocket
 * client edits it; the server, its store and its pool close; a new server on the same file serves the same content.
 */
class CollabServerOnJdbcTest {
  @TempDir
  Path dir;

  private record Running(HikariDataSource dataSource, JdbcDocumentStore store, CollabServer server)
      implements AutoCloseable {
    @Override
    public void close() {
      server.close();
      store.close();
      dataSource.close();
    }
  }

  private Running start() {
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl("jdbc:h2:file:" + dir.resolve("collab") + ";MODE=PostgreSQL");
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).compactAfter(20).build();
    CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("paintbox")).storeDebounce(Duration.ofMillis(10))
        .storeMaxWait(Duration.ofMillis(50)).build().start();
    return new Running(dataSource, store, server);
  }

  @Test
  void restart_onTheSameH2File_servesTheSameContent() {
    String expected;
    try (Running first = start();
        SyncClient alice = SyncClient.connect(first.server(), "estimate-7")) {
      alice.awaitSynced();
      for (int i = 0; i < 50; i++) {
        alice.edit(d -> d.getText("notes").insert(d.getText("notes").length(), "coat "));
      }
      alice.edit(d -> d.getMap("rooms").set("kitchen", 42));
      expected = alice.content();
      // Wait until the server holds everything, then close it: closing stores every document.
      try (SyncClient bob = SyncClient.connect(first.server(), "estimate-7")) {
        bob.awaitSynced();
        await().atMost(Duration.ofSeconds(10)).until(() -> bob.content().equals(expected));
      }
    }

    try (Running second = start(); SyncClient carol = SyncClient.connect(second.server(), "estimate-7")) {
      carol.awaitSynced();

      assertThat(carol.content()).isEqualTo(expected);
      assertThat(expected).startsWith("coat coat ").endsWith("kitchen=42");
      assertThat(second.store().load(DocumentKey.of("paintbox", "estimate-7")).isEmpty()).isFalse();
    }
  }

  /**
   * A minimal y-websocket client (message type 0 = sync, then a y-protocols sync message): sends step 1 on open,
   * answers and applies what the server sends, sends its own updates. Thread-safe: the document is used under this
   * object's lock.
   */
  static final class SyncClient implements AutoCloseable {
    private final Doc doc = Doc.create();
    private final CompletableFuture<Void> synced = new CompletableFuture<>();
    private CompletableFuture<WebSocket> sending;
    private WebSocket socket;

    static SyncClient connect(CollabServer server, String document) {
      SyncClient client = new SyncClient();
      client.doc.onUpdate((update, origin, txn) -> {
        if (origin != client) {
          client.send(SyncProtocol.update(update));
        }
      });
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/" + document + "?token=t");
      client.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, client.new Listener()).join();
      return client;
    }

    private synchronized void send(SyncMessage message) {
      byte[] body = message.encode();
      byte[] frame = new byte[body.length + 1]; // messageSync = 0, one byte as a varuint
      System.arraycopy(body, 0, frame, 1, body.length);
      sending = (sending == null ? CompletableFuture.completedFuture(socket) : sending)
          .thenCompose(ws -> ws.sendBinary(ByteBuffer.wrap(frame), true));
    }

    synchronized void edit(java.util.function.Consumer<Doc> change) {
      doc.transact(txn -> change.accept(doc));
    }

    /** The estimate's notes and the kitchen's area (defining the root types, as an application would). */
    synchronized String content() {
      return doc.getText("notes") + " | kitchen=" + doc.getMap("rooms").get("kitchen");
    }

    void awaitSynced() {
      synced.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private synchronized void received(byte[] message) {
      if (message.length == 0 || message[0] != 0) {
        return; // awareness and other message types do not matter here
      }
      SyncMessage m = SyncMessage.decode(Arrays.copyOfRange(message, 1, message.length));
      SyncMessage reply = SyncProtocol.handle(doc, m, this);
      if (reply != null) {
        send(reply);
      }
      if (m instanceof SyncMessage.SyncStep2) {
        synced.complete(null);
      }
    }

    private final class Listener implements WebSocket.Listener {
      private final ByteArrayOutputStream parts = new ByteArrayOutputStream();

      @Override
      public void onOpen(WebSocket webSocket) {
        synchronized (SyncClient.this) {
          socket = webSocket;
          send(SyncProtocol.step1(doc));
        }
        webSocket.request(1);
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        parts.writeBytes(bytes);
        if (last) {
          received(parts.toByteArray());
          parts.reset();
        }
        webSocket.request(1);
        return null;
      }
    }

    @Override
    public void close() {
      socket.abort();
    }
  }

  @Test
  void versions_surviveARestart_andARestoreReachesClients() {
    DocumentKey key = DocumentKey.of("paintbox", "estimate-8");
    long versionId;
    try (Running first = start(); SyncClient alice = SyncClient.connect(first.server(), key.name())) {
      alice.awaitSynced();
      alice.edit(d -> d.getText("notes").insert(0, "two coats"));
      // the version is of what the server holds: wait until alice's edit arrived
      await().atMost(Duration.ofSeconds(10)).until(() -> first.server().openDocument(key).thenCompose(h -> h.read(d -> d.getText("notes").toString())
              .whenComplete((r, e) -> h.close())).join().equals("two coats"));
      versionId = first.server().versions().save(key, "sent to the customer", "alice").join().id();
      alice.edit(d -> d.getText("notes").insert(0, "three coats, not "));
    }
    try (Running second = start(); SyncClient bob = SyncClient.connect(second.server(), key.name())) {
      bob.awaitSynced();
      assertThat(second.server().versions().list(key).join()).extracting(v -> v.label())
          .containsExactly("sent to the customer");
      assertThat(second.server().versions().open(key, versionId).join().getText("notes").toString())
          .isEqualTo("two coats");

      assertThat(second.server().versions().restore(key, versionId).join()).isTrue();

      await().atMost(Duration.ofSeconds(10)).until(() -> bob.content().startsWith("two coats"));
    }
  }
}
