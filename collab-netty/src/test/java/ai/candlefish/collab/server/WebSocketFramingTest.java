package ai.candlefish.collab.server;

import static ai.candlefish.collab.testkit.RawWebSocket.closeCode;
import static ai.candlefish.collab.testkit.RawWebSocket.frame;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's WebSocket framing over real sockets, frame by frame as a client library would not write them:
 * fragments with a ping between them, the client's close handshake, frames that break the protocol, and messages
 * whose fragments together exceed the limit. (Each rule on its own: {@code WebSocketFrameCodecTest}.)
 */
class WebSocketFramingTest {
  private static final int MAX_MESSAGE = 4096;
  /** y-websocket sync step 1 with an empty state vector: the server answers with step 2. */
  private static final byte[] SYNC_STEP1 = {0, 0, 1, 0};

  /** A host's refusal of 174 bytes of UTF-8 (a close frame has room for 123), of characters of four bytes each. */
  private static final String VERBOSE_REFUSAL = "access denied " + "\uD83D\uDEAB".repeat(40);
  /** Token "expiring": alice, for two seconds from when it is checked; the others as {@link TestTokens} says. */
  private static final Authenticator TOKENS = (token, connection) -> {
    if ("verbose".equals(token)) {
      throw new AuthenticationException(VERBOSE_REFUSAL);
    }
    return "expiring".equals(token)
        ? Principal.of("alice", "acme", Permission.WRITE).expiringAt(Instant.now().plusSeconds(2))
        : TestTokens.TOKENS.authenticate(token, connection);
  };

  private CollabServer server;

  @BeforeEach
  void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TOKENS).maxMessageSize(MAX_MESSAGE).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Socket upgraded() throws IOException {
    return upgraded("alice");
  }

  private Socket upgraded(String token) throws IOException {
    Socket socket = RawWebSocket.open(server.port());
    assertThat(upgrade(socket, "/plans?token=" + token, "")).contains(" 101 ");
    return socket;
  }

  @Test
  void fragmentedMessage_withAPingBetween_isHandled_andThePingAnsweredWithItsPayload() throws Exception {
    try (Socket socket = upgraded()) {
      socket.getOutputStream().write(concat(frame(0x02, new byte[] {0, 0}),
          frame(0x89, "ping!".getBytes(StandardCharsets.UTF_8)), frame(0x00, new byte[] {1}),
          frame(0x80, new byte[] {0})));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      boolean pong = false;
      boolean step2 = false;
      while (!pong || !step2) {
        int opcode = in.readUnsignedByte() & 0x0F;
        byte[] payload = payload(in);
        if (opcode == 0xA) {
          assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("ping!");
          pong = true;
        } else if (opcode == 0x2 && payload[0] == 0 && payload[1] == 1) {
          step2 = true;
        }
        assertThat(opcode).as("no close frame").isNotEqualTo(0x8);
      }
    }
  }

  @Test
  void clientClose_isAnsweredWithItsCode_andTheSocketCloses() throws Exception {
    try (Socket socket = upgraded()) {
      socket.getOutputStream().write(frame(0x88, new byte[] {0x0F, (byte) 0xA0, 'b', 'y', 'e'})); // 4000
      InputStream in = socket.getInputStream();
      assertThat(closeCode(in)).isEqualTo(4000);
      assertThat(in.readAllBytes()).as("its reason, then the end of the stream")
          .isEqualTo("bye".getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The server's own close, as a browser needs it: its close frame (after the "permission denied" written before
   * it), the client's answer, then the end of the stream and nothing else. Netty's handlers echoed the answer as a
   * second close frame; Chromium fails a connection that sends anything after a close frame ("Close received after
   * close") and reports 1006 instead of the server's code, which is how Paintbox's page used to reconnect after its
   * token expired (y-websocket 3.x does not on 44xx codes unless told to).
   */
  @Test
  void tokenExpiry_closesWith4440_andTheClientsAnswerEndsTheStream_withNoFrameAfterTheClose() throws Exception {
    try (Socket socket = upgraded("expiring")) {
      socket.getOutputStream().write(frame(0x82, SYNC_STEP1));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] close = untilClose(in);
      assertThat(closeCodeOf(close)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
      assertThat(reasonOf(close)).isEqualTo("token expired");
      socket.getOutputStream().write(frame(0x88, close));
      assertThat(in.read()).as("the end of the stream after the client's answer, no second close frame").isEqualTo(-1);
    }
  }

  @Test
  void tokenExpiry_aMessageCrossingTheCloseFrame_isDropped_andNothingFollowsTheClose() throws Exception {
    try (Socket socket = upgraded("expiring")) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] close = untilClose(in);
      // Sent as if before the close frame arrived: a message, then the answer.
      socket.getOutputStream().write(concat(frame(0x82, SYNC_STEP1), frame(0x88, close)));
      assertThat(in.read()).as("the end of the stream, no answer to the message").isEqualTo(-1);
    }
  }

  @Test
  void tokenExpiry_aClientThatDoesNotAnswer_isDroppedAfterTheCloseFrame_withNothingAfterIt() throws Exception {
    try (Socket socket = upgraded("expiring")) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(closeCodeOf(untilClose(in))).isEqualTo(CloseCodes.TOKEN_EXPIRED);
      assertThat(in.read()).as("the end of the stream once the close timeout passed").isEqualTo(-1);
    }
  }

  @Test
  void revocation_closesWith4401_andTheClientsAnswerEndsTheStream() throws Exception {
    try (Socket socket = upgraded()) {
      socket.getOutputStream().write(frame(0x82, SYNC_STEP1));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(opcodeAndPayload(in)[0][0]).as("the server's sync step 1 or 2: the session is open")
          .isNotEqualTo((byte) 8);
      server.revoke("acme", "alice");
      byte[] close = untilClose(in);
      assertThat(closeCodeOf(close)).isEqualTo(CloseCodes.UNAUTHORIZED);
      socket.getOutputStream().write(frame(0x88, close));
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  /**
   * A close reason over 123 bytes is cut to fit the close frame (RFC 6455: 125 bytes of payload), between two
   * characters: the server cut a character of two UTF-16 units in half, and the client read "?" for it.
   */
  @Test
  void refusalReasonLongerThanACloseFrameHolds_isCutBetweenCharacters() throws Exception {
    try (Socket socket = upgraded("verbose")) {
      byte[] close = untilClose(new DataInputStream(socket.getInputStream()));
      assertThat(closeCodeOf(close)).isEqualTo(CloseCodes.UNAUTHORIZED);
      assertThat(close.length).isLessThanOrEqualTo(125);
      assertThat(reasonOf(close)).isEqualTo("access denied " + "\uD83D\uDEAB".repeat(27));
    }
  }

  @Test
  void unmaskedFrame_closesWith1002() throws Exception {
    try (Socket socket = upgraded()) {
      socket.getOutputStream().write(new byte[] {(byte) 0x82, 4, 0, 0, 1, 0});
      assertThat(closeCode(socket.getInputStream())).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }
  }

  @Test
  void continuationOutsideAMessage_closesWith1002() throws Exception {
    try (Socket socket = upgraded()) {
      socket.getOutputStream().write(frame(0x80, SYNC_STEP1));
      assertThat(closeCode(socket.getInputStream())).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }
  }

  @Test
  void fragmentsOverTheMessageLimit_closeWith1009_namingTheSetting() throws Exception {
    try (Socket socket = upgraded()) {
      byte[] half = new byte[MAX_MESSAGE / 2 + 1];
      socket.getOutputStream().write(concat(frame(0x02, half), frame(0x80, half)));
      byte[] close = untilClose(new DataInputStream(socket.getInputStream()));
      assertThat(closeCodeOf(close)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
      assertThat(reasonOf(close)).isEqualTo("message too big: over the server's maxMessageSize of 4096 bytes");
    }
  }

  @Test
  void frameOverTheLimit_closesWith1009_beforeItsPayloadIsSent_namingTheSetting() throws Exception {
    try (Socket socket = upgraded()) {
      // Only the header: a 1 GiB frame is refused by its length.
      socket.getOutputStream().write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4});
      byte[] close = untilClose(new DataInputStream(socket.getInputStream()));
      assertThat(closeCodeOf(close)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
      assertThat(reasonOf(close)).isEqualTo("message too big: over the server's maxMessageSize of 4096 bytes");
    }
  }

  /** Reads frames up to the server's close frame; returns its payload (code and reason). */
  private static byte[] untilClose(DataInputStream in) throws IOException {
    while (true) {
      byte[][] frame = opcodeAndPayload(in);
      if (frame[0][0] == 8) {
        return frame[1];
      }
    }
  }

  /** The next frame: its opcode (one byte) and its payload. */
  private static byte[][] opcodeAndPayload(DataInputStream in) throws IOException {
    byte opcode = (byte) (in.readUnsignedByte() & 0x0F);
    return new byte[][] {{opcode}, payload(in)};
  }

  private static int closeCodeOf(byte[] closePayload) {
    return (closePayload[0] & 0xFF) << 8 | closePayload[1] & 0xFF;
  }

  private static String reasonOf(byte[] closePayload) {
    return new String(closePayload, 2, closePayload.length - 2, StandardCharsets.UTF_8);
  }

  private static byte[] payload(DataInputStream in) throws IOException {
    long length = in.readUnsignedByte() & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    return in.readNBytes((int) length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
