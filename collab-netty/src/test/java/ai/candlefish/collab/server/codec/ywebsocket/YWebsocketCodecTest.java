package ai.candlefish.collab.server.codec.ywebsocket;

import static ai.candlefish.collab.server.codec.CodecChannel.frame;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.codec.CodecChannel;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.sync.SyncMessage;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The y-websocket decoder and encoder without sockets; every frame must be released, whatever happens. */
class YWebsocketCodecTest {
  private final CodecChannel channel = new CodecChannel(CodecChannel.handler(new YWebsocketDecoder("doc")),
      YWebsocketEncoder.INSTANCE);

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void finish() {
    channel.close();
  }

  private ClientMessage decode(WebSocketFrame frame) {
    return channel.decode(frame);
  }

  private ProtocolException refused(WebSocketFrame frame) {
    return channel.refused(frame);
  }

  private byte[] encode(ServerMessage message) {
    return channel.encode(message);
  }

  @Test
  void decode_syncMessages() {
    ClientMessage.Sync step1 = (ClientMessage.Sync) decode(frame(0, 0, 2, 7, 8));
    assertThat(step1.document()).isEqualTo("doc");
    assertThat(step1.type()).isEqualTo(SyncMessage.STEP1);
    assertThat(step1.payload()).containsExactly(7, 8);
    assertThat(((ClientMessage.Sync) decode(frame(0, 1, 2, 0, 0))).type()).isEqualTo(SyncMessage.STEP2);
    assertThat(((ClientMessage.Sync) decode(frame(0, 2, 0))).payload()).isEmpty();
  }

  @Test
  void decode_awarenessAndQueryAwareness() {
    assertThat(((ClientMessage.Awareness) decode(frame(1, 3, 1, 2, 3))).update()).containsExactly(1, 2, 3);
    assertThat(decode(frame(3))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
  }

  @Test
  void decode_authFromAClient_isSkipped() {
    assertThat(decode(frame(2, 0, 1, 'x'))).isNull();
  }

  @Test
  void decode_bytesAfterAMessage_areIgnored_asYWebsocketsServerIgnoresThem() {
    ClientMessage.Sync update = (ClientMessage.Sync) decode(frame(0, 2, 1, 1, 9, 9));
    assertThat(update.type()).isEqualTo(SyncMessage.UPDATE);
    assertThat(update.payload()).containsExactly(1);
    assertThat(((ClientMessage.Sync) decode(frame(0, 0, 1, 0, 7))).payload()).containsExactly(0);
    assertThat(((ClientMessage.Awareness) decode(frame(1, 1, 5, 0))).update()).containsExactly(5);
    assertThat(decode(frame(3, 1))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
  }

  @Test
  void decode_malformed_closesWith1002() {
    assertThat(refused(frame()).getMessage()).contains("truncated number");
    assertThat(refused(frame(0, 2, 5, 1)).getMessage()).contains("length 5 exceeds the 1 bytes left");
    assertThat(refused(frame(0, 7, 0)).getMessage()).isEqualTo("unknown sync message type 7");
    ProtocolException tooLong = refused(frame(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
    assertThat(tooLong.getMessage()).contains("number too large");
    assertThat(tooLong.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void decode_textFrameOrUnknownType_closesWith1003() {
    assertThat(refused(new TextWebSocketFrame("hi")).closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    ProtocolException unknown = refused(frame(9));
    assertThat(unknown.closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    assertThat(unknown.getMessage()).isEqualTo("unknown message type 9");
  }

  @Test
  void decode_afterARefusedMessage_theDecoderStillWorks() {
    refused(frame(0, 9));
    assertThat(decode(frame(3))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
  }

  @Test
  void encode_sync_isTheOuterTypeThenTheSyncMessageOfYProtocols() {
    byte[] update = new byte[300];
    new SplittableRandom(1).nextBytes(update);
    Lib0Encoder expected = new Lib0Encoder();
    expected.writeVarUint(YWebsocketProtocol.MESSAGE_SYNC);
    expected.writeUint8Array(new SyncMessage.Update(update).encode());
    assertThat(encode(ServerMessage.Sync.update("doc", update))).isEqualTo(expected.toByteArray());

    Lib0Encoder step2 = new Lib0Encoder();
    step2.writeVarUint(YWebsocketProtocol.MESSAGE_SYNC);
    step2.writeUint8Array(new SyncMessage.SyncStep2(new byte[] {0, 0}).encode());
    assertThat(encode(ServerMessage.Sync.step2("doc", new byte[] {0, 0}))).isEqualTo(step2.toByteArray());
  }

  @Test
  void encode_awarenessAndRefused() {
    assertThat(encode(new ServerMessage.Awareness("doc", new byte[] {1, 2}))).containsExactly(1, 2, 1, 2);
    Lib0Encoder denied = new Lib0Encoder();
    denied.writeVarUint(YWebsocketProtocol.MESSAGE_AUTH);
    denied.writeVarUint(YWebsocketProtocol.AUTH_PERMISSION_DENIED);
    denied.writeVarString("read-only ✋");
    assertThat(encode(new ServerMessage.Refused("doc", 0, 4403, "read-only ✋"))).isEqualTo(denied.toByteArray());
  }

  @Test
  void encodeThenDecode_roundTripsSyncMessagesOfEverySize() {
    SplittableRandom random = new SplittableRandom(42);
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 100_000}) {
      byte[] payload = new byte[size];
      random.nextBytes(payload);
      byte[] wire = encode(ServerMessage.Sync.step2("doc", payload));
      ClientMessage.Sync back = (ClientMessage.Sync) decode(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(wire)));
      assertThat(back.type()).isEqualTo(SyncMessage.STEP2);
      assertThat(back.payload()).as("size %d", size).isEqualTo(payload);
    }
  }
}
