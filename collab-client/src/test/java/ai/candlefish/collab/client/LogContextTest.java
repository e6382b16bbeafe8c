package ai.candlefish.collab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.LogContext;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The MDC the server sets (LogContext) is what the host's code sees when the server calls it: a document's tenant
 * and name in its hooks, the connection's id in the authenticator; and it does not leak from one to the next.
 */
class LogContextTest {
  record Seen(String where, Map<String, String> mdc) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<CollabClient> clients = new CopyOnWriteArrayList<>();
  private CollabServer server;

  @AfterEach
  void stop() {
    clients.forEach(CollabClient::close);
    if (server != null) {
      server.close();
    }
  }

  private void record(String where) {
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    seen.add(new Seen(where, mdc == null ? Map.of() : new HashMap<>(mdc)));
  }

  private ClientDocument open(String token, String name) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(TestServers.uri(server)).token(token).build();
    clients.add(client);
    client.connect().get(10, TimeUnit.SECONDS);
    return client.open(name).get(10, TimeUnit.SECONDS);
  }

  @Test
  void hooksAndTheAuthenticator_seeTheDocumentOrConnectionTheyAreAbout() throws Exception {
    server = TestServers.server(new InMemoryDocumentStore(), 0).hooks(new CollabHooks() {
      @Override
      public void onAuthenticate(ConnectionInfo connection, Principal principal) {
        record("authenticate " + connection.id());
      }

      @Override
      public void onChange(DocumentKey key, Doc doc) {
        record("change " + key.name());
      }

      @Override
      public void onStore(DocumentKey key) {
        record("store " + key.name());
      }
    }).storeDebounce(Duration.ofMillis(10)).build().start();

    ClientDocument plans = open("alice", "plans");
    ClientDocument notes = open("zed", "notes");
    plans.edit(txn -> plans.doc().getText("t").insert(0, "a")).get(10, TimeUnit.SECONDS);
    notes.edit(txn -> notes.doc().getText("t").insert(0, "b")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().filter(s -> s.where().startsWith("store"))
        .map(Seen::where).distinct().count() == 2);

    for (Seen s : seen) {
      String[] what = s.where().split(" ");
      switch (what[0]) {
        case "authenticate" -> assertThat(s.mdc()).as(s.where())
            .containsExactlyEntriesOf(Map.of(LogContext.CONNECTION, what[1]));
        case "change", "store" -> assertThat(s.mdc()).as(s.where()).containsExactlyInAnyOrderEntriesOf(Map.of(
            LogContext.TENANT, what[1].equals("plans") ? "acme" : "globex", LogContext.DOCUMENT, what[1]));
        default -> throw new AssertionError(s.where());
      }
    }
    assertThat(seen).extracting(Seen::where).anyMatch(w -> w.startsWith("authenticate"))
        .contains("change plans", "change notes");
  }
}
