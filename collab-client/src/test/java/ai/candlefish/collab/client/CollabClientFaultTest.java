package ai.candlefish.collab.client;

import static ai.candlefish.collab.client.TestServers.storedText;
import static ai.candlefish.collab.client.TestServers.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server goes away while two clients edit: they keep editing offline, a new server comes up on the same port
 * with the same store, and they reconnect, resynchronise and converge. Nothing acknowledged is ever lost: what was
 * acknowledged before the crash is in the store at the crash, and everything acknowledged is in the final state.
 */
class CollabClientFaultTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");
  private static final Pattern TOKEN = Pattern.compile("\\[[ab]\\d+]");

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private final List<CollabClient> clients = new ArrayList<>();
  private CollabServer server;

  /** One edit: a unique token inserted at either end of the text (so no later insert splits it). */
  private record Edit(String token, CompletableFuture<Void> ack) {
    boolean acknowledged() {
      return ack.isDone() && !ack.isCompletedExceptionally();
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(CollabClient::close);
    if (server != null) {
      server.close();
    }
  }

  private CollabClient client(String token) {
    CollabClient client = CollabClient.newBuilder().uri(TestServers.uri(server)).token(token)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(250)).build();
    clients.add(client);
    client.connect();
    return client;
  }

  private static Thread editor(ClientDocument document, String prefix, long seed, List<Edit> edits,
      AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; !stop.get(); i++) {
        String token = "[" + prefix + i + "]";
        // Recorded under the doc's monitor with the edit: the list order is the edit order.
        synchronized (document.doc()) {
          edits.add(new Edit(token, document.edit(txn -> {
            var text = document.doc().getText("t");
            text.insert(random.nextBoolean() ? 0 : text.length(), token);
          })));
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "editor-" + prefix);
    t.start();
    return t;
  }

  @Test
  void serverRestart_clientsEditOfflineThenReconnectAndConverge() throws Exception {
    server = TestServers.server(store, 0).build().start();
    int port = server.port();
    CollabClient alice = client("alice");
    CollabClient bob = client("bob");
    ClientDocument a = alice.open("plans").get(10, TimeUnit.SECONDS);
    ClientDocument b = bob.open("plans").get(10, TimeUnit.SECONDS);
    long seed = System.nanoTime();
    List<Edit> edits = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread[] editors = {editor(a, "a", seed, edits, stop), editor(b, "b", seed + 1, edits, stop)};

    await().until(() -> edits.stream().filter(Edit::acknowledged).count() >= 20);
    server.close();
    List<Edit> ackedBeforeCrash = edits.stream().filter(Edit::acknowledged).toList();
    String atCrash = storedText(store, ACME_PLANS);
    for (Edit e : ackedBeforeCrash) {
      assertThat(atCrash).as("seed %d: acknowledged %s is stored", seed, e.token).contains(e.token);
    }

    await().until(() -> !alice.isConnected() && !bob.isConnected());
    int offlineFrom = edits.size();
    await().until(() -> edits.size() >= offlineFrom + 40); // both keep editing, offline
    assertThat(a.unacknowledged() + b.unacknowledged()).isPositive();

    server = TestServers.server(store, port).build().start();
    await().atMost(Duration.ofSeconds(20)).until(() -> alice.isConnected() && bob.isConnected());
    int onlineFrom = edits.size();
    await().until(() -> edits.size() >= onlineFrom + 40);
    stop.set(true);
    for (Thread t : editors) {
      t.join();
    }

    CompletableFuture.allOf(a.whenAcknowledged(), b.whenAcknowledged()).get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(text(a)).as("seed %d", seed)
        .isEqualTo(text(b)));
    String fin = text(a);
    assertThat(edits).as("seed %d: every edit acknowledged in the end", seed).allMatch(Edit::acknowledged);
    List<String> tokens = new ArrayList<>();
    for (Matcher m = TOKEN.matcher(fin); m.find(); ) {
      tokens.add(m.group());
    }
    assertThat(tokens).as("seed %d: each edit exactly once", seed)
        .containsExactlyInAnyOrderElementsOf(edits.stream().map(Edit::token).toList());
    server.close();
    server = null;
    assertThat(storedText(store, ACME_PLANS)).as("seed %d: the store has the final state", seed).isEqualTo(fin);
  }

  @Test
  void serverGone_othersPresenceIsClearedOwnStateKept_andBothReappearAfterReconnect() throws Exception {
    server = TestServers.server(store, 0).build().start();
    int port = server.port();
    ClientDocument a = client("alice").open("plans").get(10, TimeUnit.SECONDS);
    ClientDocument b = client("bob").open("plans").get(10, TimeUnit.SECONDS);
    long aliceId = a.awareness().clientId();
    long bobId = b.awareness().clientId();
    a.awareness().setLocalStateField("name", "alice");
    b.awareness().setLocalStateField("name", "bob");
    await().untilAsserted(() -> assertThat(a.awareness().clientsWithState())
        .containsExactlyInAnyOrder(aliceId, bobId));

    server.close();
    // Nobody can tell alice that bob is still there: his cursor goes, hers stays for when she is back.
    await().untilAsserted(() -> assertThat(a.awareness().clientsWithState()).containsExactly(aliceId));
    assertThat(a.awareness().states()).containsEntry(aliceId, Map.of("name", "alice"));

    server = TestServers.server(store, port).build().start();
    // Well before the 15 s renewal: each announces itself with a new clock on reconnecting.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(a.awareness().states()).containsEntry(bobId, Map.of("name", "bob"));
      assertThat(b.awareness().states()).containsEntry(aliceId, Map.of("name", "alice"));
    });
  }
}
