/**
 * collab/1, Candlefish Collab's own protocol ({@code src/main/proto/collab/v1/collab.proto}): protobuf frames, one
 * per binary WebSocket message, many documents per connection, and acknowledgements of updates once they are
 * stored. A client asks for it with the WebSocket subprotocol {@code collab.v1} on any path under the prefix.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.codec.collab;
