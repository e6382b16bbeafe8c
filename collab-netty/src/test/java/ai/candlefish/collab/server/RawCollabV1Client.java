package ai.candlefish.collab.server;

import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw collab/1 client over the JDK's WebSocket: sends exact frames in order, records every frame the server sends
 * and the close. For orderings and frames that {@code CollabClient} does not produce.
 */
final class RawCollabV1Client extends WholeBinaryMessages {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final List<ServerFrame> received = new CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  RawCollabV1Client(int port) {
    super(true);
    socket = HTTP.newWebSocketBuilder().subprotocols("collab.v1")
        .buildAsync(URI.create("ws://127.0.0.1:" + port), this).join();
  }

  synchronized void send(ClientFrame.Builder frame) {
    byte[] bytes = frame.build().toByteArray();
    sending = sending.thenCompose(v -> socket.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  @Override
  void onMessage(byte[] message) {
    try {
      received.add(ServerFrame.parseFrom(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  void abort() {
    socket.abort();
  }
}
