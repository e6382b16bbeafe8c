package ai.candlefish.collab.server.codec.collab;

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
 * Coverage-guided fuzzing of the collab/1 decoder. {@code mvn test} replays the saved inputs
 * (src/test/resources/.../CollabV1DecoderFuzzTestInputs); {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-netty
 * -Dtest=CollabV1DecoderFuzzTest} fuzzes for real. Whatever the bytes: the frame is released, and the decoder either
 * emits exactly one message (about a named document, or the connection's Hello) or refuses with a
 * {@link ProtocolException}.
 */
class CollabV1DecoderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(CodecChannel.handler(CollabV1Decoder.INSTANCE));
    BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
    try {
      channel.writeInbound(frame);
      ClientMessage message = channel.readInbound();
      assertThat(message).isNotNull();
      if (message instanceof ClientMessage.Authenticate) {
        assertThat(message.document()).isEmpty();
      } else {
        assertThat(message.document()).isNotEmpty();
      }
      Object more = channel.readInbound();
      assertThat(more).isNull();
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
    } finally {
      assertThat(frame.refCnt()).isZero();
      channel.finishAndReleaseAll();
    }
  }
}
