package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.ServerWatch;
import ai.candlefish.collab.testkit.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Presence budgets through real sockets: awareness updates beyond a connection's or a document's budget (updates
 * and bytes per second) are coalesced, not queued: the document applies no more than the budget, each client's
 * latest state still reaches the others, and nobody is closed.
 */
class PresenceBudgetTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  /** Presence changes the document applied (the hook hears each). */
  private final AtomicInteger applied = new AtomicInteger();
  private final List<YClient> clients = new ArrayList<>();
  private final List<Bystander> bystanders = new ArrayList<>();
  private CollabServer server;

  private void start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(TestTokens.TOKENS)
        .meterRegistry(meters).awarenessLimits(32 * 1024, Duration.ZERO).hooks(new CollabHooks() {
          @Override
          public void onAwareness(DocumentKey key, AwarenessChange change) {
            applied.addAndGet(change.added().size() + change.updated().size());
          }
        })).build().start();
  }

  /** A watch of {@code attack} with bystanders on document "plans" (the flooded one) and "other". */
  private ServerWatch watch(String attack) {
    bystanders.add(Bystander.join(server, "plans"));
    bystanders.add(Bystander.join(server, "other"));
    return Bystander.watch(attack, bystanders).heapBound(16 << 20).start();
  }

  @AfterEach
  void stop() {
    bystanders.forEach(Bystander::close);
    clients.forEach(YClient::close);
    if (server != null) {
      server.close();
    }
  }

  private YClient connect(String token) {
    YClient client = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/plans?token=" + token));
    clients.add(client);
    client.awaitSynced();
    return client;
  }

  private double coalesced() {
    Counter counter = meters.find("collab.messages.throttled").tag("limit", "awareness").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void presenceFlood_ofOneConnection_isCoalescedToItsBudget_andTheLatestStateWins() throws Exception {
    start(b -> b.awarenessRates(10, 1 << 20, 100_000, 1L << 30));
    YClient bob = connect("bob");
    YClient flooder = connect("carol");
    ServerWatch watch = watch("presence flood of one connection");
    long id = flooder.awareness.clientId();
    int before = applied.get();
    long start = System.nanoTime();
    for (int i = 0; i < 300; i++) {
      flooder.present(Map.of("cursor", i));
    }
    ReadBudgetTest.assertPaced(() -> applied.get() - before,
        () -> Map.of("cursor", 299).equals(bob.awareness.states().get(id)), 10, 10, 1, start);
    watch.check();
    assertThat(coalesced()).isPositive();
    assertThat(flooder.closed).isNotDone();
    assertThat(bob.closed).isNotDone();
  }

  @Test
  void presenceFlood_ofManyConnections_isCoalescedToTheDocumentsByteBudget_everyonesLatestStateWins()
      throws Exception {
    start(b -> b.awarenessRates(100_000, 1L << 30, 100_000, 8 * 1024));
    YClient bob = connect("bob");
    List<YClient> flooders = new ArrayList<>();
    for (String token : List.of("alice", "carol", "reader", "alice")) {
      flooders.add(connect(token));
    }
    String padding = "x".repeat(1000); // about 1 KiB a state: 8 a second
    ServerWatch watch = watch("presence flood of many connections");
    int before = applied.get();
    long start = System.nanoTime();
    for (int i = 0; i < 60; i++) {
      for (YClient f : flooders) {
        f.present(Map.of("cursor", i, "pad", padding));
      }
    }
    ReadBudgetTest.assertPaced(() -> applied.get() - before, () -> flooders.stream().allMatch(f ->
        Map.of("cursor", 59, "pad", padding).equals(bob.awareness.states().get(f.awareness.clientId()))),
        8, 8, 2 * flooders.size(), start);
    watch.check();
    assertThat(coalesced()).isPositive();
    await().untilAsserted(() -> assertThat(flooders).allSatisfy(f -> assertThat(f.closed).isNotDone()));
  }
}
