package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks over one multi-document (Hocuspocus) socket with a valid token: a reader that never reads and opens large
 * documents one after another, and a client that opens documents or sends tokens as fast as it can. Each is bounded
 * as documented, and another client of the same document carries on.
 */
class HostileSessionsTest {
  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private CollabServer server;

  private void start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(memory)
        .authenticator(TestTokens.TOKENS).meterRegistry(meters).storeDebounce(Duration.ofMillis(20))
        .storeMaxWait(Duration.ofMillis(100)).unloadDelay(Duration.ofSeconds(30))).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private double rejected(int code) {
    Counter counter = meters.find("collab.messages.rejected").tag("code", Integer.toString(code)).counter();
    return counter == null ? 0 : counter.count();
  }

  /**
   * Full states sent when a document is opened count against the outbound limit too (only the first is exempt, so
   * that one large document still reaches a slow link): reopening large documents without reading ends in 1013.
   */
  @Test
  void nonReader_openingLargeDocumentsOneAfterAnother_isClosedAtTheOutboundLimit() {
    start(b -> b.outboundBufferLimit(1 << 20));
    // 30 full states of 400 KB: 12 MB, well beyond what loopback's kernel buffers absorb (the server's send buffer
    // autotunes up to tcp_wmem's maximum, 4 MiB by default, the client's receive buffer to a few hundred KiB while
    // nobody reads) plus the 1 MiB limit; with 12 documents the kernel sometimes took nearly everything.
    int documents = 30;
    String chunk = "x".repeat(400_000);
    for (int i = 0; i < documents; i++) {
      try (DocumentHandle h = server.openDocument(DocumentKey.of("acme", "big-" + i)).join()) {
        h.edit(txn -> txn.doc().getText("t").insert(0, chunk)).join();
      }
    }
    YClient bystander = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/big-0?token=bob"));
    clients.add(bystander);
    bystander.awaitSynced();

    RawHocuspocusClient attacker = new RawHocuspocusClient(server.port(), false); // never reads
    for (int i = 0; i < documents; i++) {
      attacker.auth("big-" + i, "alice").step1("big-" + i);
    }

    // Megabytes beyond the socket buffers: the server closes the connection instead of buffering them.
    await("the non-reader is closed with 1013").atMost(Duration.ofSeconds(60))
        .until(() -> rejected(CloseCodes.TRY_AGAIN_LATER) >= 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionCount() == 1);
    bystander.insert(0, "still here ");
    try (DocumentHandle h = server.openDocument(DocumentKey.of("acme", "big-0")).join()) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> h.read(doc -> doc.getText("t").toString().startsWith("still here ")).join());
    }
  }

  /**
   * A client that opens documents one after another as fast as the server answers is slowed to the open rate, and
   * every document is served ({@link ReadBudgetTest} writes them all at once).
   */
  @Test
  void documentOpens_oneAfterAnother_areSlowedToTheRate_andEveryOneIsServed() {
    start(b -> b.documentOpenRate(10, 2));
    RawHocuspocusClient churner = new RawHocuspocusClient(server.port());
    long started = System.nanoTime();
    for (int i = 0; i < 22; i++) {
      String name = "open-" + i;
      churner.auth(name, "alice").step1(name);
      await().atMost(Duration.ofSeconds(30)).until(() -> !churner.of(name, 0).isEmpty());
    }
    // 2 at once, then 10 per second: the last of 22 cannot be served before 2 s (a lower bound, not a speed test).
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(churner.closed).isNotDone();
  }

  /**
   * Token messages on one socket, each a different token and so an authenticator call, are checked at the
   * per-connection rate; repeating the connection's own token costs no call at all.
   */
  @Test
  void tokenFlood_onOneSocket_isSlowedToTheRate() {
    AtomicInteger calls = new AtomicInteger();
    start(b -> b.authentication(2, 10, 2).authenticator((token, connection) -> {
      calls.incrementAndGet();
      return Principal.of(token, "acme", Permission.WRITE);
    }));
    RawHocuspocusClient flooder = new RawHocuspocusClient(server.port());
    long started = System.nanoTime();
    for (int i = 0; i < 22; i++) {
      String name = "tokens-" + i;
      flooder.auth(name, "token-" + i);
      await().atMost(Duration.ofSeconds(30)).until(() -> flooder.authenticated(name) > 0);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(calls.get()).isEqualTo(22);
    for (int i = 0; i < 22; i++) {
      flooder.auth("again-" + i, "token-0"); // the connection's token: no call
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> flooder.authenticated("again-21") > 0);
    assertThat(calls.get()).isEqualTo(22);
  }

  /** Documents beyond the maximum per connection close that socket with 1008; a client of another socket goes on. */
  @Test
  void documentsBeyondTheMaximumPerConnection_closeTheSocketWith1008_othersCarryOn() throws Exception {
    start(b -> b.maxDocumentsPerConnection(3));
    YClient bystander = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/plans?token=bob"));
    clients.add(bystander);
    bystander.awaitSynced();
    RawHocuspocusClient hoarder = new RawHocuspocusClient(server.port());
    for (int i = 0; i < 4; i++) {
      hoarder.auth("hoard-" + i, "alice").step1("hoard-" + i);
    }
    assertThat(hoarder.closed.get(30, TimeUnit.SECONDS)).isEqualTo(CloseCodes.POLICY_VIOLATION);
    assertThat(rejected(CloseCodes.POLICY_VIOLATION)).isPositive();
    bystander.insert(0, "still here");
    try (DocumentHandle h = server.openDocument(DocumentKey.of("acme", "plans")).join()) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> h.read(doc -> doc.getText("t").toString().equals("still here")).join());
    }
  }
}
