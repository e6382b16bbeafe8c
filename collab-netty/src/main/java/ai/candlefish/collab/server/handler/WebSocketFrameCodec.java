package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.internal.CloseReasons;
import ai.candlefish.collab.server.internal.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server's side of an upgraded WebSocket (RFC 6455) in one handler: it parses the client's frames, answers pings,
 * joins fragments into whole messages (passed on as one {@link BinaryWebSocketFrame} or {@link TextWebSocketFrame}
 * each), runs the close handshake, and writes the server's frames. It takes the place of the five handlers that
 * Netty's handshake leaves behind (frame decoder and encoder, protocol handler, its handshaker, message aggregator):
 * a server holds 10,000s of idle connections, and each of those cost a handler context and state (~0.5 KiB a
 * connection in all). Netty still does the handshake; {@link SessionHandler} swaps this handler in when it completes.
 *
 * <p>Inbound, every frame is checked before its payload is waited for, in the order and with the close codes of
 * Netty's {@code WebSocket08FrameDecoder} (configured as the server configured it: masked frames expected, no
 * extensions, close on a violation): reserved bits or an unmasked frame, a reserved opcode, a fragmented or longer
 * than 125 bytes control frame, a continuation outside a message or a new message inside one, a length not in its
 * shortest encoding, and a close frame with a one-byte body, an invalid status code or a reason that is not UTF-8
 * close with 1002 (1007 for the last two); a frame longer than the maximum closes with 1009 at once. Each closes
 * with our close frame and a {@link CorruptedWebSocketFrameException} down the pipeline; the rest of the input is
 * dropped. A message whose fragments add up to more than the maximum message size raises a
 * {@link TooLongFrameException} (the session closes with 1009) and its remaining fragments are dropped. Pings are
 * answered with a pong of the same payload, unless a pong is still unsent (then not at all); pongs dropped; control
 * frames may come between fragments.
 *
 * <p>Outbound, {@link ByteBuf}s are whole frames already ({@code BinaryFrames}) and pass as they are; a
 * {@link WebSocketFrame} is written as one final unmasked frame. After our close frame nothing more is written
 * (the write fails with {@link ClosedChannelException}). The client's close frame is answered with the same code
 * and reason and the socket closed once that is written, or at once if ours was sent before. Closing the channel
 * sends a close frame (1000) first if none was sent, and closes when our close frame is written, or
 * {@link CollabBridge#CLOSE_TIMEOUT_MILLIS} after it was written if it cannot be (a client that reads
 * nothing), as Netty's protocol handler did.
 *
 * <p>One instance per channel; event loop only.
 */
final class WebSocketFrameCodec extends ChannelDuplexHandler {
  static final String NAME = Connection.FRAME_CODEC;

  private static final int OPCODE_CONTINUATION = 0x0;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;
  private static final int OPCODE_CLOSE = 0x8;
  private static final int OPCODE_PING = 0x9;
  private static final int OPCODE_PONG = 0xA;
  private static final int FIN = 0x80;
  private static final int MASKED = 0x80;
  private static final int MAX_CONTROL_PAYLOAD = 125;
  /** The largest payload copied behind its frame's header (as Netty's frame encoder, which writes larger ones apart). */
  private static final int COPY_LIMIT = 1024;

  private final int maxMessageSize;
  /** Bytes read but not yet a whole frame; null while there are none (as between messages of an idle client). */
  private ByteBuf cumulation;
  /**
   * The fragments of the message being received, joined; null outside a fragmented message, and inside one (its
   * opcode set) once it was too big: its remaining fragments are dropped.
   */
  private ByteBuf message;
  /**
   * The opcode of the fragmented message being received (text or binary), or 0 outside one. A byte, and no flag for
   * dropping a message (see {@link #message}): with the guard's reference too, the codec fits in 40 bytes (one per
   * connection).
   */
  private byte messageOpcode;
  /** The client sent its close frame or broke the protocol: what it sends now is dropped. */
  private boolean inputDone;
  /** Whether anything was passed on since the last read completed (if not, and reading is manual, read more). */
  private boolean passedOn;
  /**
   * A pong is written and not sent yet: pings meanwhile are not answered at once but by one pong for the latest of
   * them once it is sent (RFC 6455 5.5.3), so a client that pings and never reads piles up nothing.
   */
  private boolean pongUnsent;
  /** The payload of the latest ping that came while {@link #pongUnsent} (at most 125 bytes), or null. */
  private byte[] pingUnanswered;
  /** The write of our close frame, or null before it. */
  private ChannelFuture closeSent;
  /** The connection's guard once this codec took over from it ({@link #takeOver}), or null. */
  private ConnectionGuard guard;

  /**
   * @param maxMessageSize the longest frame and the longest message (its fragments joined) the client may send
   */
  WebSocketFrameCodec(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Takes over from {@code guard}, whose place in the pipeline, right before this codec's ({@code ctx}), is removed
   * by the caller: from now on this codec tells it of reads and of the channel's end.
   */
  void takeOver(ConnectionGuard guard, ChannelHandlerContext ctx) {
    this.guard = guard;
    guard.movedTo(ctx);
  }

  // ------------------------------------------------------------------------------------------------------ inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (guard != null) {
      guard.read();
    }
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (inputDone) {
      in.release();
      return;
    }
    cumulation = cumulation == null ? in
        : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
    try {
      while (!inputDone && ctx.channel().isActive() && decodeFrame(ctx, cumulation)) {
        // one frame a turn
      }
    } finally {
      if (cumulation != null && (!cumulation.isReadable() || inputDone)) {
        cumulation.release();
        cumulation = null;
      } else if (cumulation != null && cumulation.refCnt() == 1) {
        // Not while a message passed on shares its memory.
        cumulation.discardSomeReadBytes();
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (guard != null) {
      guard.readComplete();
    }
    if (!passedOn && !ctx.channel().config().isAutoRead()) {
      // Nothing reached the handlers after this one (a part of a frame, a control frame): they will not ask for
      // more, so ask here, as Netty's decoders do.
      ctx.read();
    }
    passedOn = false;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseInput();
  }

  /** The channel moves to another event loop ({@link SessionHandler}): the guard leaves this loop's sweep. */
  @Override
  public void channelUnregistered(ChannelHandlerContext ctx) {
    if (guard != null) {
      guard.leaveSweep();
    }
    ctx.fireChannelUnregistered();
  }

  /** Registered with another loop after a move: the guard joins that loop's sweep. */
  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    if (guard != null) {
      guard.joinSweep(ctx.channel());
    }
    ctx.fireChannelRegistered();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseInput();
    if (guard != null) {
      guard.inactive();
    }
    ctx.fireChannelInactive();
  }

  private void releaseInput() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    if (message != null) {
      message.release();
      message = null;
    }
  }

  /**
   * Decodes the frame at the start of {@code in} if it is all there (checking its header as soon as it is);
   * returns whether it did.
   */
  private boolean decodeFrame(ChannelHandlerContext ctx, ByteBuf in) {
    int readable = in.readableBytes();
    if (readable < 2) {
      return false;
    }
    int start = in.readerIndex();
    int first = in.getUnsignedByte(start);
    int second = in.getUnsignedByte(start + 1);
    boolean fin = (first & FIN) != 0;
    int opcode = first & 0x0F;
    int length1 = second & 0x7F;
    String violation = headerViolation(first, second, fin, opcode, length1);
    if (violation != null) {
      return protocolViolation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, violation);
    }
    int lengthBytes = length1 == 126 ? 2 : length1 == 127 ? 8 : 0;
    if (readable < 2 + lengthBytes) {
      return false;
    }
    long length;
    if (length1 == 126) {
      length = in.getUnsignedShort(start + 2);
      if (length < 126) {
        return protocolViolation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR,
            "invalid data frame length (not using minimal length encoding)");
      }
    } else if (length1 == 127) {
      length = in.getLong(start + 2);
      if (length < 65536) { // a negative length too
        return protocolViolation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR,
            "invalid data frame length (not using minimal length encoding)");
      }
    } else {
      length = length1;
    }
    if (length > maxMessageSize) {
      return protocolViolation(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, CollabBridge.tooBigReason(maxMessageSize));
    }
    int headerLength = 2 + lengthBytes + 4;
    if (readable < headerLength + length) {
      return false;
    }
    int mask = in.getInt(start + 2 + lengthBytes);
    in.skipBytes(headerLength);
    int payloadStart = in.readerIndex();
    unmask(in, payloadStart, (int) length, mask);
    if (opcode >= OPCODE_CLOSE) {
      ByteBuf payload = in.readSlice((int) length);
      return controlFrame(ctx, opcode, payload);
    }
    dataFrame(ctx, fin, opcode, in, (int) length);
    return true;
  }

  /** What is wrong with a frame's first two bytes, or null. */
  private String headerViolation(int first, int second, boolean fin, int opcode, int length1) {
    int rsv = (first & 0x70) >> 4;
    if (rsv != 0) {
      return "RSV != 0 and no extension negotiated, RSV:" + rsv;
    }
    if ((second & MASKED) == 0) {
      return "received a frame that is not masked as expected";
    }
    if (opcode > 7) {
      if (!fin) {
        return "fragmented control frame";
      }
      if (length1 > MAX_CONTROL_PAYLOAD) {
        return "control frame with payload length > 125 octets";
      }
      if (opcode != OPCODE_CLOSE && opcode != OPCODE_PING && opcode != OPCODE_PONG) {
        return "control frame using reserved opcode " + opcode;
      }
      if (opcode == OPCODE_CLOSE && length1 == 1) {
        return "received close control frame with payload len 1";
      }
      return null;
    }
    if (opcode != OPCODE_CONTINUATION && opcode != OPCODE_TEXT && opcode != OPCODE_BINARY) {
      return "data frame using reserved opcode " + opcode;
    }
    if (messageOpcode == 0 && opcode == OPCODE_CONTINUATION) {
      return "received continuation data frame outside fragmented message";
    }
    if (messageOpcode != 0 && opcode != OPCODE_CONTINUATION) {
      return "received non-continuation data frame while inside fragmented message";
    }
    return null;
  }

  /**
   * XORs the payload with the mask in place, eight bytes at a time through one NIO view of the buffer's memory: the
   * buffer's own accessors check its reference count on every call (and, under paranoid leak detection, record a
   * stack trace each: thousands per frame).
   */
  private static void unmask(ByteBuf buf, int from, int length, int mask) {
    if (buf.nioBufferCount() != 1) { // a composite buffer's view would be a copy
      for (int i = 0; i < length; i++) {
        buf.setByte(from + i, buf.getByte(from + i) ^ (mask >>> (24 - 8 * (i & 3))));
      }
      return;
    }
    ByteBuffer payload = buf.nioBuffer(from, length); // big-endian: the mask's first byte is the long's first
    long mask8 = ((long) mask << 32) | (mask & 0xFFFFFFFFL);
    int i = 0;
    for (; i + 7 < length; i += 8) {
      payload.putLong(i, payload.getLong(i) ^ mask8);
    }
    for (; i < length; i++) {
      payload.put(i, (byte) (payload.get(i) ^ (mask >>> (24 - 8 * (i & 3)))));
    }
  }

  private void answerPing(ChannelHandlerContext ctx, ByteBuf payload) {
    if (pongUnsent) {
      pingUnanswered = ByteBufUtil.getBytes(payload);
      return;
    }
    pongUnsent = true;
    ctx.writeAndFlush(encode(ctx, OPCODE_PONG, payload)).addListener((ChannelFutureListener) sent -> {
      pongUnsent = false;
      byte[] latest = pingUnanswered;
      pingUnanswered = null;
      if (latest != null && sent.isSuccess() && closeSent == null) {
        answerPing(ctx, Unpooled.wrappedBuffer(latest));
      }
    });
  }

  private boolean controlFrame(ChannelHandlerContext ctx, int opcode, ByteBuf payload) {
    if (opcode == OPCODE_PING) {
      if (closeSent == null) {
        answerPing(ctx, payload);
      }
      return true;
    }
    if (opcode == OPCODE_PONG) {
      return true;
    }
    if (payload.isReadable()) {
      int code = payload.getUnsignedShort(payload.readerIndex());
      if (!WebSocketCloseStatus.isValidStatusCode(code)) {
        return protocolViolation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR,
            "Invalid close frame getStatus code: " + code);
      }
      if (!ByteBufUtil.isText(payload, payload.readerIndex() + 2, payload.readableBytes() - 2,
          StandardCharsets.UTF_8)) {
        return protocolViolation(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
      }
    }
    inputDone = true;
    if (closeSent != null) {
      // The client's answer to our close frame: the handshake is done.
      ctx.close();
    } else {
      // The client closes: the same code and reason back, then the socket.
      sendClose(ctx, encode(ctx, OPCODE_CLOSE, payload)).addListener(ChannelFutureListener.CLOSE);
    }
    return false;
  }

  private void dataFrame(ChannelHandlerContext ctx, boolean fin, int opcode, ByteBuf in, int length) {
    if (opcode != OPCODE_CONTINUATION) {
      if (fin) {
        // A copy, not a slice: a message the session keeps for a while (queued behind a rate limit) would pin the
        // whole receive buffer it came in, as many of them as it keeps.
        pass(ctx, opcode, in.readBytes(length));
        return;
      }
      messageOpcode = (byte) opcode;
      message = ctx.alloc().buffer(length);
    }
    if (message == null) {
      in.skipBytes(length); // the rest of a message that was too big
    } else if (message.readableBytes() + (long) length > maxMessageSize) {
      in.skipBytes(length);
      message.release();
      message = null;
      ctx.fireExceptionCaught(new TooLongFrameException("WebSocket message over " + maxMessageSize + " bytes"));
    } else {
      message.writeBytes(in, length);
    }
    if (fin) {
      int whole = messageOpcode;
      ByteBuf joined = message;
      messageOpcode = 0;
      message = null;
      if (joined != null) {
        pass(ctx, whole, joined);
      }
    }
  }

  private void pass(ChannelHandlerContext ctx, int opcode, ByteBuf payload) {
    passedOn = true;
    ctx.fireChannelRead(opcode == OPCODE_BINARY ? new BinaryWebSocketFrame(payload) : new TextWebSocketFrame(payload));
  }

  /**
   * Answers a broken frame as Netty's decoder does: our close frame with {@code status} and {@code reason} (unless
   * the client's close frame came before), the socket closed once it is written, the rest of the input dropped, and
   * a {@link CorruptedWebSocketFrameException} down the pipeline. Returns false (no more frames).
   */
  private boolean protocolViolation(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    boolean afterClientClose = inputDone;
    inputDone = true;
    if (ctx.channel().isActive()) {
      if (afterClientClose || closeSent != null) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        sendClose(ctx, closeFrame(ctx, status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
      }
    }
    ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(status, reason));
    return false;
  }

  // ----------------------------------------------------------------------------------------------------- outbound

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (closeSent != null) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new ClosedChannelException());
    } else if (msg instanceof CloseWebSocketFrame close) {
      // A reason over 123 bytes would make a control frame longer than RFC 6455 allows: cut, not sent as it is.
      ByteBuf frame = close.content().readableBytes() <= 2 + CloseReasons.MAX_BYTES
          ? encode(ctx, OPCODE_CLOSE, close.content()) : closeFrame(ctx, close.statusCode(), close.reasonText());
      close.release();
      writeClose(ctx, frame, promise.unvoid());
    } else if (msg instanceof WebSocketFrame frame) {
      ByteBuf encoded = encode(ctx, opcodeOf(frame), frame.content());
      frame.release();
      ctx.write(encoded, promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    if (closeSent == null) {
      sendClose(ctx, closeFrame(ctx, WebSocketCloseStatus.NORMAL_CLOSURE.code(),
          WebSocketCloseStatus.NORMAL_CLOSURE.reasonText()));
    } else {
      ctx.flush();
    }
    // Done when our close frame is written, or has waited too long (see writeClose).
    closeSent.addListener(f -> ctx.close(promise));
  }

  /** Writes and flushes our close frame {@code frame}; the future of its write (see {@link #writeClose}). */
  private ChannelFuture sendClose(ChannelHandlerContext ctx, ByteBuf frame) {
    ChannelFuture sent = writeClose(ctx, frame, ctx.newPromise());
    ctx.flush();
    return sent;
  }

  /**
   * Writes our close frame {@code frame} with {@code promise}, which fails if the frame is not written within
   * {@link CollabBridge#CLOSE_TIMEOUT_MILLIS} (a client that reads nothing), as Netty's protocol handler
   * did: what waits for it (closing the channel) then waits no longer, and the timeout counts from the close frame,
   * not again from each close.
   */
  private ChannelFuture writeClose(ChannelHandlerContext ctx, ByteBuf frame, ChannelPromise promise) {
    closeSent = promise;
    // The frame's write has a promise of its own: when the timeout fails `promise`, the frame is still queued, and
    // closing the channel fails the queued write's promise; were that `promise`, which failed already, Netty would
    // log a warning with a stack trace for every client dropped this way.
    ctx.write(frame).addListener(written -> {
      if (written.isSuccess()) {
        promise.trySuccess();
      } else {
        promise.tryFailure(written.cause());
      }
    });
    if (!promise.isDone()) {
      ScheduledFuture<?> timeout = ctx.executor().schedule(
          () -> promise.tryFailure(new WebSocketHandshakeException("send close frame timed out")),
          CollabBridge.CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      promise.addListener(f -> timeout.cancel(false));
    }
    return promise;
  }

  private static int opcodeOf(WebSocketFrame frame) {
    if (frame instanceof BinaryWebSocketFrame) {
      return OPCODE_BINARY;
    } else if (frame instanceof TextWebSocketFrame) {
      return OPCODE_TEXT;
    } else if (frame instanceof PingWebSocketFrame) {
      return OPCODE_PING;
    } else if (frame instanceof PongWebSocketFrame) {
      return OPCODE_PONG;
    } else if (frame instanceof CloseWebSocketFrame) {
      return OPCODE_CLOSE;
    }
    throw new IllegalArgumentException("cannot write a " + frame.getClass().getSimpleName() + " as a whole frame");
  }

  /**
   * One final, unmasked frame of {@code payload} (not consumed). A payload over {@link #COPY_LIMIT} is not copied: the
   * frame is its header and a retained slice of it (a document's state can be megabytes, and a copy would double
   * what a client that reads slowly holds in direct memory).
   */
  private static ByteBuf encode(ChannelHandlerContext ctx, int opcode, ByteBuf payload) {
    int length = payload.readableBytes();
    int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    boolean copy = length <= COPY_LIMIT;
    ByteBuf frame = ctx.alloc().buffer(header + (copy ? length : 0));
    frame.writeByte(FIN | opcode);
    if (length <= 125) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(length);
    } else {
      frame.writeByte(127);
      frame.writeLong(length);
    }
    if (!copy) {
      return ctx.alloc().compositeBuffer(2).addComponents(true, frame, payload.retainedSlice());
    }
    frame.writeBytes(payload, payload.readerIndex(), length);
    return frame;
  }

  /** Our close frame: {@code code} and {@code reason} (at most 123 bytes of UTF-8, as every caller's is). */
  private static ByteBuf closeFrame(ChannelHandlerContext ctx, int code, String fullReason) {
    String reason = CloseReasons.fit(fullReason);
    int length = 2 + ByteBufUtil.utf8Bytes(reason);
    ByteBuf frame = ctx.alloc().buffer(2 + length);
    frame.writeByte(FIN | OPCODE_CLOSE);
    frame.writeByte(length);
    frame.writeShort(code);
    ByteBufUtil.writeUtf8(frame, reason);
    return frame;
  }
}
