package ai.candlefish.collab.server.codec.hocuspocus;

import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.AUTH_TOKEN;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_AUTH;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_AWARENESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_BROADCAST_STATELESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_CLOSE;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_PONG;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_QUERY_AWARENESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_STATELESS;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_SYNC;
import static ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol.MESSAGE_SYNC_REPLY;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.codec.Lib0Buf;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.sync.SyncMessage;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * Binary WebSocket messages of Hocuspocus to {@link ClientMessage}s. Every message but the pong starts with the
 * document name (a lib0 varString), then a varUint message type and its body. The whole message is checked before
 * anything is emitted: a malformed one (truncated, a length beyond its end, an unknown sync step or auth
 * sub-message, an empty document name, a session id over {@value #MAX_SESSION_ID_LENGTH} characters) raises a
 * {@link ProtocolException} with close code 1002; a text frame, an unknown message type or a server-internal message,
 * 1003. Bytes after a message are ignored, as Hocuspocus's server ({@code MessageReceiver}, and its
 * {@code ClientConnection} for a token) ignores them. A session-aware provider's address ({@code
 * name\0session}) is passed on as it is: the connection opens document {@code name} for it and answers at the
 * address.
 *
 * <p>Hocuspocus answers every step 2 and update of a client with one "sync status" message and the provider counts
 * them ({@code unsyncedChanges}): each such message gets the next ack id of the connection, which comes back as a
 * {@link ai.candlefish.collab.server.internal.ServerMessage.Ack} (or a refusal) and is encoded as that status.
 *
 * <p>One instance per connection (it counts ack ids).
 */
final class HocuspocusDecoder implements MessageDecoder {
  /** The longest session id of a session-aware address (the provider's are ~11 characters). */
  static final int MAX_SESSION_ID_LENGTH = 64;

  private long nextAck = 1;

  @Override
  public @Nullable ClientMessage decode(WebSocketFrame frame) {
    if (!(frame instanceof BinaryWebSocketFrame)) {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA, "Hocuspocus messages are binary");
    }
    ByteBuf in = frame.content();
    if (in.readableBytes() == 1 && in.getUnsignedByte(in.readerIndex()) == MESSAGE_PONG) {
      return null; // the answer to an application-level ping; the connection's keep-alive uses WebSocket pings
    }
    String document = Lib0Buf.readVarString(in);
    int session = document.indexOf('\0');
    if (document.isEmpty() || session == 0) {
      // a session-aware provider's address is the name, a NUL and its session id: the name may not be empty either
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "malformed message: empty document name");
    }
    if (session > 0 && document.length() - session - 1 > MAX_SESSION_ID_LENGTH) {
      // the address goes into everything the server sends that session: a long one would multiply its traffic
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
          "malformed message: a session id longer than " + MAX_SESSION_ID_LENGTH + " characters");
    }
    long type = Lib0Buf.readVarUint(in);
    if (type == MESSAGE_SYNC || type == MESSAGE_SYNC_REPLY) {
      long step = Lib0Buf.readVarUint(in);
      if (step == SyncMessage.STEP1) {
        return new ClientMessage.Sync(document, SyncMessage.STEP1, Lib0Buf.readVarUint8Array(in));
      } else if (step == SyncMessage.STEP2 || step == SyncMessage.UPDATE) {
        return new ClientMessage.Sync(document, (int) step, Lib0Buf.readVarUint8Array(in), nextAck++);
      } else {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "unknown sync message type " + step);
      }
    } else if (type == MESSAGE_AWARENESS) {
      return new ClientMessage.Awareness(document, Lib0Buf.readVarUint8Array(in));
    } else if (type == MESSAGE_AUTH) {
      return authenticate(document, in);
    } else if (type == MESSAGE_QUERY_AWARENESS) {
      return new ClientMessage.QueryAwareness(document);
    } else if (type == MESSAGE_STATELESS) {
      return new ClientMessage.Stateless(document, Lib0Buf.readVarString(in));
    } else if (type == MESSAGE_CLOSE) {
      return new ClientMessage.Close(document);
    } else if (type == MESSAGE_BROADCAST_STATELESS) {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA,
          "broadcast-stateless is server-internal: clients send stateless messages");
    } else {
      throw new ProtocolException(CloseCodes.UNSUPPORTED_DATA, "unknown message type " + type);
    }
  }

  /** A token message: the token (an empty one means none), then the provider's version, which 4.x sends. */
  private static ClientMessage.Authenticate authenticate(String document, ByteBuf in) {
    long kind = Lib0Buf.readVarUint(in);
    if (kind != AUTH_TOKEN) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "unexpected auth message " + kind
          + " from a client (only tokens are sent to a server)");
    }
    String token = Lib0Buf.readVarString(in);
    // Then the provider's version, which nothing here depends on, and whatever follows it: unread, as Hocuspocus's
    // server reads no further than the version.
    return new ClientMessage.Authenticate(document, token.isEmpty() ? null : token);
  }
}
