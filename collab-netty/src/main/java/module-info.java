/**
 * The collaboration server on Netty: y-websocket, Hocuspocus and collab/1 clients. Only
 * {@code ai.candlefish.collab.server} is API; codecs, pipeline and internals are not exported.
 */
// micrometer-core has no module-info, only a stable Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module ai.candlefish.collab.netty {
  requires static org.jspecify;
  // For CollabServer.Builder.meterRegistry, used only by hosts that have Micrometer. Not transitive: javac would then
  // want micrometer-core on every consumer's module path.
  requires static micrometer.core;
  // For CollabServer.Builder.observationRegistry, likewise (micrometer-core brings it).
  requires static micrometer.observation;
  requires transitive ai.candlefish.collab.core;
  requires ai.candlefish.collab.protocol;
  requires com.google.protobuf;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires transitive io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.classes.kqueue;
  requires org.slf4j;

  exports ai.candlefish.collab.server;
}
