package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.YjsNodeClients;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /**
   * The token's life on the application's own port, as on the embedded port, each protocol: a token that expires
   * while its socket is open ends its session (4440; Hocuspocus: its document, the shared socket stays), {@link
   * CollabServer#revoke} ends a principal's sessions (4401), a read-only token's updates are refused (4403), and
   * nobody else notices.
   */
  @Test
  void expiryRevocationAndReadOnlyTokens_endSessionsAsOnTheEmbeddedPort() throws Exception {
    String bob = CollabAutoConfigurationTest.token("bob", "acme", "write");
    String frank = CollabAutoConfigurationTest.token("frank", "acme", "write");
    String rita = CollabAutoConfigurationTest.token("rita", "acme", "read");
    List<Integer> frankCloses = new CopyOnWriteArrayList<>();
    List<Integer> erinCloses = new CopyOnWriteArrayList<>();
    try (YjsNodeClients js = YjsNodeClients.start();
        CollabClient frankJava = client(frank, frankCloses);
        CollabClient ritaJava = client(rita, new CopyOnWriteArrayList<>())) {
      js.connect("y-bob", url(), "life", bob);
      js.connect("y-frank", url(), "life", frank);
      js.connect("y-rita", url(), "life", rita);
      js.call("socket", "id", "s", "url", url());
      js.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h-frank", "room", "life", "token", frank);
      js.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h-bob", "room", "notes", "token", bob);
      frankJava.connect().get(30, TimeUnit.SECONDS);
      frankJava.open("life").get(30, TimeUnit.SECONDS);
      ritaJava.connect().get(30, TimeUnit.SECONDS);
      ClientDocument ritas = ritaJava.open("life").get(30, TimeUnit.SECONDS);
      // Made last (connecting the others took seconds at a load of 10), so that it is still valid when used.
      String erin = CollabAutoConfigurationTest.token("erin", "acme", "write", null, Duration.ofSeconds(25));
      js.connect("y-erin", url(), "life", erin);
      js.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h-erin", "room", "diary", "token", erin);
      try (CollabClient erinJava = client(erin, erinCloses)) {
        erinJava.connect().get(30, TimeUnit.SECONDS);
        erinJava.open("life").get(30, TimeUnit.SECONDS);

        assertThat(server.revoke("acme", "frank").get(30, TimeUnit.SECONDS)).as("connections").isEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(js.closeCodes("y-frank")).contains(CloseCodes.UNAUTHORIZED);
          assertThat(denied(js, "h-frank")).contains("access revoked");
          assertThat(frankCloses).contains(CloseCodes.UNAUTHORIZED);
        });

        js.insert("y-rita", 0, "rita");
        CompletableFuture<Void> edit = ritas.edit(txn -> ritas.doc().getText("t").insert(0, "rita"));
        assertThatThrownBy(() -> edit.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RefusedException.class)
            .hasMessageContaining("4403");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> denied(js, "y-rita").contains("read-only access: update rejected"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(js.closeCodes("y-erin")).contains(CloseCodes.TOKEN_EXPIRED);
          assertThat(denied(js, "h-erin")).contains("token expired");
          assertThat(erinCloses).contains(CloseCodes.TOKEN_EXPIRED);
        });
      }

      // Bob, one of whose documents shared the socket with Frank's and Erin's, goes on; nothing of Rita's got in.
      js.insert("h-bob", 0, "notes");
      js.insert("y-bob", 0, "bob");
      await().atMost(Duration.ofSeconds(30)).until(() -> serverText("life").equals("bob")
          && serverText("notes").equals("notes"));
      assertThat(js.closeCodes("y-bob")).isEmpty();
      assertThat(denied(js, "h-bob")).isEmpty();
    }
  }

  private String serverText(String document) throws Exception {
    try (var handle = server.openDocument(DocumentKey.of("acme", document)).get(10, TimeUnit.SECONDS)) {
      return handle.read(doc -> doc.getText("t").toString()).get(10, TimeUnit.SECONDS);
    }
  }

  private CollabClient client(String token, List<Integer> closes) {
    return CollabClient.newBuilder().uri(URI.create(url())).token(token)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(200))
        .listener(new CollabClientListener() {
          @Override
          public void onDisconnected(int code, String reason) {
            closes.add(code);
          }
        }).build();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> denied(YjsNodeClients js, String id) {
    return (List<Object>) js.status(id).get("denied");
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
