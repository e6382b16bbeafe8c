package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YWebsocketMessages;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CollabBridge} driven as a host web server would drive it (the Spring adapter's test runs it on a real Tomcat
 * with real Yjs providers): the same refusals, limits and close codes as the server's own port.
 */
class CollabBridgeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 40000);

  private final List<CollabServer> servers = new ArrayList<>();

  private CollabServer start(UnaryOperator<CollabServer.Builder> settings) {
    CollabServer server = settings.apply(CollabServer.newBuilder().ownPort(false).authenticator(TestTokens.TOKENS)
        .pathPrefix("/collab")).build().start();
    servers.add(server);
    return server;
  }

  @AfterEach
  void stop() {
    servers.forEach(CollabServer::close);
  }

  /** What the host's socket was told, in order: "binary <first byte>", "ping", "close <code>". */
  static final class RecordingSender implements CollabBridge.Sender {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> reasons = new CopyOnWriteArrayList<>();
    final CountDownLatch release;
    final AtomicInteger sendsStarted = new AtomicInteger();
    /** A send is under way; whether a close came meanwhile (from another thread). */
    volatile boolean sending;
    volatile boolean closedBesideASend;

    RecordingSender(CountDownLatch release) {
      this.release = release;
    }

    RecordingSender() {
      this(new CountDownLatch(0));
    }

    @Override
    public void sendBinary(ByteBuffer message) throws IOException {
      sendsStarted.incrementAndGet();
      sending = true;
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new InterruptedIOException();
      } finally {
        sending = false;
      }
      events.add("binary " + message.get(0));
    }

    @Override
    public void sendPing() {
      events.add("ping");
    }

    @Override
    public void close(int code, String reason) {
      closedBesideASend |= sending;
      reasons.add(reason);
      events.add("close " + code);
    }

    boolean closedWith(int code) {
      return events.contains("close " + code);
    }
  }

  private static CollabBridge.Handshake handshake(String uri, Map<String, List<String>> headers) {
    return new CollabBridge.Handshake(uri, headers, CLIENT);
  }

  @Test
  void check_refusesAsTheEmbeddedPort() {
    CollabServer server = start(b -> b.allowedOrigins(List.of("https://app.example.com")));
    CollabBridge bridge = server.bridge();
    assertThat(bridge.check(handshake("/collab/doc?token=alice", Map.of("Origin", List.of("https://app.example.com")))))
        .isNull();
    assertThat(bridge.check(handshake("/collab/doc", Map.of("origin", List.of("https://evil.example")))))
        .isEqualTo(new CollabBridge.Refusal(403, "origin not allowed"));
    assertThat(bridge.check(handshake("/elsewhere/doc", Map.of())).status()).isEqualTo(404);
    assertThat(server.port()).isEqualTo(-1);
  }

  @Test
  void aYWebsocketSocket_isServedAndEndsWhenTheHostCloses() throws Exception {
    CollabServer server = start(b -> b);
    RecordingSender sender = new RecordingSender();
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.events.contains("binary 0")); // sync step 1
    assertThat(server.connectionCount()).isEqualTo(1);
    int before = sender.events.size();
    try (DocumentHandle doc = server.openDocument(DocumentKey.of("acme", "doc")).get(10, TimeUnit.SECONDS)) {
      doc.edit(txn -> txn.doc().getText("t").insert(0, "from the server")).get(10, TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> sender.events.size() > before); // the update reaches the socket
    socket.closed();
    await().atMost(WAIT).until(() -> server.connectionCount() == 0);
  }

  @Test
  void aBadToken_isClosedWith4401() {
    CollabServer server = start(b -> b);
    RecordingSender sender = new RecordingSender();
    server.bridge().open(handshake("/collab/doc?token=nobody", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.UNAUTHORIZED));
    await().atMost(WAIT).until(() -> server.connectionCount() == 0);
  }

  /** A host's refusal too long for a close frame reaches the host's socket cut between characters, as on the port. */
  @Test
  void aRefusalTooLongForACloseFrame_reachesTheHostCutBetweenCharacters() {
    String refusal = "access denied " + "\uD83D\uDEAB".repeat(40); // 174 bytes of UTF-8
    CollabServer server = start(b -> b.authenticator((token, connection) -> {
      throw new AuthenticationException(refusal);
    }));
    RecordingSender sender = new RecordingSender();
    server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.UNAUTHORIZED));
    assertThat(sender.reasons).containsExactly("access denied " + "\uD83D\uDEAB".repeat(27));
  }

  /**
   * A text message is closed with 1003 and the protocol's reason, as on the embedded port, through the sender and
   * behind the send under way: the Spring adapter closed the socket from the web server's thread beside the bridge's
   * sender, and Tomcat then ended it without a close frame now and then.
   */
  @Test
  void aTextMessage_isClosedWith1003_throughTheSender_behindTheSendUnderWay() {
    CollabServer server = start(b -> b);
    CountDownLatch release = new CountDownLatch(1);
    RecordingSender sender = new RecordingSender(release);
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.sendsStarted.get() == 1); // sync step 1, held
    socket.receiveText();
    await().atMost(WAIT).until(() -> server.connectionCount() == 0);
    release.countDown();
    await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.UNSUPPORTED_DATA));
    assertThat(sender.events).startsWith("binary 0").endsWith("close 1003");
    assertThat(sender.reasons).containsExactly("y-websocket messages are binary");
    assertThat(sender.closedBesideASend).as("closed while a send was under way").isFalse();
  }

  @Test
  void aMessageLargerThanTheMaximum_inFragments_isClosedWith1009() {
    CollabServer server = start(b -> b.maxMessageSize(1024));
    RecordingSender sender = new RecordingSender();
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.events.contains("binary 0"));
    socket.receive(ByteBuffer.wrap(new byte[600]), false);
    socket.receive(ByteBuffer.wrap(new byte[600]), true);
    await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.MESSAGE_TOO_BIG));
  }

  @Test
  void oneConnectionTooManyFromAnAddress_isClosedWith1013() {
    CollabServer server = start(b -> b.connectionLimits(100, 1));
    RecordingSender first = new RecordingSender();
    RecordingSender second = new RecordingSender();
    server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), first);
    await().atMost(WAIT).until(() -> first.events.contains("binary 0"));
    server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), second);
    await().atMost(WAIT).until(() -> second.closedWith(CloseCodes.TRY_AGAIN_LATER));
    assertThat(first.events).noneMatch(e -> e.startsWith("close"));
  }

  /**
   * The close comes while the host's send still blocks (within the close timeout): behind a send that waits for its
   * client (a servlet container's blocking write: Tomcat's gives up after 20 s) it would wait as long, the socket
   * open with nothing behind it (before: the close waited behind the send).
   */
  @Test
  void aHostSocketThatDoesNotTakeItsMessages_isClosedWith1013_whileItsSendStillBlocks() throws Exception {
    CollabServer server = start(b -> b.outboundBufferLimit(1024));
    CountDownLatch release = new CountDownLatch(1);
    RecordingSender sender = new RecordingSender(release);
    server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    try (DocumentHandle doc = server.openDocument(DocumentKey.of("acme", "doc")).get(10, TimeUnit.SECONDS)) {
      await().atMost(WAIT).until(() -> sender.sendsStarted.get() == 1); // its sync step 1: the document is open
      for (int i = 0; i < 40; i++) {
        doc.edit(txn -> txn.doc().getText("t").insert(0, "x".repeat(100))).get(10, TimeUnit.SECONDS);
      }
      await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.TRY_AGAIN_LATER));
      await().atMost(WAIT).until(() -> server.connectionCount() == 0);
      assertThat(sender.sendsStarted.get()).as("the blocked send is the only one").isEqualTo(1);
    } finally {
      release.countDown();
    }
    Thread.sleep(200);
    assertThat(sender.sendsStarted.get()).as("no send after the close").isEqualTo(1);
  }

  /**
   * A host whose socket writes a large message slowly, in fragments it counts down ({@link #unwritten}), as the
   * starter's servlet transport does for a client on a slow link; its client never answers a ping.
   */
  static final class SlowSender implements CollabBridge.Sender {
    static final int FRAGMENT = 32 * 1024;
    final List<String> events = new CopyOnWriteArrayList<>();
    final long started = System.nanoTime();
    volatile long unwritten;

    @Override
    public void sendBinary(ByteBuffer message) throws IOException {
      for (int left = message.remaining(); left > FRAGMENT; left -= FRAGMENT) {
        unwritten = left;
        try {
          Thread.sleep(120);
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
      unwritten = 0;
      events.add(at() + (message.remaining() > FRAGMENT ? " state " : " binary ") + message.remaining());
    }

    @Override
    public long unwritten() {
      return unwritten;
    }

    @Override
    public void sendPing() {
      events.add(at() + " ping");
    }

    @Override
    public void close(int code, String reason) {
      events.add(at() + " close " + code);
    }

    private long at() {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** The milliseconds at which the first event containing {@code what} happened, or -1. */
    long when(String what) {
      return events.stream().filter(e -> e.contains(what)).mapToLong(e -> Long.parseLong(e.split(" ")[0]))
          .findFirst().orElse(-1);
    }
  }

  /**
   * A client downloading a large document's state slowly through the host's socket sends nothing meanwhile, and its
   * pong waits behind the state; its socket taking the state (counting down what it has left) is a sign of life, as
   * on the embedded port. Before, a download longer than the idle timeout was closed through Tomcat, Jetty and WebFlux
   * (the client downloaded it again, for ever). Once the state is out the idle clock starts afresh (the state's tail
   * is still in the kernels' buffers, the ping behind it), and a client that answers nothing is closed as before.
   */
  @Test
  void aHostSocketTakingALargeStateSlowly_isNotClosedAtTheIdleTimeout() throws Exception {
    CollabServer server = start(b -> b.idleTimeout(Duration.ofSeconds(2)));
    try (DocumentHandle doc = server.openDocument(DocumentKey.of("acme", "doc")).get(10, TimeUnit.SECONDS)) {
      doc.edit(txn -> txn.doc().getText("t").insert(0, "x".repeat(2_000_000))).get(10, TimeUnit.SECONDS);
    }
    SlowSender sender = new SlowSender();
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    socket.receive(ByteBuffer.wrap(new byte[] {0, 0, 1, 0}), true); // sync step 1, empty: the whole state comes
    await().atMost(Duration.ofSeconds(60)).until(() -> sender.when("close") >= 0);
    long stateAt = sender.when("state");
    // Before: pinged after 1 s (the ping queued behind the state), closed after 2 s, the close sent beside the
    // blocked send 3 s later, at ~5 s.
    assertThat(stateAt).as("the state (2 MB in ~8 s) arrived before any close: %s", sender.events)
        .isGreaterThan(6000).isLessThan(sender.when("close"));
    // The idle clock starts when the state is out (before, the next look pinged at once: closed within 2 s of it).
    assertThat(sender.when("close") - stateAt).as("the close, an idle timeout after the state: %s", sender.events)
        .isGreaterThanOrEqualTo(2000);
    assertThat(sender.events).last().asString().endsWith("close " + CloseCodes.GOING_AWAY);
  }

  /** A host that can stop reading: records when it is asked to, and reads on when asked. */
  static final class PausingSender implements CollabBridge.Sender {
    final List<String> flow = new CopyOnWriteArrayList<>();
    volatile boolean paused;

    @Override
    public void sendBinary(ByteBuffer message) {}

    @Override
    public void sendPing() {}

    @Override
    public void close(int code, String reason) {
      flow.add("close " + code);
    }

    @Override
    public boolean pauseReading() {
      paused = true;
      flow.add("pause");
      return true;
    }

    @Override
    public void resumeReading() {
      paused = false;
      flow.add("resume");
    }
  }

  @Test
  void aThrottledClient_makesTheHostStopReading_andReadOnOnceTheServerCaughtUp() throws Exception {
    CollabServer server = start(b -> b.messageRate(500, 50));
    PausingSender sender = new PausingSender();
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    List<ByteBuffer> messages = YWebsocketMessages.oneCharacterUpdates(3000);
    int sent = 0;
    while (sent < messages.size() && !sender.paused) {
      socket.receive(messages.get(sent++), true);
    }
    assertThat(sender.flow).as("asked to stop reading after %d messages", sent).containsExactly("pause");
    await().atMost(Duration.ofSeconds(60)).until(() -> !sender.paused);
    while (sent < messages.size()) { // a real host reads on and pauses again as asked; here every message waits
      socket.receive(messages.get(sent++), true);
    }
    try (DocumentHandle doc = server.openDocument(DocumentKey.of("acme", "doc")).get(10, TimeUnit.SECONDS)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> doc.read(d -> d.getText("t").length())
          .get(10, TimeUnit.SECONDS) == 3000);
    }
    assertThat(sender.flow).first().isEqualTo("pause");
    assertThat(sender.flow).contains("resume").noneMatch(e -> e.startsWith("close"));
  }

  @Test
  void aThrottledClient_whoseHostCannotStopReading_isClosedWith1013() {
    CollabServer server = start(b -> b.messageRate(5, 5).maxMessageSize(1024).outboundBufferLimit(16 * 1024));
    RecordingSender sender = new RecordingSender();
    CollabBridge.Socket socket = server.bridge().open(handshake("/collab/doc?token=alice", Map.of()), sender);
    await().atMost(WAIT).until(() -> sender.events.contains("binary 0"));
    for (ByteBuffer message : YWebsocketMessages.oneCharacterUpdates(2000)) {
      socket.receive(message, true);
    }
    await().atMost(WAIT).until(() -> sender.closedWith(CloseCodes.TRY_AGAIN_LATER));
    await().atMost(WAIT).until(() -> server.connectionCount() == 0);
  }
}
