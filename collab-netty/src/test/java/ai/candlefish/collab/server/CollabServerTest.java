package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.sync.SyncProtocol;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.TestTokens;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server over real sockets, with a Java y-websocket client ({@link YClient}). */
class CollabServerTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");


  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final List<YClient> clients = new ArrayList<>();
  private CollabServer server;

  private CollabServer start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(memory)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .unloadDelay(Duration.ofMillis(50))).build().start();
    return server;
  }

  private URI uri(String document, String token) {
    return URI.create("ws://127.0.0.1:" + server.port() + "/" + document + (token == null ? "" : "?token=" + token));
  }

  private YClient connect(String document, String token) {
    YClient client = YClient.connect(uri(document, token));
    clients.add(client);
    return client;
  }

  private String serverText(DocumentKey key) {
    try (DocumentHandle handle = server.openDocument(key).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  private static byte[] textUpdate(String text) {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, text);
    return doc.encodeStateAsUpdate();
  }

  private static String storedText(DocumentStore store, DocumentKey key) {
    Doc doc = Doc.create();
    store.load(key).updates().forEach(doc::applyUpdate);
    return doc.getText("t").toString();
  }

  @AfterEach
  void stop() {
    clients.forEach(YClient::close);
    if (server != null) {
      server.close();
    }
  }

  // --------------------------------------------------------------------------------------------------- builder

  @Test
  void build_withoutAuthenticator_fails() {
    assertThatThrownBy(() -> CollabServer.newBuilder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("insecureAllowAll");
  }

  @Test
  void builder_rejectsBadValues_namingThem() {
    CollabServer.Builder b = CollabServer.newBuilder();
    assertThatThrownBy(() -> b.port(70000)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    assertThatThrownBy(() -> b.pathPrefix("/a?b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/a?b");
    assertThatThrownBy(() -> b.maxMessageSize(10)).hasMessageContaining("maxMessageSize");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ofMillis(1))).hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> b.threads(0, -1, 1)).hasMessageContaining("documents >= 0");
    assertThatThrownBy(() -> b.authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofSeconds(5))
        .storeMaxWait(Duration.ofSeconds(1)).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("storeMaxWait");
  }

  @Test
  void lifecycle_portBeforeStart_startTwice_andCloseTwice() {
    CollabServer s = CollabServer.newBuilder().authenticator(Authenticator.insecureAllowAll("dev")).port(0).build();
    assertThatThrownBy(s::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
    s.start();
    assertThat(s.port()).isPositive();
    assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    s.close();
    s.close();
    assertThatThrownBy(() -> s.openDocument(ACME_PLANS)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void http_outsideThePrefixOrWithoutUpgrade_isRefused() throws Exception {
    start(b -> b.pathPrefix("collab/"));
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/collab/doc")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(426);
    YClient ok = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/collab/doc?token=alice"));
    clients.add(ok);
    ok.awaitSynced();
    assertThatThrownBy(() -> YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/other/doc")))
        .hasStackTraceContaining("404");
  }

  // ------------------------------------------------------------------------------------------------- documents

  @Test
  void connect_servesTheStoredState() {
    memory.append(ACME_PLANS, textUpdate("stored"));
    start(b -> b);
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    assertThat(client.text()).isEqualTo("stored");
  }

  @Test
  void eventLoops_givenToTheBuilder_serveTheConnections_andOutliveTheServer() throws Exception {
    EventLoopGroup loops = CollabServer.newEventLoops(1);
    try {
      memory.append(ACME_PLANS, textUpdate("stored"));
      start(b -> b.eventLoops(loops));
      YClient client = connect("plans", "alice");
      client.awaitSynced();
      assertThat(client.text()).isEqualTo("stored");
      List<io.netty.channel.Channel> channels = List.copyOf(server.runtime().channels());
      assertThat(channels).isNotEmpty().allSatisfy(ch -> assertThat(ch.eventLoop().parent()).isSameAs(loops));

      server.close();
      assertThat(loops.isShuttingDown()).as("the loops are their owner's").isFalse();
      assertThat(loops.submit(() -> "still running").get(5, TimeUnit.SECONDS)).isEqualTo("still running");
    } finally {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void eventLoops_givenToAServerWhosePortIsTaken_areLeftRunning() throws Exception {
    EventLoopGroup loops = CollabServer.newEventLoops(1);
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> start(b -> b.port(taken.getLocalPort()).eventLoops(loops)))
          .isInstanceOf(UncheckedIOException.class);
      assertThat(loops.isShuttingDown()).as("the loops are their owner's").isFalse();
    } finally {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void eventLoops_shutDownAlready_areRefused() {
    EventLoopGroup loops = CollabServer.newEventLoops(1);
    loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    assertThatThrownBy(() -> CollabServer.newBuilder().eventLoops(loops))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shut down");
  }

  @Test
  void newEventLoops_negativeThreads_areRefused() {
    assertThatThrownBy(() -> CollabServer.newEventLoops(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
  }

  @Test
  void reconnect_afterTheDocumentWasUnloaded_getsTheStoredContent() {
    start(b -> b);
    YClient first = connect("plans", "alice");
    first.awaitSynced();
    first.insert(0, "kept");
    await().until(() -> serverText(ACME_PLANS).equals("kept"));
    first.close();
    await("unloaded").atMost(Duration.ofSeconds(30)).until(() -> server.runtime().registry().get(ACME_PLANS) == null);
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("kept");
    assertThat(memory.load(ACME_PLANS).updateCount()).as("compacted on unload").isEqualTo(1);

    YClient second = connect("plans", "bob");
    second.awaitSynced();
    assertThat(second.text()).isEqualTo("kept");
  }

  @Test
  void readOnlyPrincipal_receivesEverything_butItsUpdatesAreRejected() {
    start(b -> b);
    YClient writer = connect("plans", "alice");
    writer.awaitSynced();
    writer.insert(0, "written");
    YClient reader = connect("plans", "reader");
    reader.awaitSynced();
    await().until(() -> reader.text().equals("written"));
    assertThat(reader.denied).as("syncing is not editing").isEmpty();

    reader.insert(0, "vandal ");
    await().until(() -> !reader.denied.isEmpty());
    assertThat(reader.denied).containsExactly("read-only access: update rejected");
    writer.insert(7, "!");
    await().until(() -> reader.text().equals("vandal written!"));
    assertThat(serverText(ACME_PLANS)).isEqualTo("written!");
    assertThat(writer.text()).isEqualTo("written!");
    assertThat(reader.closed).as("the reader stays connected").isNotDone();
  }

  @Test
  void tenant_cannotOpenAnotherTenantsDocument_evenWithItsName() {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    alice.insert(0, "acme secret");
    await().until(() -> serverText(ACME_PLANS).equals("acme secret"));

    YClient eve = connect("plans", "eve");
    eve.awaitSynced();
    assertThat(eve.text()).isEmpty();
    eve.insert(0, "evil");
    DocumentKey evilPlans = DocumentKey.of("evil", "plans");
    await().until(() -> serverText(evilPlans).equals("evil"));
    assertThat(serverText(ACME_PLANS)).isEqualTo("acme secret");
    assertThat(alice.text()).isEqualTo("acme secret");
  }

  @Test
  void documentWithoutPermission_isClosedWith4403() {
    start(b -> b);
    YClient guest = connect("plans", "guest");
    assertThat(guest.awaitClose()).isEqualTo(new YClient.Close(CloseCodes.FORBIDDEN, "no access to this document"));
    assertThat(guest.denied).containsExactly("no access to this document");
    YClient publicReader = connect("public-notes", "guest");
    publicReader.awaitSynced();
  }

  @Test
  void unknownOrMissingToken_isClosedWith4401() {
    start(b -> b);
    assertThat(connect("plans", "mallory").awaitClose())
        .isEqualTo(new YClient.Close(CloseCodes.UNAUTHORIZED, "unknown token"));
    assertThat(connect("plans", null).awaitClose())
        .isEqualTo(new YClient.Close(CloseCodes.UNAUTHORIZED, "a token is required"));
  }

  @Test
  void hooks_hearTheConnectionLifecycle_andMayRefuse() {
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    start(b -> b.hooks(new CollabHooks() {
      @Override
      public void onConnect(ConnectionInfo connection) {
        heard.add("connect " + connection.path() + " " + connection.protocol());
      }

      @Override
      public void onAuthenticate(ConnectionInfo connection, Principal principal) {
        heard.add("authenticate " + principal.id());
        if (principal.id().equals("bob")) {
          throw new AuthenticationException("bob is suspended");
        }
      }

      @Override
      public void onDisconnect(ConnectionInfo connection, Principal principal) {
        heard.add("disconnect " + (principal == null ? null : principal.id()));
      }
    }));
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    alice.close();
    await().until(() -> heard.size() == 3);
    assertThat(heard).containsExactly("connect /plans y-websocket", "authenticate alice", "disconnect alice");
    heard.clear();
    assertThat(connect("plans", "bob").awaitClose())
        .isEqualTo(new YClient.Close(CloseCodes.UNAUTHORIZED, "bob is suspended"));
    await().until(() -> heard.size() == 3);
    assertThat(heard).containsExactly("connect /plans y-websocket", "authenticate bob", "disconnect null");
  }

  @Test
  void hostEdit_reachesConnectedClientsAtOnce_andIsStored() {
    start(b -> b);
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      handle.edit(txn -> txn.doc().getText("t").insert(0, "total: 42")).join();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.text().equals("total: 42"));
    }
    await().until(() -> memory.load(ACME_PLANS).updateCount() > 0);
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("total: 42");
  }

  @Test
  void handle_afterTheServerClosed_failsInsteadOfHanging() {
    start(b -> b);
    DocumentHandle handle = server.openDocument(ACME_PLANS).join();
    server.close();
    assertThat(handle.read(doc -> doc.getText("t").toString())).failsWithin(Duration.ofSeconds(30));
    handle.close();
  }

  @Test
  void presence_notRenewedWithinTheTimeout_isRemovedByTheServer_inEveryDocument() {
    start(b -> b);
    List<YClient> silent = new ArrayList<>();
    List<YClient> watchers = new ArrayList<>();
    // Several documents, so that several of the timer's slices of documents (DocumentRegistry) are looked at.
    for (int d = 0; d < 8; d++) {
      YClient quiet = connect("room-" + d, "alice");
      YClient watcher = connect("room-" + d, "bob");
      quiet.awaitSynced();
      watcher.awaitSynced();
      quiet.present(Map.of("user", "quiet-" + d)); // once, never renewed
      silent.add(quiet);
      watchers.add(watcher);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (int d = 0; d < silent.size(); d++) {
        assertThat(watchers.get(d).awareness.states()).containsKey(silent.get(d).awareness.clientId());
      }
    });

    // y-protocols' timeout is 30 s, and each document is looked at every 5 s: the rest is a loaded machine's slack.
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (int d = 0; d < silent.size(); d++) {
        assertThat(watchers.get(d).awareness.states()).as("room-" + d)
            .doesNotContainKey(silent.get(d).awareness.clientId());
      }
    });
    assertThat(silent).as("still connected: silent clients answer the server's pings")
        .allSatisfy(c -> assertThat(c.closed).isNotDone());
  }

  // ------------------------------------------------------------------------------------------ malformed input

  @Test
  void malformedMessage_closesOnlyItsConnection_with1002() {
    start(b -> b);
    YClient good = connect("plans", "alice");
    YClient bad = connect("plans", "bob");
    good.awaitSynced();
    bad.awaitSynced();
    bad.send(new byte[] {0, 2, 50, 1}); // an update that claims 50 bytes and has 1
    YClient.Close close = bad.awaitClose();
    assertThat(close.code()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(close.reason()).contains("exceeds");

    good.insert(0, "still fine");
    await().until(() -> serverText(ACME_PLANS).equals("still fine"));
    assertThat(good.closed).isNotDone();
  }

  @Test
  void updateWithBytesAfterIt_isApplied_andItsSenderStays_asYWebsocketsServerDoes() {
    start(b -> b);
    YClient good = connect("plans", "alice");
    YClient sloppy = connect("plans", "bob");
    good.awaitSynced();
    sloppy.awaitSynced();
    Doc source = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    source.onUpdate((u, origin, txn) -> updates.add(u));
    source.getText("t").insert(0, "kept");
    byte[] frame = YClient.frame(0, SyncProtocol.update(updates.get(0)));
    byte[] padded = Arrays.copyOf(frame, frame.length + 3); // three zero bytes after the sync message
    sloppy.send(padded);

    await().until(() -> good.text().equals("kept"));
    sloppy.withDoc(d -> { // as it was applied where it came from
      d.applyUpdate(updates.get(0));
      return null;
    });
    sloppy.insert(4, " going");
    await().until(() -> serverText(ACME_PLANS).equals("kept going"));
    assertThat(sloppy.closed).isNotDone();
  }

  @Test
  void undecodableUpdate_closesWith1002_andChangesNothing() {
    start(b -> b);
    YClient good = connect("plans", "alice");
    good.awaitSynced();
    good.insert(0, "intact");
    YClient bad = connect("plans", "bob");
    bad.awaitSynced();
    byte[] garbage = {5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 1, 2, 3};
    bad.send(YClient.frame(0, SyncProtocol.update(garbage)));
    YClient.Close close = bad.awaitClose();
    assertThat(close.code()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(close.reason()).startsWith("malformed update");
    assertThat(serverText(ACME_PLANS)).isEqualTo("intact");
  }

  @Test
  void textMessage_closesWith1003() {
    start(b -> b);
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    client.sendText("hello?");
    assertThat(client.awaitClose().code()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
  }

  @Test
  void messageAboveTheLimit_closesWith1009() {
    start(b -> b.maxMessageSize(4096));
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    client.insert(0, "x".repeat(10_000));
    assertThat(client.awaitClose().code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  // ----------------------------------------------------------------------------------------------------- limits

  @ParameterizedTest(name = "flush interval {0} ms")
  @ValueSource(ints = {0, 10})
  void slowConsumer_isDisconnected_andTheDocumentCarriesOn(int flushMillis) throws Exception {
    CompletableFuture<ConnectionInfo> disconnected = new CompletableFuture<>();
    start(b -> b.flushInterval(Duration.ofMillis(flushMillis)).outboundBufferLimit(64 * 1024)
        .hooks(new CollabHooks() {
          @Override
          public void onDisconnect(ConnectionInfo connection, Principal principal) {
            disconnected.complete(connection);
          }
        }));
    YClient slow = YClient.connect(uri("plans", "alice"), false); // never reads
    clients.add(slow);
    String chunk = "y".repeat(100_000);
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      // The socket buffers take some megabytes first; past them, 64 KiB may wait for the client, no more.
      for (int i = 0; i < 400 && !disconnected.isDone(); i++) {
        handle.edit(txn -> txn.doc().getText("t").insert(0, chunk)).join();
      }
      assertThat(disconnected.get(30, TimeUnit.SECONDS).path()).isEqualTo("/plans");
      int length = handle.read(doc -> doc.getText("t").length()).join();

      YClient late = connect("plans", "bob"); // the whole document as its first state: not limited
      // Megabytes to send and integrate: on a loaded machine that takes longer than the usual few seconds.
      await("synced").atMost(Duration.ofSeconds(60)).until(late::synced);
      int received = late.withDoc(doc -> doc.getText("t").length());
      assertThat(received).isEqualTo(length);
      late.insert(length, "!");
      await().until(() -> handle.read(doc -> doc.getText("t").length()).join() == length + 1);
    }
  }

  @Test
  void flushInterval_relaysEveryUpdate_andAClientThatLeavesGetsItsCloseFrame() {
    start(b -> b.flushInterval(Duration.ofMillis(10)));
    YClient alice = connect("plans", "alice");
    YClient bob = connect("plans", "bob");
    alice.awaitSynced();
    bob.awaitSynced();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 50; i++) { // one message each, many within one interval
      alice.insert(i, "" + (char) ('a' + i % 26));
      expected.append((char) ('a' + i % 26));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> bob.text().equals(expected.toString()));

    server.close(); // its close frames go out at once, not one interval later behind what waits
    assertThat(bob.awaitClose().code()).isEqualTo(CloseCodes.GOING_AWAY);
  }

  @Test
  void silentClient_isPingedAndThenClosed() throws Exception {
    start(b -> b.idleTimeout(Duration.ofMillis(400)));
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /plans?token=alice HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(5000);
      byte[] received = readUntilEof(socket.getInputStream());
      String all = new String(received, StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 101");
      int frames = all.indexOf("\r\n\r\n") + 4;
      List<Integer> opcodes = new ArrayList<>();
      int closeCode = -1;
      for (int i = frames; i < received.length; ) {
        int opcode = received[i] & 0x0F;
        int length = received[i + 1] & 0x7F;
        if (length == 126) {
          length = ((received[i + 2] & 0xFF) << 8) | (received[i + 3] & 0xFF);
          i += 2;
        }
        if (opcode == 8) {
          closeCode = ((received[i + 2] & 0xFF) << 8) | (received[i + 3] & 0xFF);
        }
        opcodes.add(opcode);
        i += 2 + length;
      }
      assertThat(opcodes).contains(0x9, 0x8); // ping, then close
      assertThat(closeCode).isEqualTo(CloseCodes.GOING_AWAY);
    }
  }

  /**
   * A client that downloads a large document over a slow link sends nothing meanwhile, and cannot answer the ping that
   * waits behind the document's state: it is taking what the server sends, so it is not idle. Before, it was closed
   * at the idle timeout with the rest of the state discarded, then reconnected and downloaded it again, for ever: a
   * 20 MB document shared by 50 clients at once on this machine took them 74-82 s, past the default 60 s.
   */
  @Test
  void clientDownloadingALargeStateSlowly_isNotClosedAtTheIdleTimeout() throws Exception {
    // 4 s: a slow reader's kernel takes more of the state only each time a third of its send buffer is free (~1.3 MB
    // on loopback: ~1.3 s at this pace), and only then does the server see it take some.
    start(b -> b.idleTimeout(Duration.ofSeconds(4)));
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join();
        Socket socket = new Socket()) {
      DataInputStream in = askForLargeState(handle, socket, 10_000); // ~10 MB of state
      long start = System.nanoTime();
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0F;
        long length = in.readUnsignedByte() & 0x7F;
        length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        assertThat(opcode).as("a frame before the whole state arrived (8: the server closed)").isNotEqualTo(8);
        byte[] payload = new byte[(int) length];
        // ~1 MB/s: the state takes about two and a half idle timeouts to arrive,
        // and nothing is sent meanwhile.
        for (int read = 0; read < length; ) {
          int chunk = Math.min(32 * 1024, (int) length - read);
          in.readFully(payload, read, chunk); // EOFException: the server dropped the connection
          read += chunk;
          Thread.sleep(30);
        }
        if (opcode == 2 && payload.length > 1 && payload[0] == 0 && payload[1] == 1) {
          assertThat(payload.length).isGreaterThan(10_000_000);
          break;
        }
      }
      assertThat(System.nanoTime() - start).as("the download outlasted the idle timeout")
          .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(8000));
    }
  }

  /**
   * A client reading a large state slowly is not closed right behind it: past the server's outbound buffer, the
   * kernel's send buffer holds MBs of it (it autotunes to ~2.6 MB on loopback), and at ~0.35 MB/s the client takes
   * longer than the idle timeout (4 s) to read them. Before, the server pinged behind that tail once its buffer was
   * empty and closed at the next look: the close frame came right behind the state and the ping (at the default 60 s,
   * any reader under ~45 KB/s). The kernel sending data that is no ping of ours counts as the client taking it now
   * (native epoll, which this module's tests run on).
   */
  @Test
  void clientReadingTheTailOfALargeStateSlowly_isNotClosedRightBehindIt() throws Exception {
    start(b -> b.idleTimeout(Duration.ofSeconds(4)));
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join();
        Socket socket = new Socket()) {
      DataInputStream in = askForLargeState(handle, socket, 3_000); // ~3 MB: the kernel's send buffer takes most
      OutputStream out = socket.getOutputStream();
      long stateAt = 0;
      while (stateAt == 0 || System.nanoTime() - stateAt < TimeUnit.SECONDS.toNanos(6)) {
        int opcode = in.readUnsignedByte() & 0x0F;
        long length = in.readUnsignedByte() & 0x7F;
        length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        assertThat(opcode).as(stateAt == 0 ? "a close before the whole state arrived"
            : "a close within 6 s of the state (the client answers every ping)").isNotEqualTo(8);
        byte[] payload = new byte[(int) length];
        for (int read = 0; read < length; ) { // ~0.35 MB/s
          int chunk = Math.min(32 * 1024, (int) length - read);
          in.readFully(payload, read, chunk); // EOFException: the server dropped the connection
          read += chunk;
          if (chunk == 32 * 1024) {
            Thread.sleep(90);
          }
        }
        if (opcode == 9) {
          out.write(RawWebSocket.frame(0x8A, payload)); // a pong, as a browser answers once it has read the ping
        } else if (opcode == 2 && payload.length > 1 && payload[0] == 0 && payload[1] == 1) {
          assertThat(payload.length).isGreaterThan(3_000_000);
          stateAt = System.nanoTime();
        }
      }
    }
  }

  /**
   * Writes ~{@code kilobytes} KB of text into the document, connects {@code socket} with a small receive buffer (a
   * slow reader's kernel takes little ahead of it) and asks for the whole state (sync step 1 with an empty state
   * vector); returns what to read it from.
   */
  private DataInputStream askForLargeState(DocumentHandle handle, Socket socket, int kilobytes) throws Exception {
    String letters = "abcdefghijklmnopqrstuvwxyz ".repeat(40);
    handle.edit(txn -> {
      for (int i = 0; i < kilobytes; i++) {
        txn.doc().getText("t").insert(0, letters);
      }
    }).join();
    socket.setReceiveBufferSize(16 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
    socket.setSoTimeout(20_000);
    assertThat(RawWebSocket.upgrade(socket, "/plans?token=alice", "")).startsWith("HTTP/1.1 101");
    socket.getOutputStream().write(RawWebSocket.binaryFrames(new byte[] {0, 0, 1, 0})); // sync step 1, empty
    return new DataInputStream(socket.getInputStream());
  }

  /**
   * A client that takes nothing (dead, behind a half-open TCP connection) while its document's edits pile up for it
   * is closed at the idle timeout: a growing outbound buffer is not a client taking what it is sent. Before, any
   * change of the buffer counted as taking, the server's own pings included, and the connection stayed until the
   * outbound limit (here 64 MiB, ~60 s; at the defaults a client that reads nothing of a large state stayed for ever).
   */
  @Test
  void clientTakingNothing_whileEditsPileUpForIt_isClosedAtTheIdleTimeout() throws Exception {
    start(b -> b.idleTimeout(Duration.ofMillis(1000)).outboundBufferLimit(64 << 20));
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join();
        Socket socket = new Socket()) {
      String letters = "abcdefghijklmnopqrstuvwxyz ".repeat(40);
      handle.edit(txn -> {
        for (int i = 0; i < 4_000; i++) { // ~4 MB of state: more than the kernels' buffers take
          txn.doc().getText("t").insert(0, letters);
        }
      }).join();
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      assertThat(RawWebSocket.upgrade(socket, "/plans?token=alice", "")).startsWith("HTTP/1.1 101");
      socket.getOutputStream().write(RawWebSocket.binaryFrames(new byte[] {0, 0, 1, 0})); // then reads nothing
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
      long start = System.nanoTime();
      while (server.connectionCount() > 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15)) {
        handle.edit(txn -> txn.doc().getText("t").insert(0, letters.repeat(50))).join(); // ~50 KB
        Thread.sleep(50);
      }
      assertThat(server.connectionCount()).as("connections 15 s into a 1 s idle timeout").isZero();
    }
  }

  /** After the upgrade the frame codec watches the connection for the guard: what a client sends keeps it open. */
  @Test
  void talkingClient_isNotClosedAfterTheIdleTimeout() throws Exception {
    start(b -> b.idleTimeout(Duration.ofSeconds(3)));
    try (Socket socket = RawWebSocket.open(server.port())) {
      assertThat(RawWebSocket.upgrade(socket, "/plans?token=alice", "")).startsWith("HTTP/1.1 101");
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] pong = {(byte) 0x8A, (byte) 0x80, 1, 2, 3, 4}; // an empty masked pong
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6); // twice the idle timeout
      while (System.nanoTime() < end) {
        out.write(pong);
        Thread.sleep(50);
        while (in.available() > 0) {
          received.write(in.read());
        }
      }
      byte[] bytes = received.toByteArray();
      List<Integer> opcodes = new ArrayList<>();
      for (int i = 0; i + 1 < bytes.length; ) {
        int length = bytes[i + 1] & 0x7F;
        int header = 2;
        if (length == 126) {
          length = ((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF);
          header = 4;
        }
        opcodes.add(bytes[i] & 0x0F);
        i += header + length;
      }
      assertThat(opcodes).as("opcodes of the server's frames").isNotEmpty().doesNotContain(0x8);
    }
  }

  private static byte[] readUntilEof(InputStream in) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void tooMuchBeforeAuthentication_closesWith1008() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(b -> b.unauthenticatedLimits(Duration.ofSeconds(10), 5, 1 << 20).authenticator((token, c) -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return TestTokens.TOKENS.authenticate(token, c);
    }));
    YClient client = connect("plans", "alice");
    for (int i = 0; i < 10; i++) {
      client.insert(0, "x");
    }
    assertThat(client.awaitClose().code()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    release.countDown();
  }

  @Test
  void slowAuthenticator_timesOutWith4503() {
    CountDownLatch release = new CountDownLatch(1);
    start(b -> b.unauthenticatedLimits(Duration.ofMillis(200), 32, 1 << 20).authenticator((token, c) -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return TestTokens.TOKENS.authenticate(token, c);
    }));
    assertThat(connect("plans", "alice").awaitClose().code()).isEqualTo(CloseCodes.UNAVAILABLE);
    release.countDown();
  }

  @Test
  void messageRate_slowsAClientDown_withoutLosingAnything() {
    start(b -> b.messageRate(50, 5));
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    long started = System.nanoTime();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      client.insert(i, "" + (char) ('a' + i % 26));
      expected.append((char) ('a' + i % 26));
    }
    // 60 messages (and the sync ones) at 50 per second with a burst of 5: the server read them all at once, is
    // more than a second in debt, and reads nothing more until it is paid.
    await().atMost(Duration.ofSeconds(10)).until(() -> serverText(ACME_PLANS).equals(expected.toString()));
    client.insert(60, "!");
    await().atMost(Duration.ofSeconds(10)).until(() -> serverText(ACME_PLANS).equals(expected + "!"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(1000));
    assertThat(client.closed).isNotDone();
  }

  // ------------------------------------------------------------------------------------------------ the store

  /** A store that fails (or blocks) on demand. */
  static final class UnreliableStore implements DocumentStore {
    final InMemoryDocumentStore inner = new InMemoryDocumentStore();
    volatile boolean failLoads;
    volatile boolean failWrites;
    volatile CountDownLatch blockWrites;
    final AtomicInteger writeFailures = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    /** Writes that have begun (and may be blocked in {@link #blockWrites}). */
    final AtomicInteger writesStarted = new AtomicInteger();

    @Override
    public StoredDocument load(DocumentKey key) {
      if (failLoads) {
        throw new StoreException("database down");
      }
      return inner.load(key);
    }

    @Override
    public void append(DocumentKey key, byte[] update) {
      write();
      inner.append(key, update);
    }

    @Override
    public void replace(DocumentKey key, byte[] state) {
      write();
      inner.replace(key, state);
    }

    private void write() {
      writesStarted.incrementAndGet();
      CountDownLatch latch = blockWrites;
      if (latch != null) {
        try {
          latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failWrites) {
        writeFailures.incrementAndGet();
        throw new StoreException("disk full");
      }
      writes.incrementAndGet();
    }

    @Override
    public void delete(DocumentKey key) {
      inner.delete(key);
    }
  }

  @Test
  void failedLoad_refusesClientsWith4503_andNeverWritesOverTheStoredData() {
    UnreliableStore store = new UnreliableStore();
    store.inner.append(ACME_PLANS, textUpdate("precious"));
    store.failLoads = true;
    start(b -> b.documentStore(store));
    YClient refused = connect("plans", "alice");
    assertThat(refused.awaitClose().code()).isEqualTo(CloseCodes.UNAVAILABLE);
    assertThat(refused.synced()).isFalse();
    assertThat(server.openDocument(ACME_PLANS)).failsWithin(Duration.ofSeconds(30));
    assertThat(store.writes.get()).isZero();
    assertThat(storedText(store.inner, ACME_PLANS)).isEqualTo("precious");

    store.failLoads = false;
    YClient later = connect("plans", "alice");
    later.awaitSynced();
    assertThat(later.text()).isEqualTo("precious");
  }

  @Test
  void failedStore_isRetried_andTheDocumentStaysLoadedUntilStored() {
    UnreliableStore store = new UnreliableStore();
    store.failWrites = true;
    start(b -> b.documentStore(store).storeRetryMax(Duration.ofMillis(50)));
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    client.insert(0, "unsaved");
    await().until(() -> store.writeFailures.get() >= 3);
    client.close();
    await().pollDelay(Duration.ofMillis(300)).until(() -> true);
    assertThat(server.runtime().registry().get(ACME_PLANS)).as("kept in memory while unstored").isNotNull();

    store.failWrites = false;
    await("unloaded once stored").atMost(Duration.ofSeconds(30))
        .until(() -> server.runtime().registry().get(ACME_PLANS) == null);
    assertThat(storedText(store.inner, ACME_PLANS)).isEqualTo("unsaved");
  }

  @Test
  void reconnect_whileTheDocumentIsBeingStoredForUnload_keepsItLoadedAndLosesNothing() {
    UnreliableStore store = new UnreliableStore();
    store.blockWrites = new CountDownLatch(1);
    start(b -> b.documentStore(store).storeDebounce(Duration.ofSeconds(30)).storeMaxWait(Duration.ofSeconds(30))
    );
    YClient first = connect("plans", "alice");
    first.awaitSynced();
    first.insert(0, "abc");
    await().until(() -> serverText(ACME_PLANS).equals("abc"));
    var loaded = server.runtime().registry().get(ACME_PLANS);
    first.close(); // the unload starts and blocks in the store
    await("the unload's store started").until(() -> store.writesStarted.get() == 1);

    YClient second = connect("plans", "bob");
    second.awaitSynced();
    assertThat(second.text()).isEqualTo("abc");
    store.blockWrites.countDown();
    second.insert(3, "d");
    await().until(() -> serverText(ACME_PLANS).equals("abcd"));
    assertThat(server.runtime().registry().get(ACME_PLANS)).as("the same instance, never unloaded").isSameAs(loaded);
    // The unload's store completes; "d" may follow it at once or after the debounce.
    await().until(() -> storedText(store.inner, ACME_PLANS).startsWith("abc"));
  }

  @Test
  void documentsOnTheEventLoops_relayServeHostCallsAndStoreOnClose() {
    start(b -> b.threads(0, 0, 4).storeDebounce(Duration.ofSeconds(30)).storeMaxWait(Duration.ofSeconds(30)));
    YClient alice = connect("plans", "alice");
    YClient bob = connect("plans", "bob");
    alice.awaitSynced();
    bob.awaitSynced();
    alice.insert(0, "from alice");
    await().until(() -> bob.text().equals("from alice"));
    try (DocumentHandle handle = server.openDocument(ACME_PLANS).join()) {
      handle.edit(txn -> txn.doc().getText("t").insert(0, "host: ")).join();
    }
    await().until(() -> alice.text().equals("host: from alice") && bob.text().equals("host: from alice"));
    server.close();
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("host: from alice");
  }

  @Test
  void connect_movesEachConnectionToItsDocumentsEventLoop() {
    for (int documents : new int[] {2, 0}) { // documents on a pool, then on the event loops
      start(b -> b.threads(4, documents, 4));
      String plans = "plans" + documents;
      String notes = "notes" + documents;
      List<YClient> writers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        writers.add(connect(plans, "alice"));
      }
      YClient bob = connect(notes, "bob");
      writers.forEach(YClient::awaitSynced);
      bob.awaitSynced();
      // Accepted round-robin on 4 loops: most of them were moved.
      List<EventLoop> loops = server.runtime().channels().stream().map(c -> c.eventLoop()).toList();
      assertThat(loops).hasSize(7).containsOnly(server.runtime().homeLoop(plans), server.runtime().homeLoop(notes));
      assertThat(loops.stream().filter(l -> l == server.runtime().homeLoop(notes)).count())
          .isEqualTo(server.runtime().homeLoop(plans) == server.runtime().homeLoop(notes) ? 7 : 1);
      writers.get(0).insert(0, "moved");
      await().untilAsserted(() -> assertThat(writers.stream().map(YClient::text).toList()).as("documents " + documents)
          .containsOnly("moved"));
      bob.insert(0, "too");
      await().until(() -> serverText(DocumentKey.of("acme", notes)).equals("too"));
      clients.forEach(YClient::close);
      clients.clear();
      server.close();
    }
  }

  @Test
  void close_storesEveryDocument_thenSaysGoingAway() {
    start(b -> b.storeDebounce(Duration.ofSeconds(30)).storeMaxWait(Duration.ofSeconds(30)));
    YClient client = connect("plans", "alice");
    client.awaitSynced();
    client.insert(0, "last words");
    await().until(() -> serverText(ACME_PLANS).equals("last words"));
    assertThat(memory.load(ACME_PLANS).isEmpty()).as("debounced: not stored yet").isTrue();
    server.close();
    assertThat(storedText(memory, ACME_PLANS)).isEqualTo("last words");
    assertThat(client.awaitClose()).isEqualTo(new YClient.Close(CloseCodes.GOING_AWAY, "server shutting down"));
  }
}
