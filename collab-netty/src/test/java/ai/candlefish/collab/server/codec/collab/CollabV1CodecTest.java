package ai.candlefish.collab.server.codec.collab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.QueryAwareness;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.SyncStep2;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.codec.CodecChannel;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.sync.SyncMessage;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The collab/1 decoder and encoder without sockets; every frame must be released, whatever happens. */
class CollabV1CodecTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(CodecChannel.handler(CollabV1Decoder.INSTANCE),
      CollabV1Encoder.INSTANCE);

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  private static BinaryWebSocketFrame frame(byte[] bytes) {
    // Not wrappedBuffer: for no bytes it returns the shared EMPTY_BUFFER, which cannot be released.
    return new BinaryWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
  }

  private static BinaryWebSocketFrame frame(ClientFrame.Builder f) {
    return frame(f.build().toByteArray());
  }

  private ClientMessage decode(WebSocketFrame frame) {
    channel.writeInbound(frame);
    assertThat(frame.refCnt()).as("frame released").isZero();
    return channel.readInbound();
  }

  private ProtocolException refused(WebSocketFrame frame) {
    Throwable thrown = catchThrowable(() -> channel.writeInbound(frame));
    assertThat(frame.refCnt()).as("frame released").isZero();
    assertThat(thrown).isInstanceOf(DecoderException.class).hasCauseInstanceOf(ProtocolException.class);
    Object emitted = channel.readInbound();
    assertThat(emitted).as("nothing emitted").isNull();
    return (ProtocolException) thrown.getCause();
  }

  private ServerFrame encode(ServerMessage message) {
    assertThat(channel.writeOutbound(message)).isTrue();
    BinaryWebSocketFrame out = channel.readOutbound();
    try {
      return ServerFrame.parseFrom(ByteBufUtil.getBytes(out.content()));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    } finally {
      out.release();
    }
  }

  @Test
  void decode_helloAndOpen() {
    assertThat(decode(frame(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("secret")))))
        .isEqualTo(new ClientMessage.Authenticate("", "secret"));
    assertThat(decode(frame(ClientFrame.newBuilder().setHello(Hello.getDefaultInstance()))))
        .as("no token").isEqualTo(new ClientMessage.Authenticate("", null));
    assertThat(decode(frame(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument("notes/1")))))
        .isEqualTo(new ClientMessage.Open("notes/1"));
    assertThat(decode(frame(ClientFrame.newBuilder().setClose(
        ai.candlefish.collab.protocol.v1.Close.newBuilder().setDocument("d")))))
        .isEqualTo(new ClientMessage.Close("d"));
  }

  @Test
  void decode_syncMessagesKeepTheirDocumentPayloadAndAckId() {
    ClientMessage.Sync step1 = (ClientMessage.Sync) decode(frame(ClientFrame.newBuilder().setSyncStep1(
        SyncStep1.newBuilder().setDocument("a").setStateVector(ByteString.copyFrom(new byte[] {1, 2})))));
    assertThat(step1.document()).isEqualTo("a");
    assertThat(step1.type()).isEqualTo(SyncMessage.STEP1);
    assertThat(step1.payload()).containsExactly(1, 2);
    assertThat(step1.ack()).isZero();

    ClientMessage.Sync step2 = (ClientMessage.Sync) decode(frame(ClientFrame.newBuilder().setSyncStep2(
        SyncStep2.newBuilder().setDocument("b").setUpdate(ByteString.copyFrom(new byte[] {0, 0})))));
    assertThat(step2.type()).isEqualTo(SyncMessage.STEP2);
    assertThat(step2.document()).isEqualTo("b");

    ClientMessage.Sync update = (ClientMessage.Sync) decode(frame(ClientFrame.newBuilder().setUpdate(
        ai.candlefish.collab.protocol.v1.Update.newBuilder().setDocument("c")
            .setUpdate(ByteString.copyFrom(new byte[] {0, 0})).setAckId(7))));
    assertThat(update.type()).isEqualTo(SyncMessage.UPDATE);
    assertThat(update.ack()).isEqualTo(7);
    assertThat(update.payload()).containsExactly(0, 0);
  }

  @Test
  void decode_awarenessQueryAwarenessAndCustom() {
    ClientMessage.Awareness awareness = (ClientMessage.Awareness) decode(frame(ClientFrame.newBuilder()
        .setAwareness(ai.candlefish.collab.protocol.v1.Awareness.newBuilder().setDocument("d")
            .setUpdate(ByteString.copyFrom(new byte[] {1, 2, 3})))));
    assertThat(awareness.update()).containsExactly(1, 2, 3);
    assertThat(decode(frame(ClientFrame.newBuilder().setQueryAwareness(QueryAwareness.newBuilder()
        .setDocument("d"))))).isEqualTo(new ClientMessage.QueryAwareness("d"));
    assertThat(decode(frame(ClientFrame.newBuilder().setCustom(ai.candlefish.collab.protocol.v1.Custom
        .newBuilder().setDocument("d").setPayload("{\"x\":1}"))))).isEqualTo(
        new ClientMessage.Stateless("d", "{\"x\":1}"));
  }

  @Test
  void decode_malformedProtobuf_closesWith1002() {
    ProtocolException truncated = refused(frame(new byte[] {0x0A, 0x05, 0x0A}));
    assertThat(truncated.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(truncated.getMessage()).startsWith("malformed collab/1 frame");
    // field 1 (hello), length 3, then a string field with invalid UTF-8
    ProtocolException utf8 = refused(frame(new byte[] {0x0A, 0x03, 0x0A, 0x01, (byte) 0xFF}));
    assertThat(utf8.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    ProtocolException badTag = refused(frame(new byte[] {0x00}));
    assertThat(badTag.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void decode_frameWithoutDocument_closesWith1002() {
    ProtocolException e = refused(frame(ClientFrame.newBuilder().setOpen(Open.getDefaultInstance())));
    assertThat(e.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(e.getMessage()).isEqualTo("a open frame needs a document");
  }

  @Test
  void decode_textEmptyOrUnknownFrame_closesWith1003() {
    assertThat(refused(new TextWebSocketFrame("hi")).closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    assertThat(refused(frame(new byte[0])).closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    // field 99, varint 1: a frame kind of a newer protocol version
    ProtocolException unknown = refused(frame(new byte[] {(byte) 0x98, 0x06, 0x01}));
    assertThat(unknown.closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    assertThat(unknown.getMessage()).isEqualTo("empty or unknown collab/1 frame");
  }

  @Test
  void decode_afterARefusedFrame_theDecoderStillWorks() {
    refused(frame(new byte[] {0x0A, 0x05}));
    assertThat(decode(frame(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument("d")))))
        .isEqualTo(new ClientMessage.Open("d"));
  }

  @Test
  void encode_everyServerMessage() {
    assertThat(encode(new ServerMessage.Authenticated("", false)).hasWelcome()).isTrue();
    ServerFrame opened = encode(new ServerMessage.Authenticated("d", true));
    assertThat(opened.getOpened().getDocument()).isEqualTo("d");
    assertThat(opened.getOpened().getReadOnly()).isTrue();
    assertThat(encode(ServerMessage.Sync.step1("d", new byte[] {1})).getSyncStep1().getStateVector().toByteArray())
        .containsExactly(1);
    assertThat(encode(ServerMessage.Sync.step2("d", new byte[] {2})).getSyncStep2().getUpdate().toByteArray())
        .containsExactly(2);
    ServerFrame update = encode(ServerMessage.Sync.update("d", new byte[] {3}));
    assertThat(update.getUpdate().getUpdate().toByteArray()).containsExactly(3);
    assertThat(update.getUpdate().getAckId()).isZero();
    ServerFrame ack = encode(new ServerMessage.Ack("d", 42));
    assertThat(ack.getAck().getDocument()).isEqualTo("d");
    assertThat(ack.getAck().getAckId()).isEqualTo(42);
    assertThat(encode(new ServerMessage.Awareness("d", new byte[] {4})).getAwareness().getUpdate().toByteArray())
        .containsExactly(4);
    assertThat(encode(new ServerMessage.Stateless("d", "hi")).getCustom().getPayload()).isEqualTo("hi");
    ServerFrame error = encode(new ServerMessage.Refused("d", 9, CloseCodes.FORBIDDEN, "read-only ✋"));
    assertThat(error.getError().getDocument()).isEqualTo("d");
    assertThat(error.getError().getAckId()).isEqualTo(9);
    assertThat(error.getError().getCode()).isEqualTo(CloseCodes.FORBIDDEN);
    assertThat(error.getError().getMessage()).isEqualTo("read-only ✋");
  }

  @Test
  void encode_largePayloads_roundTripExactly() {
    SplittableRandom random = new SplittableRandom(42);
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 100_000}) {
      byte[] payload = new byte[size];
      random.nextBytes(payload);
      assertThat(encode(ServerMessage.Sync.update("doc", payload)).getUpdate().getUpdate().toByteArray())
          .as("size %d", size).isEqualTo(payload);
    }
  }

  @Test
  void accepts_onlyTheCollabV1Subprotocol() {
    DefaultHttpHeaders headers = new DefaultHttpHeaders();
    assertThat(CollabV1Protocol.INSTANCE.accepts("doc", headers)).isFalse();
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "chat, collab.v1");
    assertThat(CollabV1Protocol.INSTANCE.accepts("", headers)).isTrue();
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "collab.v2");
    assertThat(CollabV1Protocol.INSTANCE.accepts("doc", headers)).isFalse();
  }
}
