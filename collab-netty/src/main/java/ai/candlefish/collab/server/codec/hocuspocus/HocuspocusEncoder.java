package ai.candlefish.collab.server.codec.hocuspocus;

import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.AUTH_AUTHENTICATED;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.AUTH_PERMISSION_DENIED;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.AUTH_TOKEN;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_AUTH;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_AWARENESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_STATELESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_SYNC;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_SYNC_STATUS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.SCOPE_READ_ONLY;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.SCOPE_READ_WRITE;

import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * {@link ServerMessage}s to binary WebSocket messages of Hocuspocus, each the document name and then the message,
 * allocated at its exact size:
 *
 * <ul>
 *   <li>{@code Sync}, {@code Awareness}, {@code Stateless}: as Hocuspocus's server writes them;
 *   <li>{@code Authenticated}: auth "authenticated" with scope {@code readonly} or {@code read-write};
 *   <li>{@code TokenRequest}: auth "token" without a token, which Hocuspocus's server sends as {@code requestToken()}
 *       and the provider answers by sending its token again (calling its {@code token} function first);
 *   <li>{@code Ack}: sync status 1 (Hocuspocus has no ack ids: the provider counts the statuses);
 *   <li>{@code Refused} of an update (ack id set): sync status 0, what Hocuspocus answers a read-only client's
 *       update with; any other {@code Refused} (a token, a document): auth "permission denied" with the reason;
 *   <li>{@code StoreStatus}: a stateless message (the provider's {@code onStateless}), {@value #STORE_FAILING} or
 *       {@value #STORE_OK}, since Hocuspocus has no message of its own for it.
 * </ul>
 *
 * <p>Stateless and shared.
 */
@ChannelHandler.Sharable
final class HocuspocusEncoder extends MessageToMessageEncoder<ServerMessage> {
  static final HocuspocusEncoder INSTANCE = new HocuspocusEncoder();
  /** The stateless payload that says the document's updates cannot be stored now (sync statuses wait). */
  static final String STORE_FAILING = "{\"type\":\"candlefish.store\",\"failing\":true}";
  /** The stateless payload that says the document's updates are stored again. */
  static final String STORE_OK = "{\"type\":\"candlefish.store\",\"failing\":false}";

  private HocuspocusEncoder() {
    super(ServerMessage.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ServerMessage message, List<Object> out) {
    out.add(new BinaryWebSocketFrame(encode(ctx.alloc(), message, 0)));
  }

  /**
   * {@code message} as a Hocuspocus message in a buffer from {@code alloc} of exactly its size plus
   * {@code headroom} free bytes before it (its reader index).
   */
  static ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    String document = message.document();
    int head = Lib0Buf.varStringSize(document) + 1;
    ByteBuf buf;
    if (message instanceof ServerMessage.Sync sync) {
      byte[] payload = sync.payload();
      buf = Lib0Buf.allocate(alloc, headroom, head + Lib0Buf.varUintSize(sync.type())
          + Lib0Buf.varUintSize(payload.length) + payload.length);
      start(buf, document, MESSAGE_SYNC);
      Lib0Buf.writeVarUint(buf, sync.type());
      Lib0Buf.writeVarUint8Array(buf, payload);
    } else if (message instanceof ServerMessage.Awareness awareness) {
      byte[] update = awareness.update();
      buf = Lib0Buf.allocate(alloc, headroom, head + Lib0Buf.varUintSize(update.length) + update.length);
      start(buf, document, MESSAGE_AWARENESS);
      Lib0Buf.writeVarUint8Array(buf, update);
    } else if (message instanceof ServerMessage.Authenticated authenticated) {
      String scope = authenticated.readOnly() ? SCOPE_READ_ONLY : SCOPE_READ_WRITE;
      buf = Lib0Buf.allocate(alloc, headroom, head + 1 + Lib0Buf.varStringSize(scope));
      start(buf, document, MESSAGE_AUTH);
      buf.writeByte(AUTH_AUTHENTICATED);
      Lib0Buf.writeVarString(buf, scope);
    } else if (message instanceof ServerMessage.TokenRequest) {
      buf = Lib0Buf.allocate(alloc, headroom, head + 1);
      start(buf, document, MESSAGE_AUTH);
      buf.writeByte(AUTH_TOKEN);
    } else if (message instanceof ServerMessage.Ack) {
      buf = syncStatus(alloc, headroom, document, head, true);
    } else if (message instanceof ServerMessage.Refused refused && refused.ack() != 0) {
      buf = syncStatus(alloc, headroom, document, head, false);
    } else if (message instanceof ServerMessage.Refused refused) {
      buf = Lib0Buf.allocate(alloc, headroom, head + 1 + Lib0Buf.varStringSize(refused.reason()));
      start(buf, document, MESSAGE_AUTH);
      buf.writeByte(AUTH_PERMISSION_DENIED);
      Lib0Buf.writeVarString(buf, refused.reason());
    } else if (message instanceof ServerMessage.Stateless stateless) {
      buf = stateless(alloc, headroom, document, head, stateless.payload());
    } else if (message instanceof ServerMessage.StoreStatus status) {
      buf = stateless(alloc, headroom, document, head, status.failing() ? STORE_FAILING : STORE_OK);
    } else {
      throw new IllegalArgumentException("Hocuspocus cannot say " + message.getClass().getSimpleName());
    }
    return buf;
  }

  private static ByteBuf stateless(ByteBufAllocator alloc, int headroom, String document, int head,
      String payload) {
    ByteBuf buf = Lib0Buf.allocate(alloc, headroom, head + Lib0Buf.varStringSize(payload));
    start(buf, document, MESSAGE_STATELESS);
    Lib0Buf.writeVarString(buf, payload);
    return buf;
  }

  private static void start(ByteBuf buf, String document, int type) {
    Lib0Buf.writeVarString(buf, document);
    buf.writeByte(type);
  }

  private static ByteBuf syncStatus(ByteBufAllocator alloc, int headroom, String document, int head,
      boolean applied) {
    ByteBuf buf = Lib0Buf.allocate(alloc, headroom, head + 1);
    start(buf, document, MESSAGE_SYNC_STATUS);
    buf.writeByte(applied ? 1 : 0);
    return buf;
  }
}
