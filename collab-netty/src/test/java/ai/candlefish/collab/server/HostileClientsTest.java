package ai.candlefish.collab.server;

import static ai.candlefish.collab.server.YClient.awarenessFrame;
import static ai.candlefish.collab.testkit.RawWebSocket.closeCode;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.sync.SyncProtocol;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.ServerWatch;
import ai.candlefish.collab.testkit.TestTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks by clients that hold a valid token, over real sockets: each is answered as documented (the attacker is
 * closed with its close code, or what it tried has no effect), and the other clients carry on.
 */
class HostileClientsTest {
  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final List<YClient> clients = new ArrayList<>();
  private final List<Bystander> bystanders = new ArrayList<>();
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

  /** An awareness update that claims client {@code client}'s presence, with a clock far ahead. */
  private static byte[] forged(long client, Object state) {
    Awareness forger = new Awareness(client, () -> 0);
    for (int i = 0; i < 100; i++) {
      forger.setLocalState(Map.of("i", i));
    }
    forger.setLocalState(state);
    return forger.encodeUpdate();
  }

  /** The server restarted on the same store (the old one closed). */
  private CollabServer restarted() {
    return start(b -> b);
  }

  /** {@link TestTokens}, except that a token starting with "slow" is bob's, answered once {@code release} opens. */
  private static Authenticator slowTokens(CountDownLatch release) {
    return (token, c) -> {
      if (token.startsWith("slow")) {
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return TestTokens.TOKENS.authenticate(token.startsWith("slow") ? "bob" : token, c);
    };
  }

  private Bystander bystander(String document) {
    Bystander b = Bystander.join(server, document);
    bystanders.add(b);
    return b;
  }

  @AfterEach
  void stop() {
    bystanders.forEach(Bystander::close);
    bystanders.clear();
    clients.forEach(YClient::close);
    clients.clear();
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * A request too large to read is refused with the status the starter's web servers give (their
   * {@code TransportHostileClients}): 414 for a request line over 16 KiB (a document name or token that long), 431 for
   * headers over 16 KiB (a site's cookies, or many headers); before, both were 414 "malformed request". The longest
   * document name in CJK characters with a token of 1 KB still reaches its document.
   */
  @Test
  void requestOverTheLimits_is414ForTheRequestLine_and431ForTheHeaders() throws Exception {
    start(b -> b);
    String longest = "\u4e2d".repeat(DocumentKey.MAX_NAME_LENGTH);
    Map<String, String[]> expected = new LinkedHashMap<>();
    expected.put("longest name", new String[] {"/" + URLEncoder.encode(longest, StandardCharsets.UTF_8)
        + "?token=alice&pad=" + "p".repeat(1000), "", "101"});
    expected.put("17 KB token", new String[] {"/plans?token=" + "t".repeat(17_000), "",
        "414 Request-URI Too Long: request line over 16384 bytes: a shorter document name or token"});
    expected.put("20 KB cookie", new String[] {"/plans?token=alice", "Cookie: c=" + "x".repeat(20_000) + "\r\n",
        "431 Request Header Fields Too Large: request headers over 16384 bytes: fewer or smaller cookies or headers"});
    expected.put("40 headers of 500 bytes", new String[] {"/plans?token=alice",
        ("X-Filler: " + "x".repeat(500) + "\r\n").repeat(40), "431 Request Header Fields Too Large"});
    expected.put("a 15 KB line and 15 KB of headers", new String[] {"/plans?token=alice&pad=" + "p".repeat(15_000),
        "Cookie: c=" + "x".repeat(15_000) + "\r\n", "101"});
    for (Map.Entry<String, String[]> e : expected.entrySet()) {
      String[] request = e.getValue();
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(30_000);
        String status = upgrade(socket, request[0], request[1]);
        assertThat(status).as(e.getKey()).startsWith("HTTP/1.1 " + request[2].split(":")[0]);
        if (request[2].contains(":")) {
          assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
              .as(e.getKey()).isEqualTo(request[2].substring(request[2].indexOf(':') + 2));
        }
      }
    }
  }

  /**
   * One spelling rule for document names in a y-websocket path (the same on the starter's transports: its
   * {@code TransportHostileClients}): decoded once as UTF-8, a stray {@code %} literal; an encoded slash, escapes that
   * are not UTF-8 and raw characters beyond ASCII are refused with 400. The authenticator's permission lookup sees
   * the name the document is stored under, whatever the spelling.
   */
  @Test
  void documentNames_oneSpellingRule_andTheAuthorizerSeesTheStoredName() throws Exception {
    BlockingQueue<String> authorized = new LinkedBlockingQueue<>();
    BlockingQueue<String> loaded = new LinkedBlockingQueue<>();
    start(b -> b.pathPrefix("/collab").authenticator((token, connection) -> Principal.of("ann", "acme", name -> {
      authorized.add(name);
      return Permission.WRITE;
    })).hooks(new CollabHooks() {
      @Override
      public void onLoad(DocumentKey key, Doc doc) {
        loaded.add(key.name());
      }
    }));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("/collab/sp1-%C3%BC%20a?token=t", "sp1-ü a");
    expected.put("/collab/sp2-a%2Fb", "400");
    expected.put("/collab%2Fsp3", "400");
    expected.put("/collab/sp4-%FF", "400");
    expected.put("/collab/sp5-%C3%28", "400");
    expected.put("/collab/sp6-50%%20off", "sp6-50% off");
    expected.put("/collab/sp7-end%", "sp7-end%");
    expected.put("/collab/sp8/../x", "sp8/../x");
    expected.put("/collab/sp9/%2e%2e/x", "sp9/../x");
    expected.put("/collab/sp12%3Fq", "sp12?q");
    expected.put("/collab/sp16%252F", "sp16%2F");
    expected.put("/collab/sp19%zz", "sp19%zz");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      authorized.clear();
      loaded.clear();
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(30_000);
        String status = upgrade(socket, e.getKey(), "");
        if (e.getValue().equals("400")) {
          assertThat(status).as(e.getKey()).contains(" 400 ");
          continue;
        }
        assertThat(status).as(e.getKey()).contains(" 101 ");
        assertThat(loaded.poll(10, TimeUnit.SECONDS)).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(authorized).as(e.getKey()).containsOnly(e.getValue());
      }
    }
  }

  @Test
  void presence_ofAnotherPrincipal_cannotBeOverwrittenOrRemoved() {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    long aliceId = alice.present(Map.of("name", "Alice"));
    YClient bob = connect("plans", "bob");
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice")));

    for (String token : List.of("reader", "carol")) {
      YClient mallory = connect("plans", token);
      mallory.awaitSynced();
      mallory.send(awarenessFrame(forged(aliceId, Map.of("name", "Mallory"))));
      mallory.send(awarenessFrame(forged(aliceId, null)));
      // Its own presence, sent after: once the others see it, the forgeries before it were handled.
      long malloryId = mallory.present(Map.of("name", token));
      await().untilAsserted(() -> assertThat(bob.awareness.states()).containsKey(malloryId));
      assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice"));
      assertThat(alice.awareness.states()).containsEntry(malloryId, Map.of("name", token));
      assertThat(mallory.closed).isNotDone();
    }
  }

  /**
   * Presence clocks: the largest a JavaScript peer can read (2^53 - 1) is taken for the sender's own client and
   * relayed; one beyond it is malformed and closes the sender with 1002; a removal of another user's client with that
   * largest clock is ignored. The others' presence stays either way.
   */
  @Test
  void presence_bogusClocks_areRefusedOrIgnored_othersKeepTheirPresence() {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    long aliceId = alice.present(Map.of("name", "Alice"));
    YClient bob = connect("plans", "bob");
    YClient carol = connect("plans", "carol");
    carol.awaitSynced();
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice")));
    long carolId = carol.awareness.clientId();
    carol.send(awarenessFrame(presenceEntry(aliceId, (1L << 53) - 1, null)));
    carol.send(awarenessFrame(presenceEntry(carolId, (1L << 53) - 1, "{\"name\":\"Carol\"}")));
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(carolId, Map.of("name", "Carol")));
    assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice"));

    // 2^53, one beyond what lib0 reads (and our encoder writes): seven bytes of zeros with their continue bits, 0x10.
    Lib0Encoder beyond = new Lib0Encoder();
    beyond.writeVarUint(1);
    beyond.writeVarUint(carolId);
    for (int i = 0; i < 7; i++) {
      beyond.writeUint8(0x80);
    }
    beyond.writeUint8(0x10);
    beyond.writeVarString("{}");
    carol.send(awarenessFrame(beyond.toByteArray()));
    assertThat(carol.awaitClose().code()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    await().untilAsserted(() -> assertThat(bob.awareness.states()).doesNotContainKey(carolId));
    assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice"));
    assertThat(alice.closed).isNotDone();
  }

  /** An awareness update of one entry: {@code client}, {@code clock}, the state's JSON ({@code null}: removed). */
  private static byte[] presenceEntry(long client, long clock, String json) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(client);
    out.writeVarUint(clock);
    out.writeVarString(json == null ? "null" : json);
    return out.toByteArray();
  }

  @Test
  void presence_ofTheSamePrincipal_mayBeTakenOverByItsOtherConnection() {
    start(b -> b);
    YClient tab = connect("plans", "alice");
    tab.awaitSynced();
    long id = tab.present(Map.of("name", "Alice"));
    YClient bob = connect("plans", "bob");
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(id, Map.of("name", "Alice")));

    // A reconnect of the same user whose old connection is not closed yet keeps its Yjs client id.
    YClient reconnected = connect("plans", "alice");
    reconnected.awaitSynced();
    reconnected.send(awarenessFrame(forged(id, Map.of("name", "Alice again"))));
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(id, Map.of("name", "Alice again")));
  }

  @Test
  void presenceOfMadeUpPeople_atMostSixteenPerConnectionReachTheOthers() {
    // Before, one update of 2,000 made-up client ids (a few bytes each, well within 32 KiB) put 2,000 people into
    // every other client's presence, and more with each update the presence budget let through.
    madeUpPeople(b -> b, 16);
  }

  @Test
  void presenceOfMadeUpPeople_atMostMaxPresenceClientsReachTheOthers() {
    madeUpPeople(b -> b.maxPresenceClients(3), 3);
    stop();
    madeUpPeople(b -> b.maxPresenceClients(100), 100);
  }

  @Test
  void maxPresenceClients_outOfRange_isRefusedNamingTheValue() {
    CollabServer.Builder b = CollabServer.newBuilder();
    assertThatThrownBy(() -> b.maxPresenceClients(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPresenceClients must be at least 1 but was 0");
    assertThatThrownBy(() -> b.maxPresenceClients(1001)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPresenceClients must be at most 1000").hasMessageContaining("1001");
  }

  /** Carol's connection sends presence for 2,000 made-up people: bob sees hers and {@code limit - 1} more. */
  private void madeUpPeople(UnaryOperator<CollabServer.Builder> settings, int limit) {
    start(settings);
    YClient bob = connect("plans", "bob");
    bob.awaitSynced();
    YClient mallory = connect("plans", "carol");
    mallory.awaitSynced();
    long malloryId = mallory.awareness.clientId();
    mallory.present(Map.of("name", "carol"));
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsKey(malloryId));
    Awareness crowd = new Awareness(1, () -> 0);
    List<Long> ids = new ArrayList<>();
    for (long id = 1_000; id < 3_000; id++) {
      crowd.applyUpdate(forged(id, Map.of()), "made up");
      ids.add(id);
    }
    mallory.send(awarenessFrame(crowd.encodeUpdate(ids)));
    // Its own presence again, after: once bob sees it, the crowd before it was handled.
    mallory.present(Map.of("name", "carol", "done", true));
    await().untilAsserted(() -> assertThat(bob.awareness.states())
        .containsEntry(malloryId, Map.of("name", "carol", "done", true)));
    assertThat(bob.awareness.states().keySet()).as("bob, and the people of carol's connection: hers and the rest")
        .hasSize(1 + limit).contains(1_000L, 1_000L + limit - 2).doesNotContain(1_000L + limit - 1);
    assertThat(mallory.closed).isNotDone();
  }

  private Socket raw() throws IOException {
    return RawWebSocket.open(server.port());
  }

  // ------------------------------------------------------------------------------------------------ the attacks

  @Test
  void textMessage_isRefusedWith1003_whetherItsUtf8IsValidOrNot() throws Exception {
    start(b -> b);
    byte[] malformed = {'h', (byte) 0xC3, 0x28}; // 0xC3 starts a two-byte sequence that 0x28 does not continue
    List<byte[]> messages = List.of(
        RawWebSocket.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8)),
        RawWebSocket.frame(0x81, malformed),
        // fragmented: the first fragment is malformed already, the message is refused once it is whole
        concat(RawWebSocket.frame(0x01, malformed), RawWebSocket.frame(0x80, "!".getBytes(StandardCharsets.UTF_8))));
    for (byte[] message : messages) {
      try (Socket socket = raw()) {
        assertThat(upgrade(socket, "/plans?token=alice", "")).contains(" 101 ");
        socket.getOutputStream().write(message);
        assertThat(closeCode(socket.getInputStream())).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
      }
    }
    YClient honest = connect("plans", "bob");
    honest.awaitSynced();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void crossSiteOrigin_isRefusedWith403_allowedAndNoOriginPass() throws Exception {
    start(b -> b.allowedOrigins(List.of("https://app.example.com/")));
    try (Socket evil = raw()) {
      assertThat(upgrade(evil, "/plans?token=alice", "Origin: https://evil.example\r\n")).contains(" 403 ");
    }
    try (Socket page = raw()) {
      assertThat(upgrade(page, "/plans?token=alice", "Origin: HTTPS://App.Example.com\r\n")).contains(" 101 ");
    }
    YClient native_ = connect("plans", "bob"); // no Origin header: not a browser
    native_.awaitSynced();
  }

  @Test
  void ownPages_areAllowedOnTheHostTheClientConnectedTo_otherPortsAndHostsAreNot() throws Exception {
    start(b -> b.allowOwnPages(() -> 8080));
    for (String origin : List.of("http://x:8080", "https://x:8080")) {
      try (Socket page = raw()) {
        assertThat(upgrade(page, "/plans?token=alice", "Origin: " + origin + "\r\n")).contains(" 101 ");
      }
    }
    for (String origin : List.of("http://x:9999", "http://evil.example:8080", "http://x", "null")) {
      try (Socket page = raw()) {
        assertThat(upgrade(page, "/plans?token=alice", "Origin: " + origin + "\r\n")).as(origin).contains(" 403 ");
      }
    }
  }

  @Test
  void slowloris_dripsHeaders_andIsClosedAtTheUpgradeDeadline() throws Exception {
    start(b -> b.upgradeTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofSeconds(60)));
    Bystander bystander = bystander("plans");
    ServerWatch watch = Bystander.watch("slowloris", List.of(bystander)).heapBound(16 << 20).start();
    try (Socket loris = raw()) {
      OutputStream out = loris.getOutputStream();
      out.write("GET /plans?token=alice HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      boolean closed = false;
      // One header line every 100 ms, for up to 20 s: far slower than half the idle timeout would catch.
      for (int i = 0; i < 200 && !closed; i++) {
        try {
          out.write(("X-Drip-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          loris.setSoTimeout(100);
          closed = loris.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          closed = true;
        }
      }
      assertThat(closed).as("closed at the upgrade deadline").isTrue();
    }
    watch.check();
    assertThat(bystander.connected()).isTrue();
    Bystander.assertKeptAfterRestart(server, this::restarted, List.of(bystander));
  }

  @Test
  void connectionFlood_fromOneAddress_isRefusedBeyondTheLimit_othersCarryOn() throws Exception {
    start(b -> b.connectionLimits(1000, 5));
    YClient a = connect("plans", "alice");
    YClient b2 = connect("plans", "bob");
    a.awaitSynced();
    b2.awaitSynced();
    Bystander bystander = bystander("plans"); // two connections more: 4 of the 5
    ServerWatch watch = Bystander.watch("connection flood", List.of(bystander)).heapBound(16 << 20)
        .start();
    List<Socket> flood = new ArrayList<>();
    try {
      Socket third = raw();
      flood.add(third);
      assertThat(upgrade(third, "/plans?token=carol", "")).contains(" 101 ");
      for (int i = 0; i < 200; i++) {
        Socket s = raw();
        flood.add(s);
        assertThat(s.getInputStream().read()).as("connection %d beyond the limit", i).isEqualTo(-1);
      }
      watch.check();
    } finally {
      for (Socket s : flood) {
        s.close();
      }
    }
    a.insert(0, "a");
    await().untilAsserted(() -> assertThat(b2.text()).isEqualTo("a"));
    // Closed connections give their places back.
    await().untilAsserted(() -> assertThat(server.connectionCount()).isEqualTo(4));
    connect("plans", "carol").awaitSynced();
  }

  @Test
  void hugeFrameBeforeAuthentication_isClosedWith1008_atTheUnauthenticatedBudget() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(b -> b.unauthenticatedLimits(Duration.ofSeconds(20), 32, 64 * 1024).authenticator((token, c) -> {
      try {
        if (token.equals("alice")) {
          release.await(20, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return TestTokens.TOKENS.authenticate(token, c);
    }));
    Bystander bystander = bystander("plans");
    // The attacker writes its whole frame: a server that buffered it would hold 15 MiB (on the heap beyond its
    // bound; in Netty's direct buffers about at the loose bound of those).
    ServerWatch watch = Bystander.watch("huge frame before authentication", List.of(bystander))
        .heapBound(8 << 20).start();
    try (Socket attacker = raw()) {
      assertThat(upgrade(attacker, "/plans?token=alice", "")).contains(" 101 ");
      OutputStream out = attacker.getOutputStream();
      // A binary frame that announces 15 MiB (within the 16 MiB message limit), then all of it.
      long length = 15L << 20;
      out.write(new byte[] {(byte) 0x82, (byte) (0x80 | 127)});
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (length >>> shift) & 0xFF);
      }
      out.write(new byte[] {1, 2, 3, 4}); // mask
      byte[] chunk = new byte[16 * 1024];
      try {
        for (int i = 0; i < 15 * 64; i++) {
          out.write(chunk);
        }
        out.flush();
      } catch (IOException e) {
        // closed while writing: fine, the close frame is read below
      }
      assertThat(closeCode(attacker.getInputStream())).isEqualTo(CloseCodes.POLICY_VIOLATION);
      watch.check();
      assertThat(bystander.connected()).isTrue();
    } finally {
      release.countDown();
    }
  }

  @Test
  void slowAuthenticator_doesNotDelayStoresOfAuthenticatedClients() {
    CountDownLatch release = new CountDownLatch(1);
    start(b -> b.threads(0, 1, 2).authentication(1, 10, 64).authenticator(slowTokens(release)));
    try {
      YClient alice = connect("plans", "alice");
      alice.awaitSynced();
      Bystander other = bystander("other");
      ServerWatch watch = Bystander.watch("slow token checks", List.of(other)).heapBound(16 << 20).start();
      for (int i = 0; i < 6; i++) {
        YClient.connect(uri("plans", "slow" + i)); // each blocks an authenticator thread, if it may
      }
      alice.insert(0, "stored while tokens are checked");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(storedText()).isEqualTo("stored while tokens are checked"));
      watch.check();
    } finally {
      release.countDown();
    }
  }

  @Test
  void floodBehindADocumentTokenBeingChecked_isNotHeldWithoutBound() throws Exception {
    // 1,500 messages of 60 KB (88 MiB): reading pauses at 64 messages in flight.
    floodBehindASlowToken("flood behind a token check", 1_500, 60_000, 32 << 20);
  }

  @Test
  void largeMessagesBehindADocumentTokenBeingChecked_areHeldUpToTheInFlightBytes() throws Exception {
    // 60 messages of 500 KB (30 MB), under the 64 messages in flight: reading pauses at 8 MiB of them.
    floodBehindASlowToken("large messages behind a token check", 60, 500_000, 24 << 20);
  }

  /**
   * A client authenticated for one document (its answer awaited: before it, the connection's unauthenticated budget
   * of 1 MiB would close it) sends a token for another that the authenticator sits on, then {@code messages} updates
   * of {@code characters} about that document, which wait for the answer: the server's heap stays within {@code
   * heapBound}, and once the token is accepted every write goes through and the document has the text.
   */
  private void floodBehindASlowToken(String attack, int messages, int characters, long heapBound) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(b -> b.authenticator(slowTokens(release)));
    Bystander bystander = bystander("plans");
    ServerWatch watch = Bystander.watch(attack, List.of(bystander)).heapBound(heapBound).start();
    try (Socket attacker = raw()) {
      assertThat(upgrade(attacker, "/", "")).contains(" 101 ");
      OutputStream out = attacker.getOutputStream();
      out.write(RawWebSocket.binaryFrames(RawHocuspocusClient.encode("one", 2, 0, "alice")));
      attacker.setSoTimeout(10_000);
      assertThat(attacker.getInputStream().read()).as("the answer to the first token").isNotNegative();
      out.write(RawWebSocket.binaryFrames(RawHocuspocusClient.encode("two", 2, 0, "slow")));
      Doc big = Doc.create();
      big.getText("t").insert(0, "x".repeat(characters));
      byte[] message = RawWebSocket.frame(0x82, RawHocuspocusClient.encode("two", 0, 2, big.encodeStateAsUpdate()));
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < messages; i++) {
            out.write(message);
          }
        } catch (IOException e) {
          // closed while writing: fine
        }
      });
      writer.start();
      writer.join(5_000);
      watch.check();
      assertThat(bystander.connected()).isTrue();
      release.countDown();
      writer.join(30_000);
      assertThat(writer.isAlive()).as("the client's writes go through once the token is accepted").isFalse();
      try (DocumentHandle two = server.openDocument(DocumentKey.of("acme", "two")).join()) {
        await().untilAsserted(() -> assertThat(two.read(d -> d.getText("t").length()).join()).isEqualTo(characters));
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void pingFlood_fromAClientThatNeverReads_piledUpNoPongs() throws Exception {
    start(b -> b);
    Bystander bystander = bystander("plans");
    ServerWatch watch = Bystander.watch("ping flood", List.of(bystander)).heapBound(16 << 20).start();
    try (Socket attacker = raw()) {
      assertThat(upgrade(attacker, "/plans?token=carol", "")).contains(" 101 ");
      // 100,000 pings of 125 bytes (13 MB), one TCP write of 512 at a time; the attacker never reads a pong. A pong
      // queued per ping held ~1 KiB each (+110 MiB here), far past the heap bound. Up to 60 s to read them: on a
      // loaded 2-core machine 40 MB took more than 20 s.
      assertThat(RawWebSocket.floodPings(attacker.getOutputStream(), 100_000, 60)).as("the server reads the pings")
          .isTrue();
      watch.check();
      assertThat(bystander.connected()).isTrue();
    }
  }

  @Test
  void syncStep1Flood_isAnsweredOncePerInterval_andItsLastStep1Later() throws InterruptedException {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    alice.insert(0, "x".repeat(100_000));
    YClient flooder = connect("plans", "carol");
    flooder.awaitSynced();
    await().until(() -> flooder.text().length() == 100_000);
    int initial = flooder.step2s.get();
    // Each step 1 with an empty state vector asks for the whole document: 3 bytes for 100 KB, and its encoding.
    byte[] step1 = YClient.frame(0, SyncProtocol.step1(Doc.create()));
    for (int i = 0; i < 300; i++) {
      flooder.send(step1);
    }
    flooder.flush();
    // The first at once, the other 299 as one answer a second later; then nothing more.
    await().atMost(Duration.ofSeconds(10)).until(() -> flooder.step2s.get() == initial + 2);
    Thread.sleep(1_500);
    assertThat(flooder.step2s.get()).isEqualTo(initial + 2);
    assertThat(flooder.closed).isNotDone();
    alice.insert(0, "still synced ");
    await().until(() -> flooder.text().startsWith("still synced "));
  }

  @Test
  void awarenessQueryFlood_isAnsweredOncePerInterval_andItsLastQueryLater() throws InterruptedException {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    long aliceId = alice.present(Map.of("name", "Alice", "notes", "x".repeat(20_000)));
    YClient flooder = connect("plans", "carol");
    flooder.awaitSynced();
    await().until(() -> flooder.awareness.states().containsKey(aliceId));
    int before = flooder.awarenessMessages.get();
    // Each query (one byte) asks for every client's presence, encoded anew: 20 KB here, megabytes on a busy document.
    for (int i = 0; i < 300; i++) {
      flooder.send(new byte[] {3});
    }
    flooder.flush();
    // The first at once, the other 299 as one answer a second later; then nothing more.
    await().atMost(Duration.ofSeconds(10)).until(() -> flooder.awarenessMessages.get() == before + 2);
    Thread.sleep(1_500);
    assertThat(flooder.awarenessMessages.get()).isEqualTo(before + 2);
    assertThat(flooder.closed).isNotDone();
  }

  @Test
  void connectBurst_waitsForTheAuthenticator_insteadOfBeingRefused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger checking = new AtomicInteger();
    // The authentication deadline (10 s by default) is not what this tests: on a loaded machine the 100 upgrades
    // alone took longer than that, and the first tokens timed out while they waited.
    start(b -> b.authentication(1, 10, 64).unauthenticatedLimits(Duration.ofSeconds(120), 512, 1 << 20)
        .authenticator((token, c) -> {
          checking.incrementAndGet();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return TestTokens.TOKENS.authenticate(token, c);
        }));
    List<YClient> burst = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        burst.add(connect("plans", "alice"));
      }
      await().until(() -> checking.get() == 1);
      Thread.sleep(500); // for the last tokens to reach the queue: one of 64 refused 35 of them 4529
    } finally {
      release.countDown();
    }
    for (YClient client : burst) {
      assertThat(client.closed).as("closed while its token waited").isNotDone();
      client.awaitSynced();
    }
  }

  @Test
  void documentChurn_isRefusedWith4529_beyondTheMaximumOfLoadedDocuments() {
    start(b -> b.maxLoadedDocuments(2).unloadDelay(Duration.ofSeconds(30)));
    Bystander one = bystander("one");
    YClient b2 = connect("two", "reader");
    b2.awaitSynced();
    ServerWatch watch = Bystander.watch("document churn", List.of(one)).heapBound(16 << 20).start();
    for (int i = 0; i < 50; i++) {
      assertThat(connect("churn-" + i, "reader").awaitClose().code()).isEqualTo(CloseCodes.SERVER_BUSY);
    }
    watch.check();
    assertThat(server.loadedDocumentCount()).isEqualTo(2);
    assertThat(one.connected()).isTrue();
    Bystander.assertKeptAfterRestart(server, this::restarted, List.of(one));
  }

  @Test
  void hugeAwarenessState_isClosedWith1009_othersKeepTheirPresence() {
    start(b -> b.awarenessLimits(4096, Duration.ofMillis(50)));
    YClient bob = connect("plans", "bob");
    bob.awaitSynced();
    Bystander same = bystander("plans");
    Bystander other = bystander("other");
    ServerWatch watch = Bystander.watch("huge presence", List.of(same, other)).heapBound(16 << 20).start();
    YClient mallory = connect("plans", "carol");
    mallory.awaitSynced();
    mallory.present(Map.of("junk", "x".repeat(8000)));
    assertThat(mallory.awaitClose().code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    watch.check();
    long bobId = bob.present(Map.of("name", "Bob"));
    YClient alice = connect("plans", "alice");
    await().untilAsserted(() -> assertThat(alice.awareness.states()).containsKey(bobId));
    assertThat(alice.awareness.states()).doesNotContainKey(mallory.awareness.clientId());
    Bystander.assertKeptAfterRestart(server, this::restarted, List.of(same, other));
  }

  @Test
  void awarenessFlood_isCoalesced_soOthersGetFewMessagesWithTheLatestState() {
    start(b -> b.awarenessLimits(32 * 1024, Duration.ofMillis(100)));
    YClient bob = connect("plans", "bob");
    bob.awaitSynced();
    Bystander same = bystander("plans");
    Bystander other = bystander("other");
    YClient flooder = connect("plans", "carol");
    flooder.awaitSynced();
    // 2,000 states of 8 KB, 16 MB: a server that queued them instead of coalescing would hold more than the heap
    // bound, and four times as much waiting to be sent (Netty's pooled memory keeps some megabytes of slack).
    ServerWatch watch = Bystander.watch("awareness flood", List.of(same, other)).heapBound(8 << 20)
        .start();
    int before = bob.awarenessMessages.get();
    String padding = "x".repeat(8000);
    for (int i = 0; i < 2000; i++) {
      flooder.present(Map.of("cursor", i, "pad", padding));
      if (i % 50 == 49) {
        flooder.flush(); // what waits is on the server, not in this client's queue
      }
    }
    long id = flooder.awareness.clientId();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(bob.awareness.states())
        .containsEntry(id, Map.of("cursor", 1999, "pad", padding)));
    watch.check();
    assertThat(bob.awarenessMessages.get() - before).as("awareness messages bob received for 2,000 updates")
        .isLessThan(1000);
    Bystander.assertKeptAfterRestart(server, this::restarted, List.of(same, other));
  }

  @Test
  void auditLog_hearsWhoConnectedOpenedWroteAndWasRefused() {
    List<String> audit = new CopyOnWriteArrayList<>();
    start(b -> b.auditLog(new AuditLog() {
      @Override
      public void connected(ConnectionInfo connection, Principal principal) {
        audit.add("connected " + principal.id());
      }

      @Override
      public void opened(ConnectionInfo connection, Principal principal, DocumentKey key, Permission permission) {
        audit.add("opened " + principal.id() + " " + key + " " + permission);
      }

      @Override
      public void wrote(ConnectionInfo connection, Principal principal, DocumentKey key, long bytes) {
        audit.add("wrote " + principal.id() + " " + key);
      }

      @Override
      public void refused(ConnectionInfo connection, Principal principal, DocumentKey key, int code,
          String reason) {
        audit.add("refused " + (principal == null ? "-" : principal.id()) + " " + key + " " + code);
      }
    }));
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    alice.insert(0, "hi");
    YClient reader = connect("plans", "reader");
    reader.awaitSynced();
    reader.insert(0, "no");
    assertThat(connect("plans", "mallory").awaitClose().code()).isEqualTo(CloseCodes.UNAUTHORIZED);
    await().untilAsserted(() -> assertThat(audit).contains("connected alice", "opened alice acme/plans WRITE",
        "wrote alice acme/plans", "opened reader acme/plans READ", "refused reader acme/plans 4403",
        "refused - null 4401"));
    assertThat(audit).doesNotContain("wrote reader acme/plans");
  }

  private String serverText(String name) {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", name)).join()) {
      return handle.read(doc -> doc.getText("t").toString()).join();
    }
  }

  private String storedText() {
    Doc doc = Doc.create();
    memory.load(DocumentKey.of("acme", "plans")).updates().forEach(doc::applyUpdate);
    return doc.getText("t").toString();
  }
}
