/**
 * collab/1: its framing ({@code ai.candlefish.collab.protocol}) and its protobuf messages
 * ({@code ai.candlefish.collab.protocol.v1}, generated from {@code collab/v1/collab.proto}).
 */
// protobuf-java has no module-info, only a stable Automatic-Module-Name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module ai.candlefish.collab.protocol {
  requires static org.jspecify;
  requires transitive com.google.protobuf;
  requires transitive io.netty.buffer;
  requires transitive io.netty.codec.http;

  exports ai.candlefish.collab.protocol;
  exports ai.candlefish.collab.protocol.v1;
}
