package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.testkit.ForwardingDocumentStore;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Micrometer meters, read off a real server's {@link SimpleMeterRegistry} while real clients use it. */
class CollabServerMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CollabServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private double gauge(String name, String... tags) {
    var gauge = registry.find(name).tags(tags).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  @Test
  void meters_followConnectionsDocumentsMessagesStoresAndRejections() {
    AtomicBoolean failNextAppend = new AtomicBoolean(true);
    DocumentStore flaky = new ForwardingDocumentStore() {
      @Override
      public void append(DocumentKey key, byte[] update) {
        if (failNextAppend.getAndSet(false)) {
          throw new StoreException("disk full (test)");
        }
        super.append(key, update);
      }
    };
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(flaky)
        .authenticator(TestTokens.TOKENS).meterRegistry(registry)
        .storeDebounce(Duration.ZERO).storeMaxWait(Duration.ZERO).storeRetryMax(Duration.ofMillis(50))
        .unloadDelay(Duration.ZERO).build().start();
    String base = "ws://127.0.0.1:" + server.port() + "/";

    try (YClient alice = YClient.connect(URI.create(base + "plans?token=alice"));
        YClient reader = YClient.connect(URI.create(base + "plans?token=reader"))) {
      alice.awaitSynced();
      reader.awaitSynced();
      assertThat(gauge("collab.connections", "protocol", "y-websocket")).isEqualTo(2);
      assertThat(gauge("collab.documents.loaded")).isEqualTo(1);

      alice.insert(0, "hello");
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.text().equals("hello"));
      // Every sync step 2 and update applied counts, the empty step 2s of the first sync too.
      assertThat(registry.find("collab.update.apply").timer().count()).isGreaterThanOrEqualTo(1);
      // The first append fails, the retry succeeds.
      await().atMost(Duration.ofSeconds(30))
          .until(() -> registry.find("collab.store").tag("result", "success").timer().count() >= 1);
      assertThat(registry.find("collab.store").tag("result", "failure").timer().count()).isEqualTo(1);

      reader.insert(0, "nope");
      await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("collab.messages.rejected")
          .tag("code", Integer.toString(CloseCodes.FORBIDDEN)).counter() != null);

      var in = registry.find("collab.messages.received").tag("protocol", "y-websocket").summary();
      var out = registry.find("collab.messages.sent").tag("protocol", "y-websocket").summary();
      assertThat(in.count()).isGreaterThanOrEqualTo(4); // two step 1s, two step 2s, the updates
      assertThat(in.totalAmount()).isGreaterThan(in.count());
      assertThat(out.count()).isGreaterThanOrEqualTo(4);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge("collab.connections", "protocol", "y-websocket") == 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge("collab.documents.loaded") == 0);

    server.close();
    assertThat(registry.find("collab.documents.loaded").gauge()).isNull();
  }

  @Test
  void meters_countAuthenticationTimeoutsAndRememberedRevocations() throws Exception {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(TestTokens.TOKENS)
        .meterRegistry(registry).unauthenticatedLimits(Duration.ofMillis(200), 32, 1 << 20).build().start();
    try (Socket silent = RawWebSocket.open(server.port())) {
      assertThat(RawWebSocket.upgrade(silent, "/", "")).contains(" 101 "); // Hocuspocus: no token sent, ever
      assertThat(RawWebSocket.closeCode(silent.getInputStream())).isEqualTo(CloseCodes.UNAVAILABLE);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("collab.connections.refused")
        .tag("reason", "authentication-timeout").counter() != null);

    assertThat(gauge("collab.revocations")).isZero();
    server.revoke("acme", "mallory").get(30, TimeUnit.SECONDS);
    assertThat(gauge("collab.revocations")).isEqualTo(1);
  }
}
