package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.testkit.SwitchableStore;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** The health of a real server whose store goes down under a real client's edits, and comes back. */
class CollabHealthIndicatorTest {
  private CollabServer server;
  private CollabClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aStoreThatFailsPastTheThreshold_isDown_andUpAgainOnceItRecovers() throws Exception {
    SwitchableStore store = new SwitchableStore();
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("t")).storeDebounce(Duration.ofMillis(10))
        .storeRetryMax(Duration.ofMillis(100)).build().start();
    CollabHealthIndicator strict = new CollabHealthIndicator(server, Duration.ZERO);
    CollabHealthIndicator lenient = new CollabHealthIndicator(server);
    client = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token("x").build();
    client.connect().get(10, TimeUnit.SECONDS);
    ClientDocument doc = client.open("d").get(10, TimeUnit.SECONDS);
    assertThat(strict.health().getStatus()).isEqualTo(Status.UP);

    store.down = true;
    var ack = doc.edit(txn -> doc.doc().getText("t").insert(0, "kept in memory"));
    await().atMost(Duration.ofSeconds(10)).until(() -> strict.health().getStatus().equals(Status.DOWN));
    assertThat(strict.health().getDetails()).containsKey("storeFailingSince").containsKey("reason");
    assertThat(lenient.health().getStatus()).as("within 30 s of the first failure").isEqualTo(Status.UP);
    assertThat(lenient.health().getDetails()).containsKey("storeFailingSince");

    store.down = false;
    ack.get(10, TimeUnit.SECONDS);
    assertThat(strict.health().getStatus()).isEqualTo(Status.UP);
    assertThat(strict.health().getDetails()).doesNotContainKey("storeFailingSince");
  }
}
