package ai.candlefish.collab.server.codec.collab;

import ai.candlefish.collab.protocol.CollabV1Frames;
import ai.candlefish.collab.protocol.v1.Ack;
import ai.candlefish.collab.protocol.v1.Custom;
import ai.candlefish.collab.protocol.v1.Opened;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.StoreStatus;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.SyncStep2;
import ai.candlefish.collab.protocol.v1.Welcome;
import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.sync.SyncMessage;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@link ServerMessage}s to binary WebSocket messages of collab/1 (one {@link ServerFrame} each), each allocated at
 * its exact size. Payloads are wrapped, not copied: messages are immutable (one relayed update goes to many
 * connections). Stateless and shared.
 */
@ChannelHandler.Sharable
final class CollabV1Encoder extends MessageToMessageEncoder<ServerMessage> {
  static final CollabV1Encoder INSTANCE = new CollabV1Encoder();

  private CollabV1Encoder() {
    super(ServerMessage.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ServerMessage message, List<Object> out) {
    out.add(CollabV1Frames.binaryFrame(ctx.alloc(), toFrame(message)));
  }

  /**
   * {@code message} as a collab/1 message in a buffer from {@code alloc} of exactly its size plus {@code headroom}
   * free bytes before it (its reader index).
   */
  static ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    ServerFrame frame = toFrame(message);
    int size = frame.getSerializedSize();
    ByteBuf buf = Lib0Buf.allocate(alloc, headroom, size);
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(buf.nioBuffer(headroom, size));
      frame.writeTo(coded);
      coded.checkNoSpaceLeft();
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    return buf.writerIndex(headroom + size);
  }

  static ServerFrame toFrame(ServerMessage message) {
    ServerFrame.Builder b = ServerFrame.newBuilder();
    if (message instanceof ServerMessage.Sync sync) {
      ByteString payload = UnsafeByteOperations.unsafeWrap(sync.payload());
      switch (sync.type()) {
        case SyncMessage.STEP1 -> b.setSyncStep1(SyncStep1.newBuilder().setDocument(sync.document())
            .setStateVector(payload));
        case SyncMessage.STEP2 -> b.setSyncStep2(SyncStep2.newBuilder().setDocument(sync.document())
            .setUpdate(payload));
        case SyncMessage.UPDATE -> b.setUpdate(ai.candlefish.collab.protocol.v1.Update.newBuilder()
            .setDocument(sync.document()).setUpdate(payload));
        default -> throw new IllegalArgumentException("unknown sync message type " + sync.type());
      }
    } else if (message instanceof ServerMessage.Awareness awareness) {
      b.setAwareness(ai.candlefish.collab.protocol.v1.Awareness.newBuilder().setDocument(awareness.document())
          .setUpdate(UnsafeByteOperations.unsafeWrap(awareness.update())));
    } else if (message instanceof ServerMessage.Authenticated authenticated) {
      if (authenticated.document().isEmpty()) {
        b.setWelcome(Welcome.getDefaultInstance());
      } else {
        b.setOpened(Opened.newBuilder().setDocument(authenticated.document())
            .setReadOnly(authenticated.readOnly()));
      }
    } else if (message instanceof ServerMessage.Ack ack) {
      b.setAck(Ack.newBuilder().setDocument(ack.document()).setAckId(ack.id()));
    } else if (message instanceof ServerMessage.Refused refused) {
      b.setError(ai.candlefish.collab.protocol.v1.Error.newBuilder().setDocument(refused.document())
          .setAckId(refused.ack()).setCode(refused.code()).setMessage(refused.reason()));
    } else if (message instanceof ServerMessage.StoreStatus status) {
      b.setStoreStatus(StoreStatus.newBuilder().setDocument(status.document()).setFailing(status.failing()));
    } else if (message instanceof ServerMessage.Stateless stateless) {
      b.setCustom(Custom.newBuilder().setDocument(stateless.document()).setPayload(stateless.payload()));
    } else {
      throw new IllegalArgumentException("collab/1 cannot say " + message.getClass().getSimpleName());
    }
    return b.build();
  }
}
