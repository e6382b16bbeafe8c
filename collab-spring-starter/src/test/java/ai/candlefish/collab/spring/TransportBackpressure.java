package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.YWebsocketMessages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The application's own port pushes back on a client that sends faster than its rate: the web server stops reading
 * from the socket (TCP pushes back) instead of the messages waiting in memory. With at most 16 KiB allowed to wait
 * (the larger of the maximum message size and the outbound buffer), 3,000 updates sent as fast as the socket takes
 * them, ten times over that, all arrive, and the connection stays open; without the push-back the bridge would close
 * it with 1013. Run on WebFlux (Reactor Netty, reading on demand) and on Tomcat (suspending the socket's reads).
 */
abstract class TransportBackpressure {
  private static final int UPDATES = 3000;

  @SpringBootApplication
  static class App {}

  // What both transports run with: at most 16 KiB may wait for the server, and the rate pauses reading.
  static final String PATH = "candlefish.collab.path=/collab";
  static final String DEVELOPMENT = "candlefish.collab.security.mode=development";
  static final String RATE = "candlefish.collab.limits.messages-per-second=500";
  static final String BURST = "candlefish.collab.limits.message-burst=50";
  static final String MESSAGE = "candlefish.collab.limits.max-message-size=1KB";
  static final String BUFFER = "candlefish.collab.limits.outbound-buffer=16KB";

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  @Test
  void aClientOverItsRate_isSlowedDown_andLosesNothing() throws Exception {
    CompletableFuture<Void> served = new CompletableFuture<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/collab/flood"), new WebSocket.Listener() {
          @Override
          public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
          }

          @Override
          public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            served.complete(null); // sync step 1: authenticated, the document is open
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }
        }).get(60, TimeUnit.SECONDS);
    served.get(60, TimeUnit.SECONDS);

    CompletableFuture<WebSocket> sent = CompletableFuture.completedFuture(socket);
    for (ByteBuffer message : YWebsocketMessages.oneCharacterUpdates(UPDATES)) {
      sent = sent.thenCompose(ws -> ws.sendBinary(message, true));
    }
    sent.get(120, TimeUnit.SECONDS);
    try (var handle = server.openDocument(DocumentKey.of("dev", "flood")).get(10, TimeUnit.SECONDS)) {
      await().atMost(Duration.ofSeconds(120)).until(() -> handle.read(doc -> doc.getText("t").length())
          .get(10, TimeUnit.SECONDS) == UPDATES);
    }
    assertThat(closed).as("the connection stays open").isNotDone();
    socket.abort();
  }
}
