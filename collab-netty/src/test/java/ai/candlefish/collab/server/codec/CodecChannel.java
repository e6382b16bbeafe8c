package ai.candlefish.collab.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.server.internal.ServerMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * A protocol's decoder and encoder on an {@link EmbeddedChannel}, with the checks every codec test makes: each frame
 * is released whatever happens, a frame decodes to at most one message, a refused frame emits nothing, and an
 * encoded frame is allocated at its exact size. Run the tests with leak detection set to paranoid.
 *
 * <p>Not thread-safe.
 */
public final class CodecChannel implements AutoCloseable {
  private final EmbeddedChannel channel;

  public CodecChannel(ChannelHandler... handlers) {
    this.channel = new EmbeddedChannel(handlers);
  }

  /**
   * {@code decoder} as the pipeline handler it stood for before the session handler called it (a frame in, its
   * message out, the frame released, a refusal raised as a {@link DecoderException}), so that the codec tests drive
   * a decoder as the server does, through a channel.
   */
  public static ChannelHandler handler(MessageDecoder decoder) {
    return new MessageToMessageDecoder<WebSocketFrame>(WebSocketFrame.class) {
      @Override
      protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        ClientMessage message = decoder.decode(frame);
        if (message != null) {
          out.add(message);
        }
      }
    };
  }

  /** A binary frame of these bytes in a buffer of its own. */
  public static BinaryWebSocketFrame frame(byte[] bytes) {
    // Not wrappedBuffer: for no bytes it returns the shared EMPTY_BUFFER, which cannot be released.
    return new BinaryWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
  }

  /** A binary frame of these bytes (each 0..255). */
  public static BinaryWebSocketFrame frame(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return frame(b);
  }

  /** Decodes {@code frame}; returns its message, or null if it has none. */
  public ClientMessage decode(WebSocketFrame frame) {
    channel.writeInbound(frame);
    assertThat(frame.refCnt()).as("frame released").isZero();
    ClientMessage message = channel.readInbound();
    Object more = channel.readInbound();
    assertThat(more).as("one message per frame").isNull();
    return message;
  }

  /** Decodes a frame that must be refused; returns why. */
  public ProtocolException refused(WebSocketFrame frame) {
    Throwable thrown = catchThrowable(() -> channel.writeInbound(frame));
    assertThat(frame.refCnt()).as("frame released").isZero();
    assertThat(thrown).isInstanceOf(DecoderException.class).hasCauseInstanceOf(ProtocolException.class);
    Object emitted = channel.readInbound();
    assertThat(emitted).as("nothing emitted").isNull();
    return (ProtocolException) thrown.getCause();
  }

  /** Encodes {@code message} into one binary frame; returns its bytes. */
  public byte[] encode(ServerMessage message) {
    assertThat(channel.writeOutbound(message)).isTrue();
    BinaryWebSocketFrame out = channel.readOutbound();
    try {
      assertThat(out.content().capacity()).as("allocated at its exact size").isEqualTo(out.content().readableBytes());
      return ByteBufUtil.getBytes(out.content());
    } finally {
      out.release();
    }
  }

  /** Releases whatever is left in the channel. */
  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
