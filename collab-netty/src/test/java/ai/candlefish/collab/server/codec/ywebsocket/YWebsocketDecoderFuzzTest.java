package ai.candlefish.collab.server.codec.ywebsocket;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.codec.CodecChannel;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

/**
 * Coverage-guided fuzzing of the y-websocket decoder. {@code mvn test} replays the saved inputs
 * (src/test/resources/.../YWebsocketDecoderFuzzTestInputs); {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-netty
 * -Dtest=YWebsocketDecoderFuzzTest} fuzzes for real. Whatever the bytes: the frame is released, and the decoder
 * either emits one message for the socket's document or refuses with a {@link ProtocolException}.
 */
class YWebsocketDecoderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(CodecChannel.handler(new YWebsocketDecoder("doc")));
    BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
    try {
      channel.writeInbound(frame);
      Object message = channel.readInbound();
      if (message instanceof ClientMessage m) {
        assertThat(m.document()).isEqualTo("doc");
        Object more = channel.readInbound();
        assertThat(more).isNull();
      }
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
    } finally {
      assertThat(frame.refCnt()).isZero();
      channel.finishAndReleaseAll();
    }
  }
}
