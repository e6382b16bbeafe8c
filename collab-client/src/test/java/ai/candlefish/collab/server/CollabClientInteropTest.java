package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One document shared by a {@link CollabClient} (collab/1) and two real y-websocket 3.1.0 {@code WebsocketProvider}s
 * (Node, {@code collab-testkit/src/main/js/yjs-node-clients.mjs}) on the same server: both protocols on one port, edits in
 * parallel from both sides, one converged text; awareness crosses the protocols too.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class CollabClientInteropTest {
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private CollabServer server;
  private CollabClient carol;

  @BeforeEach
  void startServer() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(50))
        .storeMaxWait(Duration.ofMillis(200)).build().start();
  }

  @AfterEach
  void stop() {
    if (carol != null) {
      carol.close();
    }
    server.close();
  }

  private static String text(ClientDocument d) {
    synchronized (d.doc()) {
      return d.doc().getText("t").toString();
    }
  }

  @Test
  void collabClientHocuspocusAndYWebsocketProviders_convergeOnConcurrentEdits() throws Exception {
    String url = "ws://127.0.0.1:" + server.port();
    long n1 = node.connect("n1", url, "mixed", "alice");
    node.connect("n2", url, "mixed", "bob");
    // Two @hocuspocus/provider clients on the same document (they connect to the prefix itself).
    for (String id : List.of("h1", "h2")) {
      node.call("connect", "kind", "hocuspocus", "id", id, "url", url, "room", "mixed", "token", "alice");
    }
    carol = CollabClient.newBuilder().uri(URI.create(url)).token("carol").build();
    carol.connect().get(10, TimeUnit.SECONDS);
    ClientDocument doc = carol.open("mixed").get(10, TimeUnit.SECONDS);

    long seed = System.nanoTime();
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    Thread java = new Thread(() -> {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < 200; i++) {
        acks.add(doc.edit(txn -> {
          var t = doc.doc().getText("t");
          if (t.length() > 0 && random.nextInt(10) < 3) {
            int at = random.nextInt(t.length());
            t.delete(at, Math.min(t.length() - at, 1 + random.nextInt(3)));
          } else {
            t.insert(random.nextInt(t.length() + 1), String.valueOf((char) ('A' + random.nextInt(26))));
          }
        }));
        if (random.nextBoolean()) {
          Thread.yield();
        }
      }
    }, "java-editor");
    java.start();
    node.call("randomEdits", "ids", List.of("n1", "n2", "h1", "h2"), "count", 400, "seed", seed & 0x7fffffff);
    java.join();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      String javaText = text(doc);
      assertThat(node.text("n1")).as("seed %d", seed).isEqualTo(javaText);
      assertThat(node.text("n2")).as("seed %d", seed).isEqualTo(javaText);
      assertThat(node.text("h1")).as("seed %d", seed).isEqualTo(javaText);
      assertThat(node.text("h2")).as("seed %d", seed).isEqualTo(javaText);
    });
    String fin = text(doc);
    // Every side's edits are in (deletes may have removed any side's characters from the text).
    synchronized (doc.doc()) {
      var clients = doc.doc().stateVector().toMap();
      assertThat(clients).as("the Java client and the four providers wrote").hasSize(5);
      assertThat(clients.get(doc.doc().clientId())).as("the Java client's inserts").isPositive();
    }
    String stored = server.openDocument(DocumentKey.of("acme", "mixed"))
        .thenCompose(h -> h.read(d -> d.getText("t").toString())).get(10, TimeUnit.SECONDS);
    assertThat(stored).isEqualTo(fin);

    // Presence crosses the protocols both ways. (A first state has clock 0, which y-protocols peers ignore until it
    // is renewed: both sides set a state, clock 1.)
    doc.awareness().setLocalState(Map.of("name", "carol"));
    node.call("setAwareness", "id", "n1", "state", Map.of("name", "n1"));
    node.waitAwareness("n1", doc.awareness().clientId(), true, 10_000);
    await().untilAsserted(() -> assertThat(doc.awareness().states()).containsEntry(n1, Map.of("name", "n1")));
    carol.close();
    carol = null;
    node.waitAwareness("n2", doc.awareness().clientId(), false, 10_000);
  }
}
