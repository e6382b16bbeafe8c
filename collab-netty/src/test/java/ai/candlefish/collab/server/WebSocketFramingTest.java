package ai.candlefish.collab.server;

import static ai.candlefish.collab.server.RawSocket.closeCode;
import static ai.candlefish.collab.server.RawSocket.frame;
import static ai.candlefish.collab.server.RawSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

  private CollabServer server;

  @BeforeEach
  void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TestTokens.TOKENS).maxMessageSize(MAX_MESSAGE).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Socket upgraded() throws IOException {
    Socket socket = RawSocket.open(server.port());
    assertThat(upgrade(socket, "/plans?token=alice", "")).contains(" 101 ");
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
  void fragmentsOverTheMessageLimit_closeWith1009() throws Exception {
    try (Socket socket = upgraded()) {
      byte[] half = new byte[MAX_MESSAGE / 2 + 1];
      socket.getOutputStream().write(concat(frame(0x02, half), frame(0x80, half)));
      assertThat(closeCode(socket.getInputStream())).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }
  }

  @Test
  void frameOverTheLimit_closesWith1009_beforeItsPayloadIsSent() throws Exception {
    try (Socket socket = upgraded()) {
      // Only the header: a 1 GiB frame is refused by its length.
      socket.getOutputStream().write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4});
      assertThat(closeCode(socket.getInputStream())).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }
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
