package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * One wire protocol the server speaks: it recognises its upgrade requests and installs its decoder/encoder pair,
 * which turns frames into {@link ClientMessage}s and {@link ServerMessage}s. Everything after that is shared.
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
   * Adds this protocol's decoder, and its encoder if {@code encoder}, to {@code pipeline} just before handler
   * {@code before} (the session handler), once the WebSocket handshake is complete. A connection that writes whole
   * frames ({@link Connection#writesFrames}) needs no encoder.
   */
  void install(ChannelPipeline pipeline, String before, String relativePath, boolean encoder);

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
