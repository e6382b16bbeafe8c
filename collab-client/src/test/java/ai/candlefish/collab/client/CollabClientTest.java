package ai.candlefish.collab.client;

import static ai.candlefish.collab.client.TestServers.storedText;
import static ai.candlefish.collab.client.TestServers.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.testkit.ForwardingDocumentStore;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CollabClient} against a real {@link CollabServer} over real sockets. */
class CollabClientTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");

  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final List<CollabClient> clients = new ArrayList<>();
  private CollabServer server;

  private CollabServer start(DocumentStore store, UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(TestServers.server(store, 0)).build().start();
    return server;
  }

  private CollabServer start() {
    return start(memory, b -> b);
  }

  private CollabClient client(String token, CollabClientListener listener) {
    CollabClient client = CollabClient.newBuilder().uri(TestServers.uri(server)).token(token).listener(listener)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).build();
    clients.add(client);
    client.connect();
    return client;
  }

  private CollabClient client(String token) {
    return client(token, new CollabClientListener() {});
  }

  private static ClientDocument open(CollabClient client, String name) {
    return client.open(name).orTimeout(10, TimeUnit.SECONDS).join();
  }

  @AfterEach
  void stop() {
    clients.forEach(CollabClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void open_getsTheServersStateAndLaterUpdates() {
    start();
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      handle.edit(txn -> txn.doc().getText("t").insert(0, "from the server")).join();
      ClientDocument plans = open(client("alice"), "plans");
      assertThat(text(plans)).isEqualTo("from the server");
      assertThat(plans.readOnly()).isFalse();
      handle.edit(txn -> txn.doc().getText("t").insert(0, ">> ")).join();
      await().untilAsserted(() -> assertThat(text(plans)).isEqualTo(">> from the server"));
    }
  }

  @Test
  void edit_twoClientsConvergeOnConcurrentEdits() throws Exception {
    start();
    ClientDocument a = open(client("alice"), "plans");
    ClientDocument b = open(client("bob"), "plans");
    long seed = System.nanoTime();
    List<CompletableFuture<Void>> acks = new CopyOnWriteArrayList<>();
    Thread[] writers = new Thread[2];
    ClientDocument[] docs = {a, b};
    for (int w = 0; w < 2; w++) {
      ClientDocument d = docs[w];
      SplittableRandom random = new SplittableRandom(seed + w);
      writers[w] = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          acks.add(d.edit(txn -> {
            var t = d.doc().getText("t");
            if (t.length() > 0 && random.nextInt(4) == 0) {
              int at = random.nextInt(t.length());
              t.delete(at, Math.min(t.length() - at, 1 + random.nextInt(3)));
            } else {
              t.insert(random.nextInt(t.length() + 1), String.valueOf((char) ('a' + random.nextInt(26))));
            }
          }));
        }
      });
      writers[w].start();
    }
    for (Thread t : writers) {
      t.join();
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    await().untilAsserted(() -> assertThat(text(a)).as("seed %d", seed).isEqualTo(text(b)));
    String server = this.server.openDocument(ACME_PLANS).thenCompose(h -> h.read(d -> d.getText("t").toString()))
        .join();
    assertThat(server).as("seed %d", seed).isEqualTo(text(a));
    assertThat(a.unacknowledged()).isZero();
    assertThat(b.unacknowledged()).isZero();
  }

  /** A store whose first write waits for {@link #release} (and then fails once, if asked to). */
  static final class GatedStore implements DocumentStore {
    final InMemoryDocumentStore delegate = new InMemoryDocumentStore();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger stored = new AtomicInteger();
    final boolean failFirst;

    GatedStore(boolean failFirst) {
      this.failFirst = failFirst;
    }

    @Override
    public StoredDocument load(DocumentKey key) {
      return delegate.load(key);
    }

    private void gate() {
      if (writes.incrementAndGet() == 1) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (failFirst) {
          throw new StoreException("the disk is on fire");
        }
      }
    }

    @Override
    public void append(DocumentKey key, byte[] update) {
      gate();
      delegate.append(key, update);
      stored.incrementAndGet();
    }

    @Override
    public void replace(DocumentKey key, byte[] state) {
      gate();
      delegate.replace(key, state);
      stored.incrementAndGet();
    }

    @Override
    public void delete(DocumentKey key) {
      delegate.delete(key);
    }
  }

  @Test
  void edit_acknowledgedOnlyOnceTheStoreHasTheUpdate() throws Exception {
    GatedStore store = new GatedStore(false);
    start(store, b -> b);
    ClientDocument plans = open(client("alice"), "plans");
    CompletableFuture<Void> ack = plans.edit(txn -> plans.doc().getText("t").insert(0, "durable"));
    assertThat(store.entered.await(10, TimeUnit.SECONDS)).as("the store is being written").isTrue();
    assertThat(ack).as("acknowledged while the store still writes").isNotDone();
    store.release.countDown();
    ack.get(10, TimeUnit.SECONDS);
    assertThat(store.stored.get()).isPositive();
    assertThat(storedText(store.delegate, ACME_PLANS)).isEqualTo("durable");
  }

  @Test
  void edit_aFailingStoreDelaysTheAckUntilARetrySucceeds() throws Exception {
    GatedStore store = new GatedStore(true);
    start(store, b -> b);
    ClientDocument plans = open(client("alice"), "plans");
    CompletableFuture<Void> ack = plans.edit(txn -> plans.doc().getText("t").insert(0, "retried"));
    assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> storedWhenAcked = ack.thenApply(v -> store.stored.get());
    store.release.countDown(); // the first write fails now; the server retries
    assertThat(storedWhenAcked.get(10, TimeUnit.SECONDS)).as("writes that succeeded before the ack").isPositive();
    assertThat(store.writes.get()).isGreaterThanOrEqualTo(2);
    assertThat(storedText(store.delegate, ACME_PLANS)).isEqualTo("retried");
  }

  @Test
  void open_aDocumentTheStoreCannotLoadNow_isRefused4503ThenOpenedAgainOnceItLoads_andOthersStay() throws Exception {
    // README "Security": a refusal that says "try again later" for one document is retried for that document only.
    AtomicInteger failedLoads = new AtomicInteger();
    CountDownLatch storeBack = new CountDownLatch(1);
    start(new ForwardingDocumentStore() {
      @Override
      public StoredDocument load(DocumentKey key) {
        if (key.name().equals("flaky") && storeBack.getCount() > 0) {
          failedLoads.incrementAndGet();
          throw new StoreException("database down");
        }
        return super.load(key);
      }
    }, b -> b);
    TestServers.Recorder recorder = new TestServers.Recorder();
    CollabClient alice = client("alice", recorder);
    ClientDocument plans = open(alice, "plans");
    CompletableFuture<ClientDocument> flaky = alice.open("flaky");
    await().atMost(Duration.ofSeconds(10)).until(() -> failedLoads.get() >= 2);
    assertThat(flaky).as("still asked for, not failed").isNotDone();
    assertThat(recorder.events).contains("refused flaky " + CloseCodes.UNAVAILABLE).doesNotContain("disconnected");
    plans.edit(txn -> plans.doc().getText("t").insert(0, "meanwhile")).get(10, TimeUnit.SECONDS);

    storeBack.countDown();
    ClientDocument opened = flaky.get(10, TimeUnit.SECONDS);
    opened.edit(txn -> opened.doc().getText("t").insert(0, "loaded at last")).get(10, TimeUnit.SECONDS);
    assertThat(recorder.events).filteredOn(e -> e.startsWith("disconnected") || e.equals("connected"))
        .as("one connection throughout").containsExactly("connected");
  }

  @Test
  void edit_readOnly_isRefusedAndNothingIsApplied() throws Exception {
    start();
    ClientDocument alice = open(client("alice"), "plans");
    alice.edit(txn -> alice.doc().getText("t").insert(0, "hello")).get(10, TimeUnit.SECONDS);
    ClientDocument reader = open(client("reader"), "plans");
    assertThat(reader.readOnly()).isTrue();
    assertThat(text(reader)).isEqualTo("hello");

    CompletableFuture<Void> refused = reader.edit(txn -> reader.doc().getText("t").insert(0, "EVIL "));
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(RefusedException.class)
        .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(CloseCodes.FORBIDDEN));
    assertThat(reader.unacknowledged()).isZero();

    // Anything later from alice reaches the reader; the refused edit reached nobody.
    alice.edit(txn -> alice.doc().getText("t").insert(5, " world")).get(10, TimeUnit.SECONDS);
    await().untilAsserted(() -> assertThat(text(reader)).isEqualTo("EVIL hello world"));
    assertThat(text(alice)).isEqualTo("hello world");
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("hello world");
  }

  @Test
  void open_tenantsAreIsolated_andForbiddenDocumentsRefused() throws Exception {
    start();
    ClientDocument acme = open(client("alice"), "plans");
    ClientDocument evil = open(client("eve"), "plans");
    acme.edit(txn -> acme.doc().getText("t").insert(0, "acme secret")).get(10, TimeUnit.SECONDS);
    evil.edit(txn -> evil.doc().getText("t").insert(0, "evil plan")).get(10, TimeUnit.SECONDS);
    assertThat(text(acme)).isEqualTo("acme secret");
    assertThat(text(evil)).isEqualTo("evil plan");
    assertThat(storedText(memory, DocumentKey.of("evil", "plans"))).isEqualTo("evil plan");
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("acme secret");

    TestServers.Recorder events = new TestServers.Recorder();
    CollabClient guest = client("guest", events);
    assertThatThrownBy(() -> guest.open("plans").get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(RefusedException.class).hasMessageContaining("4403");
    assertThat(events.events).contains("refused plans 4403");
    // The connection stays: a public document opens on it.
    assertThat(open(guest, "public-notes").readOnly()).isTrue();
    assertThat(guest.isConnected()).isTrue();
  }

  @Test
  void connect_withAnUnknownToken_failsAndDoesNotRetry() {
    start();
    TestServers.Recorder events = new TestServers.Recorder();
    CollabClient mallory = client("mallory", events);
    assertThatThrownBy(() -> mallory.connect().get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(RefusedException.class).hasMessageContaining("4401");
    assertThat(events.events).containsExactly("disconnected 4401");
    assertThat(mallory.isConnected()).isFalse();
  }

  /** A client whose messages from the server may be at most {@code maxMessageSize} bytes. */
  private CollabClient client(String token, CollabClientListener listener, int maxMessageSize) {
    CollabClient client = CollabClient.newBuilder().uri(TestServers.uri(server)).token(token).listener(listener)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).maxMessageSize(maxMessageSize).build();
    clients.add(client);
    client.connect();
    return client;
  }

  private static long connects(TestServers.Recorder events) {
    return events.events.stream().filter("connected"::equals).count();
  }

  @Test
  void open_aDocumentLargerThanMaxMessageSize_failsNamingTheSetting_andTheClientStopsReconnecting() {
    start();
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      handle.edit(txn -> txn.doc().getText("t").insert(0, "x".repeat(40_000))).join();
    }
    TestServers.Recorder events = new TestServers.Recorder();
    CollabClient alice = client("alice", events, 16 * 1024);
    // Before, each reconnect downloaded the whole state again, was dropped again, and the open never completed.
    assertThatThrownBy(() -> alice.open("plans").get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxMessageSize of 16384 bytes")
        .hasMessageContaining("CollabClient.Builder.maxMessageSize");
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
        .until(() -> connects(events) == 1 && !alice.isConnected());
  }

  @Test
  void edit_largerThanTheServersMaxMessageSize_failsNamingTheSetting_andTheClientStopsReconnecting() {
    start(memory, b -> b.maxMessageSize(16 * 1024));
    TestServers.Recorder events = new TestServers.Recorder();
    CollabClient alice = client("alice", events);
    ClientDocument plans = open(alice, "plans");
    // Before, every reconnect sent the unacknowledged update again and was closed with 1009 again.
    assertThatThrownBy(() -> plans.edit(txn -> plans.doc().getText("t").insert(0, "x".repeat(40_000)))
        .get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(RefusedException.class)
        .hasMessageContaining("maxMessageSize of 16384 bytes")
        .hasMessageContaining("candlefish.collab.limits.max-message-size")
        .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG));
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
        .until(() -> connects(events) == 1 && !alice.isConnected());
  }

  @Test
  void awareness_appearsAndDisappearsWhenTheClientLeaves() {
    start();
    ClientDocument a = open(client("alice"), "plans");
    CollabClient bobClient = client("bob");
    ClientDocument b = open(bobClient, "plans");
    long bobId = b.awareness().clientId();
    b.awareness().setLocalState(Map.of("name", "bob", "cursor", 3));
    await().untilAsserted(() -> assertThat(a.awareness().states()).containsEntry(bobId,
        Map.of("name", "bob", "cursor", 3)));
    bobClient.close();
    await().untilAsserted(() -> assertThat(a.awareness().states()).doesNotContainKey(bobId));
  }

  @Test
  void awareness_clearedByClosingTheDocument() throws Exception {
    start();
    ClientDocument a = open(client("alice"), "plans");
    CollabClient bobClient = client("bob");
    ClientDocument b = open(bobClient, "plans");
    long bobId = b.awareness().clientId();
    b.awareness().setLocalStateField("name", "bob");
    await().untilAsserted(() -> assertThat(a.awareness().states()).containsKey(bobId));
    b.close().get(10, TimeUnit.SECONDS);
    await().untilAsserted(() -> assertThat(a.awareness().states()).doesNotContainKey(bobId));
    // Open again: a new synced copy.
    assertThat(open(bobClient, "plans").name()).isEqualTo("plans");
  }

  @Test
  void sendCustom_reachesTheServersHooks() {
    List<String> received = new CopyOnWriteArrayList<>();
    start(memory, b -> b.hooks(new CollabHooks() {
      @Override
      public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal,
          Permission permission, String payload) {
        received.add(key + " " + connection.protocol() + " " + principal.id() + " " + permission + " " + payload);
      }
    }));
    TestServers.Recorder events = new TestServers.Recorder();
    ClientDocument plans = open(client("alice", events), "plans");
    assertThat(plans.sendCustom("{\"ping\":1}")).isTrue();
    await().untilAsserted(() -> assertThat(received).containsExactly(ACME_PLANS + " collab.v1 alice WRITE {\"ping\":1}"));
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      handle.broadcastStateless("pong");
      await().untilAsserted(() -> assertThat(events.events).contains("custom plans pong"));
    }
  }

  /** A raw collab.v1 WebSocket (the JDK's client) that records how the server closed it. */
  private static final class RawSocket implements WebSocket.Listener {
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final List<String> subprotocol = new CopyOnWriteArrayList<>();

    WebSocket connect(URI uri) {
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("collab.v1")
          .buildAsync(uri, this).join();
      subprotocol.add(ws.getSubprotocol());
      return ws;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }
  }

  @Test
  void malformedFrame_closesOnlyThatConnection() throws Exception {
    start();
    ClientDocument alice = open(client("alice"), "plans");
    RawSocket raw = new RawSocket();
    WebSocket ws = raw.connect(URI.create(TestServers.uri(server) + "/any/path"));
    assertThat(raw.subprotocol).containsExactly("collab.v1");
    ws.sendBinary(ByteBuffer.wrap(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("bob")).build()
        .toByteArray()), true).join();
    ws.sendBinary(ByteBuffer.wrap(new byte[] {0x0A, 0x7F, 0x01}), true).join(); // a length beyond the end
    assertThat(raw.closed.get(10, TimeUnit.SECONDS)).startsWith("1002 malformed collab/1 frame");

    alice.edit(txn -> alice.doc().getText("t").insert(0, "still here")).get(10, TimeUnit.SECONDS);
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("still here");
    assertThat(clients.get(0).isConnected()).isTrue();
  }

  @Test
  void misuse_failsFastWithClearMessages() {
    start();
    assertThatThrownBy(() -> CollabClient.newBuilder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uri");
    assertThatThrownBy(() -> CollabClient.newBuilder().uri(URI.create("http://x"))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("ws://");
    assertThatThrownBy(() -> CollabClient.newBuilder().reconnect(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    CollabClient notConnected = CollabClient.newBuilder().uri(TestServers.uri(server)).build();
    clients.add(notConnected);
    assertThatThrownBy(() -> notConnected.open("plans")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("connect()");
    CollabClient alice = client("alice");
    assertThatThrownBy(() -> alice.open("bad\u0000name")).isInstanceOf(IllegalArgumentException.class);
    alice.open("plans");
    assertThatThrownBy(() -> alice.open("plans")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open");
    alice.close();
    assertThatThrownBy(() -> alice.open("other")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void open_aNameWithALoneSurrogate_isRefusedAtOnce_insteadOfWaitingForEver() throws Exception {
    start();
    CollabClient alice = client("alice");
    // Protobuf writes a lone surrogate as '?': the server opened "a?" and answered for "a?", and this open waited for
    // ever (and a tenant or name with one shares "a?"'s rows in PostgreSQL and its Redis stream).
    assertThatThrownBy(() -> alice.open("a\uD800")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid document name");
    assertThat(alice.open("a?").get(10, TimeUnit.SECONDS).name()).isEqualTo("a?");
  }

  @Test
  void eventLoopGroup_sharedByClients_isLeftRunningWhenTheyClose() throws Exception {
    start();
    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      List<ClientDocument> docs = new ArrayList<>();
      for (String token : List.of("alice", "bob")) {
        CollabClient c = CollabClient.newBuilder().uri(TestServers.uri(server)).token(token).eventLoopGroup(shared)
            .build();
        clients.add(c);
        c.connect();
        docs.add(open(c, "plans"));
      }
      docs.get(0).edit(txn -> docs.get(0).doc().getText("t").insert(0, "shared")).get(10, TimeUnit.SECONDS);
      await().untilAsserted(() -> assertThat(text(docs.get(1))).isEqualTo("shared"));
      clients.forEach(CollabClient::close);
      assertThat(shared.isShuttingDown()).isFalse();
    } finally {
      shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void close_failsUnfinishedOpens() {
    CollabClient lonely = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:9")).build();
    lonely.connect();
    CompletableFuture<ClientDocument> opening = lonely.open("plans");
    lonely.close();
    assertThatThrownBy(opening::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }
}
