package ai.candlefish.collab.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.candlefish.collab.protocol.v1.Ack;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client's collab/1 framing without sockets; every frame must be released, whatever happens. */
class ClientFrameCodecTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new ClientFrameCodec());

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  @Test
  void encode_clientFrameAsOneBinaryMessage() throws Exception {
    ClientFrame hello = ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken("t")).build();
    assertThat(channel.writeOutbound(hello)).isTrue();
    BinaryWebSocketFrame out = channel.readOutbound();
    try {
      assertThat(ClientFrame.parseFrom(ByteBufUtil.getBytes(out.content()))).isEqualTo(hello);
    } finally {
      out.release();
    }
  }

  @Test
  void decode_binaryMessageToServerFrame_andPassesCloseFramesOn() {
    ServerFrame ack = ServerFrame.newBuilder().setAck(Ack.newBuilder().setDocument("d").setAckId(3)).build();
    BinaryWebSocketFrame in = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ack.toByteArray()));
    channel.writeInbound(in);
    assertThat(in.refCnt()).isZero();
    ServerFrame decoded = channel.readInbound();
    assertThat(decoded).isEqualTo(ack);

    CloseWebSocketFrame close = new CloseWebSocketFrame(1001, "bye");
    channel.writeInbound(close);
    CloseWebSocketFrame passed = channel.readInbound();
    assertThat(passed.statusCode()).isEqualTo(1001);
    passed.release();
    assertThat(close.refCnt()).isZero();
  }

  @Test
  void decode_malformedOrTextFrame_isACorruptedFrame() {
    BinaryWebSocketFrame bad = new BinaryWebSocketFrame(Unpooled.buffer(2).writeBytes(new byte[] {0x0A, 0x05}));
    Throwable thrown = catchThrowable(() -> channel.writeInbound(bad));
    assertThat(bad.refCnt()).isZero();
    assertThat(thrown).isInstanceOf(CorruptedFrameException.class).hasMessageContaining("malformed");
    TextWebSocketFrame text = new TextWebSocketFrame("hi");
    assertThat(catchThrowable(() -> channel.writeInbound(text))).isInstanceOf(DecoderException.class);
    assertThat(text.refCnt()).isZero();
  }
}
