package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.YjsNodeClients;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * A web server of the application serves the collaboration socket on the application's own port (the subclasses:
 * WebFlux on Reactor Netty, and Tomcat). Real y-websocket and Hocuspocus providers (Node) and a {@link CollabClient}
 * converge through it; origins and tokens are refused as on the embedded port; a message far larger than the web
 * server's frame limit or message buffer arrives whole.
 */
abstract class TransportApplication {
  /** What both transports run with. */
  static final String PATH = "candlefish.collab.path=/collab";
  static final String DEBOUNCE = "candlefish.collab.documents.store-debounce=50ms";
  static final String MAX_WAIT = "candlefish.collab.documents.store-max-wait=200ms";

  @SpringBootApplication
  static class App {
    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }
  }

  private final Class<? extends WebServer> webServer;
  private final Duration dropsLinger;

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  @Autowired
  WebServerApplicationContext context;

  /**
   * @param webServer the web server the transport runs on
   * @param dropsLinger how long a socket that dropped without a close frame may stay bridged (zero: it goes at once)
   */
  TransportApplication(Class<? extends WebServer> webServer, Duration dropsLinger) {
    this.webServer = webServer;
    this.dropsLinger = dropsLinger;
  }

  private String url() {
    return "ws://127.0.0.1:" + port + "/collab";
  }

  @Test
  void nodeProvidersAndCollabClient_convergeOnTheApplicationsOwnPort() throws Exception {
    assertThat(server.port()).as("no port of its own").isEqualTo(-1);
    assertThat(context.getWebServer()).isInstanceOf(webServer);
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

      // Larger than Reactor Netty's 64 KiB frame limit and Tomcat's 8 KiB message buffer (that one reaches the
      // server in fragments): it arrives whole at the server, and whole at the others.
      String big = "x".repeat(100_000);
      document.edit(txn -> txn.doc().getText("t").insert(0, big)).get(10, TimeUnit.SECONDS);
      js.waitText("yw", text(document));
      js.waitText("hp", text(document));
      assertThat(js.text("yw")).hasSize(100_020);

      try (var handle = server.openDocument(DocumentKey.of("acme", "plan")).get(10, TimeUnit.SECONDS)) {
        assertThat(handle.read(doc -> doc.getText("t").toString()).get(10, TimeUnit.SECONDS))
            .isEqualTo(text(document));
      }
      if (dropsLinger.isZero()) {
        assertThat(server.connectionCount()).isEqualTo(3);
      } else {
        // The other test's probes may still be bridged.
        assertThat(server.connectionCount()).isGreaterThanOrEqualTo(3);
      }
    }
    await().atMost(Duration.ofSeconds(60).plus(dropsLinger)).until(() -> server.connectionCount() == 0);
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
    return WebSocketProbe.upgradeWithOrigin(port, "/collab/doc", origin);
  }
}
