package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.YjsNodeClients;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * {@code candlefish.collab.transport=reactive}: a real WebFlux on Reactor Netty serves the collaboration socket on
 * the application's own port. Real y-websocket and Hocuspocus providers (Node) and a {@link CollabClient} converge
 * through it; origins and tokens are refused as on the embedded port; messages larger than Reactor Netty's default
 * frame limit (64 KiB) arrive whole.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {"candlefish.collab.transport=reactive",
    "spring.main.web-application-type=reactive",
    "candlefish.collab.path=/collab", "candlefish.collab.documents.store-debounce=50ms",
    "candlefish.collab.documents.store-max-wait=200ms"})
class ReactiveTransportApplicationTest {
  @SpringBootApplication
  static class App {
    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  @Autowired
  ReactiveWebServerApplicationContext context;

  private String url() {
    return "ws://127.0.0.1:" + port + "/collab";
  }

  @Test
  void nodeProvidersAndCollabClient_convergeOnTheApplicationsOwnPort() throws Exception {
    assertThat(server.port()).as("no port of its own").isEqualTo(-1);
    assertThat(context.getWebServer()).isInstanceOf(NettyWebServer.class);
    String token = CollabAutoConfigurationTest.token("alice", "acme", "write");
    try (YjsNodeClients js = YjsNodeClients.start();
        CollabClient java = CollabClient.newBuilder().uri(URI.create(url())).token(token).build()) {
      js.connect("yw", url(), "plan", token);
      js.call("connect", "kind", "hocuspocus", "id", "hp", "url", url(), "room", "plan", "token", token);
      java.connect().get(10, TimeUnit.SECONDS);
      ClientDocument document = java.open("plan").get(10, TimeUnit.SECONDS);

      js.insert("yw", 0, "walls ");
      js.insert("hp", 0, "ceiling ");
      document.edit(txn -> txn.doc().getText("t").insert(0, "floor ")).get(10, TimeUnit.SECONDS);
      String text = js.waitSame("yw", "hp");
      await().atMost(Duration.ofSeconds(20)).until(() -> js.waitSame("yw", "hp").length() == 20
          && js.text("yw").equals(text(document)));
      assertThat(js.text("hp")).hasSize(20).contains("walls ", "ceiling ", "floor ");

      // A message larger than Reactor Netty's 64 KiB frame limit reaches the server, and whole the others.
      String big = "x".repeat(100_000);
      document.edit(txn -> txn.doc().getText("t").insert(0, big)).get(10, TimeUnit.SECONDS);
      js.waitText("yw", text(document));
      js.waitText("hp", text(document));
      assertThat(js.text("yw")).hasSize(100_020);

      try (var handle = server.openDocument(DocumentKey.of("acme", "plan")).get(10, TimeUnit.SECONDS)) {
        assertThat(handle.read(doc -> doc.getText("t").toString()).get(10, TimeUnit.SECONDS))
            .isEqualTo(text(document));
      }
      assertThat(server.connectionCount()).isGreaterThanOrEqualTo(3);
    }
    // Known gap: a socket that dropped without a close frame may stay bridged until the server's idle timeout (60 s).
    await().atMost(Duration.ofSeconds(120)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void originsAndTokens_areRefusedAsOnTheEmbeddedPort() throws Exception {
    assertThat(upgradeWithOrigin("http://127.0.0.1:" + port)).as("the application's own pages").contains(" 101 ");
    assertThat(upgradeWithOrigin("http://evil.example:" + port)).as("another site's page").contains(" 403 ");
    assertThat(WebSocketProbe.firstAnswer(URI.create(url() + "/plans?token=not.a.jwt"))).isEqualTo("close 4401");
    assertThat(WebSocketProbe.firstAnswer(URI.create(url() + "/plans?token="
        + CollabAutoConfigurationTest.token("ann", "acme", "write")))).isEqualTo("message");
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("t").toString();
    }
  }

  /** The status line of an upgrade request to the collaboration path with {@code Origin: origin}. */
  private String upgradeWithOrigin(String origin) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET /collab/doc HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      StringBuilder line = new StringBuilder();
      for (int b; (b = socket.getInputStream().read()) >= 0 && b != '\r'; ) {
        line.append((char) b);
      }
      return line.toString();
    }
  }
}
