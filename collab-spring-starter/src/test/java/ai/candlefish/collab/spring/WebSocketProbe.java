package ai.candlefish.collab.spring;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Connects a JDK WebSocket to the server as a y-websocket client would and tells what the server did: sent a sync
 * message (it serves the document: y-websocket's sync step 1) or closed the connection (with which code); or sends
 * an upgrade request by hand and tells the status line.
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
    WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
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
        }).get(30, TimeUnit.SECONDS);
    try {
      return answer.get(30, TimeUnit.SECONDS);
    } finally {
      socket.abort();
    }
  }

  /** The status line of an upgrade request to {@code path} on {@code port} with {@code Origin: origin}. */
  static String upgradeWithOrigin(int port, String path, String origin) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return upgrade(socket, port, path, "Origin: " + origin);
    }
  }

  /** Sends an upgrade request with one more {@code header} on {@code socket} (left open); the status line. */
  static String upgrade(Socket socket, int port, String path, String header) throws Exception {
    socket.setSoTimeout(30_000);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n" + header + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    StringBuilder line = new StringBuilder();
    for (int b; (b = socket.getInputStream().read()) >= 0 && b != '\r'; ) {
      line.append((char) b);
    }
    return line.toString();
  }
}
