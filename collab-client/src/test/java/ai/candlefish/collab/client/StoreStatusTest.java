package ai.candlefish.collab.client;

import static ai.candlefish.collab.client.TestServers.storedText;
import static ai.candlefish.collab.client.TestServers.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.SwitchableStore;
import ai.candlefish.collab.testkit.YjsNodeClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store that fails is not a silence: collab/1 clients hear {@code StoreStatus}, Hocuspocus providers a stateless
 * message, the server reports since when ({@link CollabServer#storeFailingSince()}) and a gauge counts the
 * documents; edits made meanwhile are acknowledged once the store takes them again, and nothing is lost.
 */
class StoreStatusTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");

  static final class StatusRecorder implements CollabClientListener {
    final List<String> statuses = new CopyOnWriteArrayList<>();

    @Override
    public void onStoreStatus(String document, boolean failing) {
      statuses.add(document + (failing ? " failing" : " ok"));
    }
  }

  private final SwitchableStore store = new SwitchableStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CollabClient> clients = new CopyOnWriteArrayList<>();
  private CollabServer server;

  @AfterEach
  void stop() {
    clients.forEach(CollabClient::close);
    if (server != null) {
      server.close();
    }
  }

  private ClientDocument open(String name, CollabClientListener listener) {
    CollabClient client = CollabClient.newBuilder().uri(TestServers.uri(server)).token("alice").listener(listener)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).build();
    clients.add(client);
    client.connect();
    return client.open(name).orTimeout(10, TimeUnit.SECONDS).join();
  }

  @SuppressWarnings("unchecked")
  private static List<String> stateless(YjsNodeClients node, String id) {
    return (List<String>) node.status(id).get("stateless");
  }

  private double failingGauge() {
    return meters.get("collab.store.failing").gauge().value();
  }

  @Test
  void aFailingStore_isToldToClients_andCounted_andEditsAreAcknowledgedOnceItRecovers() throws Exception {
    server = TestServers.server(store, 0).meterRegistry(meters).build().start();
    StatusRecorder early = new StatusRecorder();
    ClientDocument plans = open("plans", early);
    plans.edit(txn -> plans.doc().getText("t").insert(0, "stored. ")).get(10, TimeUnit.SECONDS);
    assertThat(server.storeFailingSince()).isEmpty();
    assertThat(failingGauge()).isZero();

    try (YjsNodeClients node = YjsNodeClients.start()) {
      String url = TestServers.uri(server).toString();
      node.call("connect", "kind", "hocuspocus", "id", "h", "url", url, "room", "plans", "token", "alice");
      node.connect("y", url, "plans", "alice"); // y-websocket: no message for it, and must not be disturbed

      store.down = true;
      CompletableFuture<Void> ack = plans.edit(txn -> plans.doc().getText("t").insert(plans.doc().getText("t")
          .length(), "written while the database was down."));
      await("the collab/1 client is told").atMost(Duration.ofSeconds(10))
          .until(() -> early.statuses.contains("plans failing"));
      await("the Hocuspocus provider is told").atMost(Duration.ofSeconds(10))
          .until(() -> stateless(node, "h").contains("{\"type\":\"candlefish.store\",\"failing\":true}"));
      assertThat(server.storeFailingSince()).isPresent();
      assertThat(failingGauge()).isEqualTo(1);
      assertThat(ack).as("no acknowledgement while nothing is stored").isNotDone();

      // A client that opens the document meanwhile is told at once, after its first state.
      StatusRecorder late = new StatusRecorder();
      ClientDocument later = open("plans", late);
      await("a client that opens it meanwhile is told").atMost(Duration.ofSeconds(10))
          .until(() -> late.statuses.contains("plans failing"));
      assertThat(text(later)).isEqualTo("stored. written while the database was down.");

      store.down = false;
      ack.get(10, TimeUnit.SECONDS);
      await("told that it is stored again").atMost(Duration.ofSeconds(10))
          .until(() -> early.statuses.contains("plans ok") && late.statuses.contains("plans ok")
              && stateless(node, "h").contains("{\"type\":\"candlefish.store\",\"failing\":false}"));
      assertThat(early.statuses).containsExactly("plans failing", "plans ok");
      assertThat(server.storeFailingSince()).isEmpty();
      assertThat(failingGauge()).isZero();
      assertThat(storedText(store.delegate, ACME_PLANS)).isEqualTo("stored. written while the database was down.");
      Map<String, Object> ywebsocket = node.status("y");
      assertThat(ywebsocket.get("connected")).as("the y-websocket client stays connected").isEqualTo(true);
      node.waitText("y", "stored. written while the database was down.");
    }
  }

  /**
   * The store stays down until the document's backlog reaches its bound: the server refuses the next update with
   * "try again later" (1013, by its ack id, then the close). The client keeps that edit and every other one not
   * acknowledged, sends them again when it reconnects, and each is acknowledged once the store is back. Before, the
   * client took the Error naming the ack id as final, failed the edit and never sent it again.
   */
  @Test
  void aStoreDownPastTheBacklogBound_refusesWith1013_andTheClientSendsItsEditsAgain_untilAcknowledged()
      throws Exception {
    server = TestServers.server(store, 0).maxUnstoredBytes(64 * 1024, 0).build().start();
    TestServers.Recorder events = new TestServers.Recorder();
    ClientDocument plans = open("plans", events);
    store.down = true;

    List<CompletableFuture<Void>> edits = new ArrayList<>();
    StringBuilder expected = new StringBuilder();
    await("the backlog fills, and an update is refused for now").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(10)).until(() -> {
          String line = "edit " + edits.size() + " " + "x".repeat(2000) + "\n";
          expected.append(line);
          edits.add(plans.edit(txn -> plans.doc().getText("t").insert(plans.doc().getText("t").length(), line)));
          return events.events.contains("disconnected " + CloseCodes.TRY_AGAIN_LATER);
        });
    assertThat(edits.size()).as("64 KiB of 2 KB edits").isBetween(30, 200);
    assertThat(edits).as("nothing acknowledged while the store is down").noneMatch(CompletableFuture::isDone);

    store.down = false;
    for (CompletableFuture<Void> edit : edits) {
      edit.get(60, TimeUnit.SECONDS);
    }
    assertThat(plans.unacknowledged()).isZero();
    assertThat(storedText(store.delegate, ACME_PLANS)).isEqualTo(expected.toString());
  }
}
