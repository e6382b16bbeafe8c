package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.LogContext;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Principal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * The MDC keys of {@link LogContext} in a Spring Boot application (Logback), on the embedded port and on the
 * application's own port: the application's hooks, and every log line written on their threads, see the connection
 * they are about ({@code collab.connection} when it authenticates) or the document ({@code collab.tenant},
 * {@code collab.document} when it changes and is stored), and nothing of another.
 */
class CollabLogContextTest {
  record Seen(String where, Map<String, String> mdc) {}

  @SpringBootApplication
  static class App {
    static final List<Seen> seen = new CopyOnWriteArrayList<>();

    private static void record(String where) {
      Map<String, String> mdc = MDC.getCopyOfContextMap();
      seen.add(new Seen(where, mdc == null ? Map.of() : new HashMap<>(mdc)));
    }

    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }

    @Bean
    CollabHooks recordTheMdc() {
      return new CollabHooks() {
        @Override
        public void onAuthenticate(ConnectionInfo connection, Principal principal) {
          record("authenticate " + connection.id());
        }

        @Override
        public void onChange(DocumentKey key, Doc doc) {
          record("change " + key.tenant() + " " + key.name());
        }

        @Override
        public void onStore(DocumentKey key) {
          record("store " + key.tenant() + " " + key.name());
        }
      };
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "servlet"})
  void hooks_seeTheConnectionOrDocumentTheyAreAbout(String transport) throws Exception {
    App.seen.clear();
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
        "--candlefish.collab.host=127.0.0.1", "--candlefish.collab.port=0",
        "--candlefish.collab.transport=" + transport, "--candlefish.collab.path=/collab",
        "--candlefish.collab.documents.store-debounce=10ms", "--candlefish.collab.documents.store-max-wait=100ms"));
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class).run(args.toArray(String[]::new))) {
      int port = transport.equals("embedded") ? app.getBean(CollabServer.class).port()
          : ((WebServerApplicationContext) app).getWebServer().getPort();
      URI uri = URI.create("ws://127.0.0.1:" + port + "/collab");
      try (CollabClient alice = client(uri, "alice", "acme"); CollabClient zed = client(uri, "zed", "globex")) {
        ClientDocument plans = alice.open("plans").get(30, TimeUnit.SECONDS);
        ClientDocument notes = zed.open("notes").get(30, TimeUnit.SECONDS);
        plans.edit(txn -> txn.doc().getText("t").insert(0, "a")).get(30, TimeUnit.SECONDS);
        notes.edit(txn -> txn.doc().getText("t").insert(0, "b")).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> App.seen.stream().map(Seen::where)
            .filter(w -> w.startsWith("store")).distinct().count() == 2);
      }
    }

    for (Seen s : App.seen) {
      String[] what = s.where().split(" ");
      switch (what[0]) {
        case "authenticate" -> assertThat(s.mdc()).as(s.where())
            .containsExactlyEntriesOf(Map.of(LogContext.CONNECTION, what[1]));
        case "change", "store" -> assertThat(s.mdc()).as(s.where())
            .containsExactlyInAnyOrderEntriesOf(Map.of(LogContext.TENANT, what[1], LogContext.DOCUMENT, what[2]));
        default -> throw new AssertionError(s.where());
      }
    }
    assertThat(App.seen).extracting(Seen::where).filteredOn(w -> w.startsWith("authenticate")).hasSize(2);
    assertThat(App.seen).extracting(Seen::where).contains("change acme plans", "change globex notes");
  }

  private static CollabClient client(URI uri, String user, String tenant) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(uri)
        .token(CollabAutoConfigurationTest.token(user, tenant, "write")).build();
    client.connect().get(30, TimeUnit.SECONDS);
    return client;
  }
}
