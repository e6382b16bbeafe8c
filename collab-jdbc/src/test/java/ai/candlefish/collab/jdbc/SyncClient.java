package ai.candlefish.collab.jdbc;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A minimal y-websocket client (message type 0 = sync, then a y-protocols sync message): sends step 1 on open,
 * answers and applies what the server sends, sends its own updates, and remembers how the server closed it.
 * Thread-safe: the document is used under this object's lock.
 */
final class SyncClient implements AutoCloseable {
  private final Doc doc = Doc.create();
  private final CompletableFuture<Void> synced = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
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

  synchronized void edit(Consumer<Doc> change) {
    doc.transact(txn -> change.accept(doc));
  }

  /** The estimate's notes and the kitchen's area (defining the root types, as an application would). */
  synchronized String content() {
    return doc.getText("notes") + " | kitchen=" + doc.getMap("rooms").get("kitchen");
  }

  /** The text of the estimate's notes. */
  synchronized String notes() {
    return doc.getText("notes").toString();
  }

  void awaitSynced() {
    synced.orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The close code the server sent; null while open. */
  Integer closeCode() {
    return closeCode.getNow(null);
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

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
