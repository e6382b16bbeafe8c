package ai.candlefish.collab.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.protocol.v1.ServerFrame;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the client's collab/1 frame codec, the first of the client's own code to read what a
 * server sends. {@code mvn test} replays the saved inputs (src/test/resources/.../ClientFrameCodecFuzzTestInputs);
 * {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-client -Dtest=ClientFrameCodecFuzzTest} fuzzes for real. Whatever the
 * server's messages, of any kind and content: what is passed on is a {@link ServerFrame} or a close frame, what is
 * wrong is a {@link CorruptedFrameException} (the client drops the connection), and every buffer is released.
 */
class ClientFrameCodecFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decode(FuzzedDataProvider data) {
    EmbeddedChannel channel = new EmbeddedChannel(new ClientFrameCodec());
    List<WebSocketFrame> sent = new ArrayList<>();
    try {
      while (data.remainingBytes() > 0) {
        int kind = data.consumeInt(0, 5);
        byte[] bytes = data.consumeBytes(data.consumeInt(0, 512));
        ByteBuf content = Unpooled.buffer(bytes.length).writeBytes(bytes); // never the shared empty buffer
        WebSocketFrame frame = switch (kind) {
          case 0 -> new TextWebSocketFrame(content);
          case 1 -> new CloseWebSocketFrame(true, 0, content);
          case 2 -> new PingWebSocketFrame(content);
          case 3 -> new PongWebSocketFrame(content);
          case 4 -> new ContinuationWebSocketFrame(content);
          default -> new BinaryWebSocketFrame(content);
        };
        sent.add(frame);
        try {
          channel.writeInbound(frame);
        } catch (CorruptedFrameException e) {
          // a frame that is not collab/1: the connection is dropped
        }
        for (Object in; (in = channel.readInbound()) != null; ) {
          try {
            assertThat(in).isInstanceOfAny(ServerFrame.class, CloseWebSocketFrame.class);
          } finally {
            ReferenceCountUtil.release(in);
          }
        }
      }
    } finally {
      channel.finishAndReleaseAll();
      for (WebSocketFrame frame : sent) {
        assertThat(frame.refCnt()).isZero();
      }
    }
  }
}
