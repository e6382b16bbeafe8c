package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.server.codec.collab.CollabV1Protocol;
import ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol;
import ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frames a connection writes past Netty's frame encoder are byte for byte what that encoder makes of the
 * protocol's own message, at every header size; a shared message is encoded once per protocol and released when
 * its last user is done.
 */
class BinaryFramesTest {
  private static final List<WireProtocol> PROTOCOLS = List.of(YWebsocketProtocol.INSTANCE,
      HocuspocusProtocol.INSTANCE, CollabV1Protocol.INSTANCE);
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  @Test
  void framesAreWhatNettysEncoderWrites_atEveryHeaderSize() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    // Payloads around 125 (2-byte header) and 65,535 (4-byte header), and beyond (10-byte header).
    int[] lengths = {0, 1, 100, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 200, 65_520, 65_525, 65_528,
        65_530, 65_535, 65_540, 70_000};
    for (WireProtocol protocol : PROTOCOLS) {
      for (int length : lengths) {
        byte[] update = new byte[length];
        random.nextBytes(update);
        ServerMessage message = ServerMessage.Sync.update("doc-" + length, update);
        ByteBuf frame = BinaryFrames.encode(protocol, ALLOC, message);
        try {
          assertThat(ByteBufUtil.getBytes(frame)).as("%s, update of %d bytes (seed %d)", protocol, length, seed)
              .isEqualTo(nettyFrame(protocol, message));
          ByteBuf payload = protocol.encode(ALLOC, message, 0);
          assertThat(BinaryFrames.payloadLength(frame)).isEqualTo(payload.readableBytes());
          payload.release();
        } finally {
          frame.release();
        }
      }
    }
  }

  @Test
  void encode_aMessageOverThePooledMaximum_getsAnUnpooledBufferOfItsOwn() {
    for (WireProtocol protocol : PROTOCOLS) {
      ServerMessage small = ServerMessage.Sync.update("d", new byte[BinaryFrames.POOLED_MAX - 8]);
      ServerMessage large = ServerMessage.Sync.update("d", new byte[BinaryFrames.POOLED_MAX - 7]);
      long unpooledBefore = UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
      ByteBuf smallFrame = BinaryFrames.encode(protocol, ALLOC, small);
      ByteBuf largeFrame = BinaryFrames.encode(protocol, ALLOC, large);
      try {
        assertThat(smallFrame.alloc()).as("%s", protocol).isSameAs(ALLOC);
        assertThat(largeFrame.alloc()).as("%s", protocol).isSameAs(UnpooledByteBufAllocator.DEFAULT);
        assertThat(largeFrame.isDirect()).isTrue();
        assertThat(ByteBufUtil.getBytes(largeFrame)).isEqualTo(nettyFrame(protocol, large));
      } finally {
        smallFrame.release();
        largeFrame.release();
      }
      assertThat(UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()).isEqualTo(unpooledBefore);
    }
  }

  @Test
  void aSharedMessageIsEncodedOncePerProtocol_andReleasedByItsLastUser() {
    CountingProtocol yWebsocket = new CountingProtocol(YWebsocketProtocol.INSTANCE);
    CountingProtocol hocuspocus = new CountingProtocol(HocuspocusProtocol.INSTANCE);
    SharedFrames shared = new SharedFrames(ServerMessage.Sync.update("plans", new byte[] {1, 2, 3}), 2);
    ByteBuf a = shared.frame(yWebsocket, ALLOC);
    ByteBuf b = shared.frame(yWebsocket, ALLOC);
    ByteBuf c = shared.frame(hocuspocus, ALLOC);
    assertThat(yWebsocket.encoded).hasSize(1);
    assertThat(hocuspocus.encoded).hasSize(1);
    assertThat(ByteBufUtil.getBytes(a)).isEqualTo(ByteBufUtil.getBytes(b))
        .isNotEqualTo(ByteBufUtil.getBytes(c));
    shared.done();
    a.release();
    assertThat(yWebsocket.encoded.get(0).refCnt()).isPositive();
    shared.done();
    assertThat(yWebsocket.encoded.get(0).refCnt()).isPositive(); // b is still being written
    b.release();
    c.release();
    assertThat(yWebsocket.encoded.get(0).refCnt()).isZero();
    assertThat(hocuspocus.encoded.get(0).refCnt()).isZero();
    assertThatThrownBy(() -> shared.frame(yWebsocket, ALLOC)).isInstanceOf(IllegalStateException.class);
  }

  /** A protocol that remembers the buffers it encoded. */
  private static final class CountingProtocol implements WireProtocol {
    final WireProtocol protocol;
    final List<ByteBuf> encoded = new ArrayList<>();

    CountingProtocol(WireProtocol protocol) {
      this.protocol = protocol;
    }

    @Override
    public ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
      ByteBuf buf = protocol.encode(alloc, message, headroom);
      encoded.add(buf);
      return buf;
    }

    @Override
    public String name() {
      return protocol.name();
    }

    @Override
    public boolean accepts(String relativePath, HttpHeaders headers) {
      return protocol.accepts(relativePath, headers);
    }

    @Override
    public MessageDecoder decoder(String relativePath) {
      return protocol.decoder(relativePath);
    }

    @Override
    public void installEncoder(ChannelPipeline pipeline, String before) {
      protocol.installEncoder(pipeline, before);
    }

    @Override
    public SessionPolicy sessionPolicy() {
      return protocol.sessionPolicy();
    }
  }

  /** What Netty's server-side frame encoder writes for the protocol's message. */
  private static byte[] nettyFrame(WireProtocol protocol, ServerMessage message) {
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
    channel.writeOutbound(new BinaryWebSocketFrame(protocol.encode(ALLOC, message, 0)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
      out.writeBytes(ByteBufUtil.getBytes(buf));
      buf.release();
    }
    channel.finishAndReleaseAll();
    return out.toByteArray();
  }
}
