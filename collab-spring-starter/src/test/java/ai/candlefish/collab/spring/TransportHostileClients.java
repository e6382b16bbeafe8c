package ai.candlefish.collab.spring;

import static ai.candlefish.collab.testkit.RawWebSocket.closeCode;
import static ai.candlefish.collab.testkit.RawWebSocket.frame;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spring.ServerFrame.Close;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.ServerWatch;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The hostile clients of collab-netty's {@code HostileClientsTest}, against the application's own port (the
 * subclasses: WebFlux on Reactor Netty, and Tomcat): each ends as it does on the embedded port, with the offender's
 * socket ended and nothing of it left behind.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class TransportHostileClients {
  @SpringBootApplication
  static class App {
    @Bean
    LoadedDocuments loadedDocuments() {
      return new LoadedDocuments();
    }
  }

  /** The names of the documents the server loads, in order. */
  static final class LoadedDocuments implements CollabHooks {
    final BlockingQueue<String> names = new LinkedBlockingQueue<>();

    @Override
    public void onLoad(DocumentKey key, Doc doc) {
      names.add(key.name());
    }
  }

  // With TransportBackpressure.PATH and DEVELOPMENT: at most 64 KiB waits for a client, messages up to 64 KiB.
  static final String BUFFER = "candlefish.collab.limits.outbound-buffer=64KB";
  static final String MESSAGE = "candlefish.collab.limits.max-message-size=64KB";

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  @Autowired
  LoadedDocuments loaded;

  /** Each test starts with no connection left from the one before (they count the server's connections). */
  @BeforeEach
  void noConnectionsLeft() {
    await().atMost(Duration.ofSeconds(90)).until(() -> server.connectionCount() == 0);
  }

  /**
   * A connection dropped without a close frame ends its session at once, not at the idle timeout (60 s): under
   * WebFlux, ending the socket overflowed a semaphore, and the {@link Error} skipped ending the bridged connection.
   */
  @Test
  void droppedConnection_endsItsSessionAtOnce() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      assertThat(upgrade(socket, "/collab/dropped", "")).contains(" 101 ");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionCount() == 1);
    } // closed without a close frame
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void pingFlood_fromAClientThatNeverReads_pilesUpNoPongs() throws Exception {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", "bystander")).get(10, TimeUnit.SECONDS);
        Socket attacker = new Socket()) {
      ServerWatch watch = ServerWatch.of("ping flood on " + getClass().getSimpleName()).heapBound(16 << 20)
          .gauge("direct memory", TransportHostileClients::directMemory, 16 << 20)
          .roundTrip("edit", () -> handle.edit(txn -> txn.doc().getText("t").insert(0, "x"))
              .get(10, TimeUnit.SECONDS))
          .start();
      attacker.setReceiveBufferSize(8 * 1024);
      attacker.connect(new InetSocketAddress("127.0.0.1", port));
      attacker.setSoTimeout(30_000); // the upgrade's answer: over 10 s once at load 34
      assertThat(upgrade(attacker, "/collab/pings", "")).contains(" 101 ");
      // 200,000 pings of 125 bytes (26 MB), 512 to a TCP write; the attacker never reads a pong. Reactor Netty's own
      // answer queued a pong per ping: +20 MiB of heap and +28 MiB of direct memory for 26 MB.
      // Tomcat answers each ping itself with a blocking send, and drops the attacker when one has waited 20 s.
      RawWebSocket.floodPings(attacker.getOutputStream(), 200_000, 60);
      watch.check();
    }
  }

  /**
   * A message over the maximum is closed with 1009 and a reason that names the setting to raise, as on the embedded
   * port, in one frame or in fragments sent at once after the 101. Under WebFlux a single frame was closed with
   * Netty's "Max frame length of 65536 has been exceeded.", and fragments with Reactor Netty's own close (1002), an
   * empty close frame (1005) or none at all (the connection dropped: -1).
   */
  @Test
  void messageOverTheMaximum_inOneFrameOrInFragments_isClosedWith1009NamingTheSetting() throws Exception {
    Close oneFrame = closeAfter(frame(0x82, new byte[100_000]));
    assertThat(oneFrame.code()).as("one frame").isEqualTo(1009);
    assertTooBigReason(oneFrame.reason());
    for (int i = 0; i < 10; i++) {
      Close fragments = closeAfter(concat(frame(0x02, new byte[30_000]), frame(0x00, new byte[30_000]),
          frame(0x80, new byte[30_000])));
      assertThat(fragments.code()).as("three fragments, round %d", i).isEqualTo(1009);
      assertTooBigReason(fragments.reason());
    }
  }

  /**
   * A frame with a reserved bit set, no extension negotiated, is closed with 1002, as on the embedded port: under
   * WebFlux such a frame (a compressed message, RSV1) reached the server as if it were plain.
   */
  @Test
  void frameWithAReservedBit_withoutAnExtension_isClosedWith1002() throws Exception {
    // Sync step 1 with an empty state vector (a message the server answers), with RSV1 set.
    assertThat(closeAfter(frame(0xC2, new byte[] {0, 0, 1, 0})).code()).isEqualTo(1002);
  }

  /**
   * A text message is closed with 1003 and the protocol's reason (every protocol served is binary), as on the embedded
   * port. On Tomcat the socket was closed from Tomcat's thread beside the bridge's sender, which was writing the
   * first sync message, and ended without a close frame (-1) in one run of three (40560fc took the case out).
   */
  @Test
  void textMessage_isClosedWith1003() throws Exception {
    for (int i = 0; i < 10; i++) {
      Close close = closeAfter(frame(0x81, "hello".getBytes(StandardCharsets.UTF_8)));
      assertThat(close.code()).as("round %d", i).isEqualTo(1003);
      assertThat(close.reason()).isEqualTo("y-websocket messages are binary");
    }
  }

  /**
   * A text message in fragments is closed with 1003, as on the embedded port; one whose bytes are not UTF-8, whole or
   * in fragments, with {@link #malformedTextCode()}: 1003 on the embedded port and under WebFlux, 1007 on Tomcat and
   * Jetty, which check text themselves (a difference only a broken or hostile client sees: every protocol is binary).
   */
  @Test
  void textMessage_inFragmentsOrNotUtf8_isClosed() throws Exception {
    byte[] malformed = {'h', (byte) 0xC3, 0x28}; // 0xC3 starts a two-byte sequence that 0x28 does not continue
    byte[] bang = "!".getBytes(StandardCharsets.UTF_8);
    assertThat(closeAfter(concat(frame(0x01, "hel".getBytes(StandardCharsets.UTF_8)), frame(0x80, bang))).code())
        .as("in fragments").isEqualTo(1003);
    assertThat(closeAfter(frame(0x81, malformed)).code()).as("not UTF-8").isEqualTo(malformedTextCode());
    assertThat(closeAfter(concat(frame(0x01, malformed), frame(0x80, bang))).code())
        .as("not UTF-8, in fragments").isEqualTo(malformedTextCode());
  }

  /** The close code that answers a text message that is not UTF-8: 1003 as on the embedded port. */
  int malformedTextCode() {
    return 1003;
  }

  /** A frame the client did not mask is closed with 1002 (RFC 6455 5.1), as on the embedded port. */
  @Test
  void unmaskedFrame_isClosedWith1002() throws Exception {
    byte[] masked = frame(0x82, new byte[] {0, 0, 1, 0}, new byte[4]); // a zero mask: the payload as it is
    byte[] unmasked = new byte[masked.length - 4];
    unmasked[0] = masked[0];
    unmasked[1] = (byte) (masked[1] & 0x7F); // the mask bit cleared, the mask's four bytes left out
    System.arraycopy(masked, 6, unmasked, 2, unmasked.length - 2);
    assertThat(closeAfter(unmasked).code()).isEqualTo(1002);
  }

  /**
   * Broken frames are closed as on the embedded port (collab-netty's {@code WebSocketFramingTest}): 1002 for a
   * fragmented control frame, a control frame over 125 bytes, reserved opcodes, a continuation outside a message, a
   * close frame of one byte or with a code no one may send; 1007 for a close reason that is not UTF-8 (Tomcat: 1002).
   * Under WebFlux a bad close frame was answered with none (Netty's decoder took it for the close handshake).
   */
  @Test
  void brokenFrames_areClosedAsOnTheEmbeddedPort() throws Exception {
    Map<String, byte[]> protocolErrors = new LinkedHashMap<>();
    protocolErrors.put("a fragmented ping", concat(frame(0x09, new byte[] {1}), frame(0x80, new byte[] {2})));
    protocolErrors.put("a ping of 126 bytes", frame(0x89, new byte[126]));
    protocolErrors.put("a data frame of a reserved opcode", frame(0x83, new byte[] {0}));
    protocolErrors.put("a control frame of a reserved opcode", frame(0x8B, new byte[] {0}));
    protocolErrors.put("a continuation outside a message", frame(0x80, new byte[] {0, 0, 1, 0}));
    protocolErrors.put("a close frame of one byte", frame(0x88, new byte[] {3}));
    protocolErrors.put("a close frame with code 999", frame(0x88, new byte[] {3, (byte) 0xE7}));
    protocolErrors.put("a close frame with code 1005", frame(0x88, new byte[] {3, (byte) 0xED}));
    for (Map.Entry<String, byte[]> e : protocolErrors.entrySet()) {
      assertThat(closeAfter(e.getValue()).code()).as(e.getKey()).isEqualTo(1002);
    }
    assertThat(closeAfter(frame(0x88, new byte[] {3, (byte) 0xE8, (byte) 0xC3, 0x28})).code())
        .as("a close reason that is not UTF-8").isEqualTo(invalidCloseReasonCode());
  }

  /** The close code that answers a close reason that is not UTF-8: 1007, as on the embedded port. */
  int invalidCloseReasonCode() {
    return 1007;
  }

  /**
   * A message in fragments sent at once after the 101 reaches the server whole. Under WebFlux the fragments were
   * joined only from when the socket was first read, after the bridge had opened on another thread: fragments that
   * came before went on one by one, and the continuation ended the socket with a close without a code (1005).
   */
  @Test
  void messageInFragments_rightAfterTheUpgrade_arrivesWhole() throws Exception {
    for (int i = 0; i < 10; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        assertThat(upgrade(socket, "/collab/fragments-" + i, "")).contains(" 101 ");
        // Sync step 1 with an empty state vector, in two fragments; the answer is sync step 2.
        socket.getOutputStream().write(concat(frame(0x02, new byte[] {0, 0}), frame(0x80, new byte[] {1, 0})));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        while (true) {
          ServerFrame frame = ServerFrame.next(in);
          assertThat(frame.opcode()).as("round %d: a close (%s) instead of sync step 2", i,
              frame.opcode() == 8 ? frame.close() : null).isNotEqualTo(8);
          byte[] payload = frame.payload();
          if (frame.opcode() == 2 && payload.length > 1 && payload[0] == 0 && payload[1] == 1) {
            break;
          }
        }
      }
    }
  }

  /** The close reason of a message over the maximum (64 KiB here): the embedded port's, naming the setting. */
  void assertTooBigReason(String reason) {
    assertThat(reason).isEqualTo("message too big: over the server's maxMessageSize of 65536 bytes");
  }

  /**
   * A client that sends frame after frame over the maximum fills no log: Reactor Netty logged each at ERROR with a
   * stack trace ({@code onUncaughtException}, a {@code CorruptedWebSocketFrameException}), whatever the log level of
   * our own packages.
   */
  @Test
  void framesOverTheMaximum_areNotLoggedAsErrors(CapturedOutput output) throws Exception {
    int from = output.getAll().length();
    for (int i = 0; i < 5; i++) {
      assertThat(closeAfter(frame(0x82, new byte[100_000])).code()).isEqualTo(1009);
      assertThat(closeAfter(concat(frame(0x02, new byte[40_000]), frame(0x80, new byte[40_000]))).code())
          .isEqualTo(1009);
    }
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> {
      String logged = output.getAll().substring(from);
      return !logged.contains("CorruptedWebSocketFrameException") && !logged.contains("TooLongFrameException");
    });
  }

  /**
   * A compression bomb: permessage-deflate lets 32 KB on the wire inflate to 32 MiB. Only Jetty negotiates it (it
   * stops inflating a message at the limit: one of 32 such frames, 1 GiB inflated, against a maximum of 64 KiB is
   * closed with 1009, ~0.1 s of CPU); Tomcat inflated every frame that came, after the close too (~0.5 s of CPU for 1
   * MB sent), and no longer negotiates it, as the embedded port and Reactor Netty do not: the compressed frames are
   * refused (a reserved bit set). Either way the heap stays bounded and a bystander's edits go on.
   */
  @Test
  void compressionBomb_isClosedAtTheMessageLimit() throws Exception {
    byte[] bomb = deflated(new byte[32 << 20]);
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", "bystander")).get(10, TimeUnit.SECONDS);
        Socket attacker = new Socket("127.0.0.1", port)) {
      ServerWatch watch = ServerWatch.of("compression bomb on " + getClass().getSimpleName()).heapBound(32 << 20)
          .gauge("direct memory", TransportHostileClients::directMemory, 32 << 20)
          .roundTrip("edit", () -> handle.edit(txn -> txn.doc().getText("t").insert(0, "x"))
              .get(10, TimeUnit.SECONDS))
          .start();
      attacker.setSoTimeout(60_000);
      String head = upgradeHead(attacker, "/collab/bomb", "Sec-WebSocket-Extensions: permessage-deflate\r\n");
      assertThat(head).contains(" 101 ");
      boolean deflate = head.toLowerCase(Locale.ROOT).contains("permessage-deflate");
      assertThat(deflate).as("permessage-deflate negotiated").isEqualTo(negotiatesCompression());
      Thread writer = new Thread(() -> {
        try {
          // RSV1 (0x40) on the first frame: the message is compressed; binary, then continuations, the last with FIN.
          for (int i = 0; i < 32; i++) {
            attacker.getOutputStream().write(frame((i == 0 ? 0x42 : 0x00) | (i == 31 ? 0x80 : 0), bomb));
          }
        } catch (IOException e) {
          // closed by the server meanwhile
        }
      }, "bomb");
      writer.start();
      int code = closeCode(attacker.getInputStream());
      writer.join(30_000);
      // Unnegotiated, its first frame has a reserved bit set: 1002 (f10f233 had allowed WebFlux 1005 too).
      assertThat(code).as("close code").isEqualTo(deflate ? 1009 : 1002);
      watch.check();
    }
  }

  /**
   * One spelling rule for document names on the application's port, as on the embedded port (collab-netty's
   * {@code HostileClientsTest}): the path after the prefix decoded once as UTF-8, an encoded slash and escapes that
   * are not UTF-8 refused with 400 (before, WebFlux passed {@code %FF} through and it was decoded to U+FFFD, so
   * {@code %FF}, {@code %FE} and {@code %C3%28} were one document). The web servers refuse some spellings themselves
   * (Tomcat and Jetty a stray {@code %} and an encoded backslash, Jetty an encoded {@code %2F} or dot segment, all
   * three a raw backslash): a spelling is refused or reaches the document of its decoded name, never another.
   */
  @Test
  void documentNames_reachTheDocumentOfTheirDecodedName_orAreRefused() throws Exception {
    Map<String, String> everywhere = new LinkedHashMap<>(); // spelling -> the document on every web server
    everywhere.put("/collab/sp1-%C3%BC%20a", "sp1-ü a");
    everywhere.put("/collab/sp8/../x", "sp8/../x");
    everywhere.put("/collab/sp11;a=b", "sp11;a=b");
    everywhere.put("/collab/sp12%3Fq%23", "sp12?q#");
    everywhere.put("/collab/sp17/./x", "sp17/./x");
    everywhere.put("/collab/sp18%2e/x%3B", "sp18./x;");
    everywhere.put("/collab/./sp22/..", "./sp22/..");
    for (Map.Entry<String, String> e : everywhere.entrySet()) {
      assertThat(reached(e.getKey())).as(e.getKey()).isEqualTo("document " + e.getValue());
    }
    for (String refused : List.of("/collab/sp2-a%2Fb", "/collab/sp4-%FF", "/collab/sp5-%C3%28", "/collab/sp5-%ED%A0%80")) {
      assertThat(reached(refused)).as(refused).startsWith("HTTP/1.1 400");
    }
    Map<String, String> refusedOr = new LinkedHashMap<>(); // spelling -> the document, where the web server lets it in
    refusedOr.put("/collab%2Fsp3", null);
    refusedOr.put("/collab/sp15%00", null);
    refusedOr.put("/collab/sp6-50%%20off", "sp6-50% off");
    refusedOr.put("/collab/sp7-end%", "sp7-end%");
    refusedOr.put("/collab/sp9/%2e%2e/x", "sp9/../x");
    refusedOr.put("/collab//sp10", "/sp10");
    refusedOr.put("/collab/sp14%5Cx", "sp14\\x");
    refusedOr.put("/collab/sp16%252F", "sp16%2F");
    refusedOr.put("/collab/sp19%zz", "sp19%zz");
    refusedOr.put("/collab/sp23\\x", "sp23\\x");
    for (Map.Entry<String, String> e : refusedOr.entrySet()) {
      String reached = reached(e.getKey());
      if (e.getValue() == null || !reached.equals("document " + e.getValue())) {
        assertThat(reached).as(e.getKey()).matches("HTTP/1\\.1 4\\d\\d.*");
      }
    }
  }

  /**
   * A y-websocket document name or token too long for the web server's request limit is refused by the web server
   * before the upgrade, with its own status ({@link #requestLineTooLong()}), never upgraded to a socket that then
   * fails: the starter leaves the application's limits as they are, and its README names the property that raises
   * each web server's. The longest name in CJK characters ({@link DocumentKey#MAX_NAME_LENGTH}, 9,216 bytes
   * percent-encoded) and a token of 10 KB are over every web server's default; a name of 300 CJK characters (2,700
   * bytes) with a token of 1 KB is within every one and reaches its document. A browser sends the site's cookies with
   * the upgrade: 20 KB of headers are refused with {@link #headersTooLarge()}.
   */
  @Test
  void nameOrTokenOverTheWebServersLimit_isRefusedBeforeTheUpgrade_withItsStatus() throws Exception {
    String longest = "中".repeat(DocumentKey.MAX_NAME_LENGTH);
    assertThat(reached("/collab/" + URLEncoder.encode(longest, StandardCharsets.UTF_8)))
        .as("the longest name").startsWith("HTTP/1.1 " + requestLineTooLong() + " ");
    assertThat(reached("/collab/long-token?token=" + "t".repeat(10_000)))
        .as("a token of 10 KB").startsWith("HTTP/1.1 " + requestLineTooLong() + " ");
    String fits = "中".repeat(300);
    assertThat(reached("/collab/" + URLEncoder.encode(fits, StandardCharsets.UTF_8) + "?token=" + "t".repeat(1000)))
        .isEqualTo("document " + fits);
    assertThat(reached("/collab/cookies", "Cookie: c=" + "x".repeat(20_000) + "\r\n"))
        .as("20 KB of cookies").startsWith("HTTP/1.1 " + headersTooLarge() + " ");
  }

  /** The status with which the web server refuses a request line over its limit. */
  abstract int requestLineTooLong();

  /** The status with which the web server refuses headers over its limit. */
  abstract int headersTooLarge();

  /** What an upgrade request for {@code path} reaches: {@code "document <name>"}, or the HTTP status line. */
  private String reached(String path) throws Exception {
    return reached(path, "");
  }

  /** As {@link #reached(String)}, with more {@code headers} (each ending in CRLF). */
  private String reached(String path, String headers) throws Exception {
    loaded.names.clear();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      String status = upgradeHead(socket, path, headers).lines().findFirst().orElse("");
      if (!status.contains(" 101 ")) {
        return status;
      }
      String name = loaded.names.poll(10, TimeUnit.SECONDS);
      return name == null ? status + " and no document" : "document " + name;
    }
  }

  /** The response head of an upgrade request for {@code path} with {@code headers} (status line and headers). */
  private static String upgradeHead(Socket socket, String path, String headers) throws IOException {
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) {
      head.append((char) b);
    }
    return head.toString();
  }

  /** {@code data} as a permessage-deflate message body: raw deflate, flushed, without the final 00 00 FF FF. */
  private static byte[] deflated(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    int n;
    do { // called again as long as it fills the buffer, as Deflater says for SYNC_FLUSH
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      out.write(buffer, 0, n);
    } while (n == buffer.length);
    deflater.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }

  /** Whether the transport negotiates permessage-deflate (only Jetty: it stops inflating at the message limit). */
  abstract boolean negotiatesCompression();

  /** The close the server answers {@code bytes} with, sent right after the upgrade. */
  private Close closeAfter(byte[] bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      assertThat(upgrade(socket, "/collab/big", "")).contains(" 101 ");
      socket.getOutputStream().write(bytes);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      try {
        while (true) {
          ServerFrame frame = ServerFrame.next(in);
          if (frame.opcode() == 8) {
            return frame.close();
          }
        }
      } catch (EOFException | SocketException e) {
        return new Close(-1, "");
      }
    }
  }

  /** What Netty's default allocator holds off the heap (Reactor Netty's buffers). */
  private static long directMemory() {
    return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
