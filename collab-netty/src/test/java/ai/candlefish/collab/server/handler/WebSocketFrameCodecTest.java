package ai.candlefish.collab.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.testkit.RawWebSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketFrameCodec} on an {@link EmbeddedChannel} (run with leak detection set to paranoid): frames as a
 * client writes them, byte by byte where it matters; every rule of RFC 6455 that the server's side enforces, with
 * the close code Netty's decoder gave it. Real clients drive it through the server in the other tests
 * (y-websocket and Hocuspocus providers, {@code RawWebSocket}).
 */
class WebSocketFrameCodecTest {
  private static final int MAX = 100_000;
  private static final byte[] MASK = {0x37, (byte) 0xFA, 0x21, 0x3D};
  private final EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrameCodec(MAX));

  @AfterEach
  void releaseEverything() {
    channel.finishAndReleaseAll();
  }

  @Test
  void binaryFrames_ofEveryLengthEncoding_arePassedOnUnmasked() {
    for (int length : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 125, 126, 65_535, 65_536, MAX}) {
      byte[] payload = bytes(length, length);
      channel.writeInbound(Unpooled.wrappedBuffer(frame(0x82, payload)));
      assertThat(readMessage()).as("length %d", length).isEqualTo(payload);
    }
  }

  @Test
  void aFrameInACompositeBufferOfSeveralParts_isUnmaskedWhole() {
    byte[] payload = bytes(1000, 4);
    byte[] frame = frame(0x82, payload);
    ByteBuf parts = Unpooled.wrappedBuffer(Arrays.copyOfRange(frame, 0, 333),
        Arrays.copyOfRange(frame, 333, 777), Arrays.copyOfRange(frame, 777, frame.length));
    assertThat(parts.nioBufferCount()).isGreaterThan(1);
    channel.writeInbound(parts);
    assertThat(readMessage()).isEqualTo(payload);
  }

  @Test
  void frames_splitAcrossReads_orManyInOneRead_arePassedOnWhole() {
    byte[] a = bytes(300, 1);
    byte[] b = bytes(7, 2);
    byte[] both = concat(frame(0x82, a), frame(0x82, b));
    for (byte x : both) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
    }
    assertThat(readMessage()).isEqualTo(a);
    assertThat(readMessage()).isEqualTo(b);
    channel.writeInbound(Unpooled.wrappedBuffer(concat(both, both)));
    assertThat(readMessage()).isEqualTo(a);
    assertThat(readMessage()).isEqualTo(b);
    assertThat(readMessage()).isEqualTo(a);
    assertThat(readMessage()).isEqualTo(b);
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void fragments_areJoined_andAPingBetweenThemIsAnsweredWithItsPayload() {
    byte[] ping = "are you there".getBytes(StandardCharsets.UTF_8);
    channel.writeInbound(Unpooled.wrappedBuffer(concat(frame(0x02, bytes(3, 1)), frame(0x89, ping),
        frame(0x00, bytes(200, 2)), frame(0x8A, new byte[0]), frame(0x80, bytes(1, 3)))));
    assertThat(readMessage()).isEqualTo(concat(bytes(3, 1), bytes(200, 2), bytes(1, 3)));
    assertThat((Object) channel.readInbound()).as("pong dropped").isNull();
    ByteBuf pong = channel.readOutbound();
    try {
      assertThat(ByteBufUtil.getBytes(pong)).isEqualTo(concat(new byte[] {(byte) 0x8A, (byte) ping.length}, ping));
    } finally {
      pong.release();
    }
  }

  @Test
  void pings_whileAPongIsUnsent_areAnsweredOnceItIsSent_byOnePongForTheLatest() {
    List<Object> written = new ArrayList<>();
    List<ChannelPromise> unsent = new ArrayList<>();
    EmbeddedChannel slow = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        written.add(msg); // held, as by a client that does not read, until the test sends it
        unsent.add(promise);
      }
    }, new WebSocketFrameCodec(MAX));
    try {
      for (String ping : new String[] {"1", "2", "3"}) {
        slow.writeInbound(Unpooled.wrappedBuffer(frame(0x89, ping.getBytes(StandardCharsets.UTF_8))));
      }
      assertThat(written).as("one pong waits, for the first ping").hasSize(1);
      unsent.remove(0).setSuccess();
      assertThat(written).as("then one for the latest ping").hasSize(2);
      unsent.remove(0).setSuccess();
      assertThat(written).as("and no more").hasSize(2);
      assertThat(written).map(m -> ByteBufUtil.getBytes((ByteBuf) m)).containsExactly(
          new byte[] {(byte) 0x8A, 1, '1'}, new byte[] {(byte) 0x8A, 1, '3'});
    } finally {
      slow.finishAndReleaseAll(); // its close frame is held too: released below (Netty's LEAK report in every CI log)
      written.forEach(ReferenceCountUtil::release);
    }
  }

  @Test
  void textMessages_arePassedOnAsText_forTheProtocolToRefuse() {
    channel.writeInbound(Unpooled.wrappedBuffer(concat(frame(0x01, bytes(2, 1)), frame(0x80, bytes(2, 2)))));
    TextWebSocketFrame text = channel.readInbound();
    try {
      assertThat(ByteBufUtil.getBytes(text.content())).isEqualTo(concat(bytes(2, 1), bytes(2, 2)));
    } finally {
      text.release();
    }
  }

  @Test
  void brokenFrames_closeWith1002_andDropTheRest() {
    assertViolation(1002, concat(new byte[] {(byte) 0x82, 3, 1, 2, 3}, frame(0x82, bytes(3, 1)))); // unmasked
    assertViolation(1002, frame(0xC2, bytes(3, 1))); // RSV1 without an extension
    assertViolation(1002, frame(0x83, bytes(3, 1))); // reserved data opcode
    assertViolation(1002, frame(0x8B, bytes(3, 1))); // reserved control opcode
    assertViolation(1002, frame(0x80, bytes(3, 1))); // continuation outside a message
    assertViolation(1002, concat(frame(0x02, bytes(3, 1)), frame(0x82, bytes(3, 1)))); // new message inside one
    assertViolation(1002, frame(0x09, bytes(3, 1))); // fragmented ping
    assertViolation(1002, frame(0x89, bytes(126, 1))); // control frame over 125 bytes
    assertViolation(1002, frame(0x88, bytes(1, 1))); // close frame with a 1-byte body
    assertViolation(1002, closeFrame(999, "")); // invalid close code
    assertViolation(1002, closeFrame(1005, "")); // a code that must not be sent
    // Lengths not in their shortest encoding.
    assertViolation(1002, new byte[] {(byte) 0x82, (byte) 0xFE, 0, 125, 1, 2, 3, 4});
    assertViolation(1002, new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF});
    assertViolation(1002, new byte[] {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}); // negative
  }

  @Test
  void closeReason_thatIsNotUtf8_closesWith1007() {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.write(0x03);
    payload.write(0xE8);
    payload.write(0xC3); // a lead byte without its continuation
    assertViolation(1007, frame(0x88, payload.toByteArray()));
  }

  @Test
  void frameOverTheMaximum_closesWith1009_beforeItsPayloadArrives() {
    byte[] header = Unpooled.buffer().writeByte(0x82).writeByte(0xFF).writeLong(MAX + 1L).writeInt(0).array();
    assertViolation(1009, Arrays.copyOf(header, 14));
  }

  @Test
  void fragmentsOverTheMaximum_raiseTooLongFrame_dropTheRestOfTheMessage_andTheNextPasses() {
    channel.writeInbound(Unpooled.wrappedBuffer(concat(frame(0x02, bytes(MAX / 2, 1)),
        frame(0x00, bytes(MAX / 2, 2)))));
    assertThat((Object) channel.readInbound()).isNull();
    Throwable thrown = catchThrowable(() -> channel.writeInbound(Unpooled.wrappedBuffer(frame(0x00, bytes(1, 3)))));
    assertThat(thrown).isInstanceOf(TooLongFrameException.class);
    channel.writeInbound(Unpooled.wrappedBuffer(concat(frame(0x00, bytes(10, 4)), frame(0x80, bytes(10, 5)),
        frame(0x82, bytes(4, 6)))));
    assertThat(readMessage()).isEqualTo(bytes(4, 6));
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.isOpen()).as("the session decides").isTrue();
  }

  @Test
  void clientClose_isAnsweredWithItsCodeAndReason_thenTheSocketCloses() {
    channel.writeInbound(Unpooled.wrappedBuffer(concat(closeFrame(4000, "bye now"), frame(0x82, bytes(3, 1)))));
    assertThat((Object) channel.readInbound()).as("nothing after the close frame").isNull();
    assertThat(readClose()).isEqualTo(closePayload(4000, "bye now"));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void clientClose_withoutBody_isAnsweredWithout() {
    channel.writeInbound(Unpooled.wrappedBuffer(frame(0x88, new byte[0])));
    assertThat(readClose()).isEmpty();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void serverClose_writesTheFrame_dropsLaterWrites_andClosesOnTheClientsAnswer() {
    channel.writeAndFlush(new CloseWebSocketFrame(4401, "unauthorized"));
    assertThat(readClose()).isEqualTo(closePayload(4401, "unauthorized"));
    ChannelFuture late = channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.buffer(1).writeByte(1)));
    assertThat(late.cause()).isInstanceOf(ClosedChannelException.class);
    assertThat(channel.isOpen()).as("waits for the answer").isTrue();
    channel.writeInbound(Unpooled.wrappedBuffer(frame(0x82, bytes(3, 1))));
    ReferenceCountUtil.release(channel.readInbound());
    channel.writeInbound(Unpooled.wrappedBuffer(closeFrame(4401, "")));
    assertThat(channel.isOpen()).isFalse();
    assertThat((Object) channel.readOutbound()).as("no second close frame").isNull();
  }

  /**
   * A close frame whose reason is over 123 bytes goes out with the reason cut between two characters: a control
   * frame's payload is at most 125 bytes (RFC 6455), and the codec wrote a 2-byte length (126) for it.
   */
  @Test
  void serverClose_withAReasonTooLongForAControlFrame_goesOutCutBetweenCharacters() {
    channel.writeAndFlush(new CloseWebSocketFrame(4401, "x".repeat(120) + "\u00e9\u00e9"));
    byte[] frame = readOutbound();
    assertThat(frame[1] & 0xFF).as("a one-byte length").isLessThanOrEqualTo(125);
    assertThat(Arrays.copyOfRange(frame, 2, frame.length)).isEqualTo(closePayload(4401, "x".repeat(120) + "\u00e9"));
  }

  @Test
  void close_sendsNormalClosureFirst() {
    channel.close();
    assertThat(readClose()).isEqualTo(closePayload(1000, "Bye"));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void close_ofAClientThatReadsNothing_waitsForOurCloseFrameOnce_fromWhenItWasWritten() {
    List<Object> stalled = new ArrayList<>();
    EmbeddedChannel reader = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        stalled.add(msg); // never written: the client reads nothing
      }
    }, new WebSocketFrameCodec(MAX));
    try {
      ChannelFuture closeFrame = reader.writeAndFlush(new CloseWebSocketFrame(1013, "too slow"));
      reader.advanceTimeBy(CollabBridge.CLOSE_TIMEOUT_MILLIS - 100, TimeUnit.MILLISECONDS);
      reader.runScheduledPendingTasks();
      // As the session's own timer does, a little before the codec's (through the pipeline: EmbeddedChannel's own
      // close() would cancel the scheduled tasks).
      reader.pipeline().close();
      assertThat(reader.isOpen()).as("waits for the close frame").isTrue();
      reader.advanceTimeBy(200, TimeUnit.MILLISECONDS);
      reader.runScheduledPendingTasks();
      assertThat(closeFrame.cause()).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(reader.isOpen()).as("closed when the first timeout ends, not one timeout after close()").isFalse();
    } finally {
      stalled.forEach(ReferenceCountUtil::release);
      reader.finishAndReleaseAll();
    }
  }

  @Test
  void frames_andWholeFramesWritten_goOutUnmaskedAndWhole() {
    channel.writeAndFlush(new PingWebSocketFrame(Unpooled.buffer(2).writeShort(7)));
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes(300, 1))));
    ByteBuf raw = Unpooled.buffer(3).writeBytes(new byte[] {(byte) 0x82, 1, 9});
    channel.writeAndFlush(raw);
    assertThat(readOutbound()).isEqualTo(new byte[] {(byte) 0x89, 2, 0, 7});
    assertThat(readOutbound()).isEqualTo(concat(new byte[] {(byte) 0x82, 126, 1, 44}, bytes(300, 1)));
    assertThat(readOutbound()).isEqualTo(new byte[] {(byte) 0x82, 1, 9});
  }

  @Test
  void randomFrames_inRandomReads_areDecodedLikeOneAfterAnother() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    int messages = 50;
    for (int m = 0; m < messages; m++) {
      int fragments = 1 + random.nextInt(4);
      for (int f = 0; f < fragments; f++) {
        byte[] payload = bytes(random.nextInt(random.nextBoolean() ? 126 : 3000), random.nextInt());
        expected.writeBytes(payload);
        boolean last = f == fragments - 1;
        wire.writeBytes(frame((last ? 0x80 : 0) | (f == 0 ? 2 : 0), payload));
        if (random.nextInt(3) == 0) {
          wire.writeBytes(frame(0x8A, bytes(random.nextInt(126), 0)));
        }
      }
    }
    byte[] all = wire.toByteArray();
    for (int i = 0; i < all.length; ) {
      int n = Math.min(all.length - i, 1 + random.nextInt(5000));
      channel.writeInbound(Unpooled.wrappedBuffer(all, i, n));
      i += n;
    }
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    for (int m = 0; m < messages; m++) {
      byte[] message = readMessage();
      assertThat(message).as("seed %d, message %d", seed, m).isNotNull();
      got.writeBytes(message);
    }
    assertThat(got.toByteArray()).as("seed %d", seed).isEqualTo(expected.toByteArray());
  }

  // ------------------------------------------------------------------------------------------------------ helpers

  private void assertViolation(int code, byte[] input) {
    EmbeddedChannel ch = new EmbeddedChannel(new WebSocketFrameCodec(MAX));
    try {
      Throwable thrown = catchThrowable(() -> ch.writeInbound(Unpooled.wrappedBuffer(input)));
      assertThat(thrown).isInstanceOf(CorruptedWebSocketFrameException.class);
      assertThat(((CorruptedWebSocketFrameException) thrown).closeStatus().code()).isEqualTo(code);
      assertThat((Object) ch.readInbound()).as("nothing passed on").isNull();
      ByteBuf close = ch.readOutbound();
      try {
        assertThat(close.getUnsignedByte(0)).isEqualTo((short) 0x88);
        assertThat(close.getUnsignedShort(2)).isEqualTo(code);
      } finally {
        close.release();
      }
      assertThat(ch.isOpen()).isFalse();
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  private byte[] readMessage() {
    BinaryWebSocketFrame message = channel.readInbound();
    if (message == null) {
      return null;
    }
    try {
      return ByteBufUtil.getBytes(message.content());
    } finally {
      message.release();
    }
  }

  private byte[] readOutbound() {
    ByteBuf out = channel.readOutbound();
    try {
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  /** The payload of the close frame the codec wrote. */
  private byte[] readClose() {
    byte[] frame = readOutbound();
    assertThat(frame[0] & 0xFF).isEqualTo(0x88);
    return Arrays.copyOfRange(frame, 2, frame.length);
  }

  private static byte[] closePayload(int code, String reason) {
    return concat(new byte[] {(byte) (code >> 8), (byte) code}, reason.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] closeFrame(int code, String reason) {
    return frame(0x88, closePayload(code, reason));
  }

  /** One frame as a client writes it (masked), with {@code finAndOpcode} as its first byte. */
  static byte[] frame(int finAndOpcode, byte[] payload) {
    return RawWebSocket.frame(finAndOpcode, payload, MASK);
  }

  private static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed * 31 + i * 7);
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
