package ai.candlefish.collab.spring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Connects a JDK WebSocket to the server as a y-websocket client would and tells what the server did: sent a sync
 * message (it serves the document: y-websocket's sync step 1) or closed the connection (with which code).
 */
final class WebSocketProbe {
  private WebSocketProbe() {}

  /** "message" if the server sent a sync message (it serves the document), else "close <code>". */
  static String firstAnswer(URI uri) throws Exception {
    return firstAnswer(uri, HttpClient.newHttpClient());
  }

  /** As {@link #firstAnswer(URI)}, through {@code http} (for {@code wss://}: its trust). */
  static String firstAnswer(URI uri, HttpClient http) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (data.get(0) == 0) { // a sync message; an auth message (2) says why a close follows
              answer.complete("message");
            }
            webSocket.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            answer.complete("close " + statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            answer.completeExceptionally(error);
          }
        }).get(5, TimeUnit.SECONDS);
    try {
      return answer.get(5, TimeUnit.SECONDS);
    } finally {
      socket.abort();
    }
  }
}
