package ai.candlefish.collab.server.internal;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * A protocol's decoder: one whole WebSocket message of the client's (binary or text, fragments joined) to the
 * {@link ClientMessage} it says. The session handler calls it for each message the frame codec or a bridge passes on;
 * it is not a pipeline handler of its own, whose context would cost ~70 bytes for each of a server's 10,000s of
 * connections, most of them idle.
 *
 * <p>One instance per connection (a protocol may count, as Hocuspocus's ack ids); event loop only.
 */
public interface MessageDecoder {
  /**
   * The message {@code frame} says, or null if it says nothing the server acts on (a Hocuspocus pong, a y-websocket
   * auth message). The whole frame is checked before anything is returned. Does not release {@code frame}.
   *
   * @throws ProtocolException if the frame is malformed (1002), text, or of an unknown kind (1003)
   */
  @Nullable ClientMessage decode(WebSocketFrame frame);
}
