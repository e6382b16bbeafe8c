package ai.candlefish.collab.server.codec.hocuspocus;

import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.server.internal.SessionPolicy;
import ai.candlefish.collab.server.internal.WireProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Hocuspocus 4.x: chosen for upgrades to the path prefix itself (the provider's {@code url} names no document;
 * y-websocket always puts one in the path). Many documents share the socket, each opened by its own token message.
 * Stateless singleton.
 */
public final class HocuspocusProtocol implements WireProtocol {
  /** The only instance. */
  public static final HocuspocusProtocol INSTANCE = new HocuspocusProtocol();

  /** Message type: a y-protocols sync message follows. */
  static final int MESSAGE_SYNC = 0;
  /** Message type: a length-prefixed y-protocols awareness update follows. */
  static final int MESSAGE_AWARENESS = 1;
  /** Message type: an auth sub-message follows ({@code AUTH_*}). */
  static final int MESSAGE_AUTH = 2;
  /** Message type: "send me every awareness state"; no body. */
  static final int MESSAGE_QUERY_AWARENESS = 3;
  /** Message type: a sync message that must not be answered with another step 1 (server to server). */
  static final int MESSAGE_SYNC_REPLY = 4;
  /** Message type: an application string for the other side. */
  static final int MESSAGE_STATELESS = 5;
  /** Message type: Hocuspocus's server-internal fan-out of a stateless message; a client may not send it. */
  static final int MESSAGE_BROADCAST_STATELESS = 6;
  /** Message type: close this document (client: "I leave"; server: "you are out", with a reason). */
  static final int MESSAGE_CLOSE = 7;
  /** Message type: varUint 1 (the update was applied) or 0 (it was not), answering a client's step 2 or update. */
  static final int MESSAGE_SYNC_STATUS = 8;
  /** Server to client: an application-level ping, the frame {@code [9]} alone (no document name). */
  static final int MESSAGE_PING = 9;
  /** Client to server: the answer to a ping, the frame {@code [10]} alone (no document name). */
  static final int MESSAGE_PONG = 10;

  /** Auth sub-message: a token (client to server: varString token, then optionally the provider's version). */
  static final int AUTH_TOKEN = 0;
  /** Auth sub-message: the token was refused, with a reason. */
  static final int AUTH_PERMISSION_DENIED = 1;
  /** Auth sub-message: the token was accepted, with the scope. */
  static final int AUTH_AUTHENTICATED = 2;
  /** Scope of an accepted token that may only read. */
  static final String SCOPE_READ_ONLY = "readonly";
  /** Scope of an accepted token that may edit. */
  static final String SCOPE_READ_WRITE = "read-write";

  private HocuspocusProtocol() {}

  @Override
  public String name() {
    return "hocuspocus";
  }

  @Override
  public boolean accepts(String relativePath, HttpHeaders headers) {
    return relativePath.isEmpty();
  }

  @Override
  public MessageDecoder decoder(String relativePath) {
    return new HocuspocusDecoder();
  }

  @Override
  public void installEncoder(ChannelPipeline pipeline, String before) {
    pipeline.addBefore(before, "hocuspocus-encoder", HocuspocusEncoder.INSTANCE);
  }

  @Override
  public ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom) {
    return HocuspocusEncoder.encode(alloc, message, headroom);
  }

  @Override
  public SessionPolicy sessionPolicy() {
    return SessionPolicy.HOCUSPOCUS;
  }

  @Override
  public String toString() {
    return name();
  }
}
