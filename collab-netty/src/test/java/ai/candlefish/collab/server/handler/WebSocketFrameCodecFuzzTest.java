package ai.candlefish.collab.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the server's WebSocket frame decoder, the first to read a client's bytes after the
 * upgrade. {@code mvn test} replays the saved inputs (src/test/resources/.../WebSocketFrameCodecFuzzTestInputs);
 * {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-netty -Dtest=WebSocketFrameCodecFuzzTest} fuzzes for real. Whatever
 * the bytes, in reads split wherever the input says: what is passed on is whole binary or text messages within the
 * maximum size, what is wrong is answered only with the codec's two errors, and no buffer is left unreleased.
 */
class WebSocketFrameCodecFuzzTest {
  private static final int MAX = 300;

  @FuzzTest(maxDuration = "30s")
  void read(FuzzedDataProvider data) {
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrameCodec(MAX));
    List<ByteBuf> reads = new ArrayList<>();
    try {
      while (data.remainingBytes() > 0) {
        byte[] chunk = data.consumeBytes(data.consumeInt(1, 2 * MAX));
        ByteBuf read = Unpooled.wrappedBuffer(chunk);
        reads.add(read);
        try {
          channel.writeInbound(read);
        } catch (CorruptedWebSocketFrameException | TooLongFrameException e) {
          // the codec's answers to a broken frame or a message over the maximum
        }
        for (Object in; (in = channel.readInbound()) != null; ) {
          try {
            assertThat(in).isInstanceOfAny(BinaryWebSocketFrame.class, TextWebSocketFrame.class);
            assertThat(((WebSocketFrame) in).content().readableBytes()).isLessThanOrEqualTo(MAX);
          } finally {
            ReferenceCountUtil.release(in);
          }
        }
        for (Object out; (out = channel.readOutbound()) != null; ) {
          ReferenceCountUtil.release(out);
        }
      }
    } finally {
      try {
        channel.finishAndReleaseAll();
      } catch (CorruptedWebSocketFrameException | TooLongFrameException e) {
        // raised again by the channel's end
      }
    }
    for (ByteBuf read : reads) {
      assertThat(read.refCnt()).as("a read buffer left unreleased").isZero();
    }
  }
}
