package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * One wire protocol the server speaks: it recognises its upgrade requests, and its decoder and encoder turn frames
 * into {@link ClientMessage}s and {@link ServerMessage}s into frames. Everything after that is shared.
 *
 * <p>Implementations are stateless singletons.
 */
public interface WireProtocol {
  /** The protocol's name, for {@link ai.candlefish.collab.spi.ConnectionInfo#protocol()} and logs. */
  String name();

  /**
   * Whether an upgrade request is for this protocol.
   *
   * @param relativePath the decoded request path after the server's path prefix and its slash (may be empty)
   * @param headers the upgrade request's headers
   */
  boolean accepts(String relativePath, HttpHeaders headers);

  /**
   * The decoder of one connection's messages, which the session handler calls (not a pipeline handler: see
   * {@link MessageDecoder}).
   *
   * @param relativePath the upgrade's path after the server's prefix (y-websocket's document)
   */
  MessageDecoder decoder(String relativePath);

  /**
   * Adds this protocol's encoder to {@code pipeline} just before handler {@code before} (the session handler), once
   * the WebSocket handshake is complete: only on a connection that writes messages rather than whole frames (a
   * bridged one; see {@link Connection#writesFrames}).
   */
  void installEncoder(ChannelPipeline pipeline, String before);

  /**
   * {@code message} as the payload of one binary WebSocket message, the bytes the protocol's encoder writes, in a
   * buffer from {@code alloc} of exactly its size with {@code headroom} free bytes before it (its reader index) for
   * a frame header: a message for many connections is encoded once ({@link SharedFrames}).
   *
   * @throws IllegalArgumentException if the protocol has no way to say it ({@link #canSend} is false)
   */
  ByteBuf encode(ByteBufAllocator alloc, ServerMessage message, int headroom);

  /** What the protocol's sessions do differently (one document or many, how they authenticate, their quirks). */
  SessionPolicy sessionPolicy();

  /** Whether the protocol has a way to say {@code message}; the connection drops those it has not. */
  default boolean canSend(ServerMessage message) {
    return true;
  }

  /**
   * What the client implicitly asks by connecting (a single-document protocol opens its document). Default:
   * nothing, every document is opened by a message.
   */
  default List<ClientMessage> onConnect(String relativePath) {
    return List.of();
  }
}
