package ai.candlefish.collab.server.codec.hocuspocus;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.codec.CodecChannel;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.spi.DocumentKey;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

/**
 * Coverage-guided fuzzing of the Hocuspocus decoder. {@code mvn test} replays the saved inputs
 * (src/test/resources/.../HocuspocusDecoderFuzzTestInputs, frames of the real provider); {@code JAZZER_FUZZ=1
 * ./mvnw test -pl collab-netty -Dtest=HocuspocusDecoderFuzzTest} fuzzes for real. Whatever the bytes: the frame is
 * released, and the decoder emits at most one message, for a non-empty document name without NUL, with an ack id
 * exactly on step 2 and updates; or it refuses with a {@link ProtocolException}.
 */
class HocuspocusDecoderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(CodecChannel.handler(new HocuspocusDecoder()));
    BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
    try {
      channel.writeInbound(frame);
      Object message = channel.readInbound();
      if (message instanceof ClientMessage m) {
        assertThat(m.document()).isNotEmpty().doesNotContain("\0");
        if (m instanceof ClientMessage.Sync sync) {
          assertThat(sync.ack()).isEqualTo(sync.type() == 0 ? 0 : 1);
        }
        Object more = channel.readInbound();
        assertThat(more).isNull();
      } else {
        assertThat(message).isNull();
        assertThat(bytes).as("only a pong emits nothing").containsExactly(HocuspocusProtocol.MESSAGE_PONG);
      }
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
    } finally {
      assertThat(frame.refCnt()).isZero();
      channel.finishAndReleaseAll();
    }
  }
}
