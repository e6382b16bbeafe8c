/** The Java client of a Candlefish Collab server over collab/1. */
module ai.candlefish.collab.client {
  requires static org.jspecify;
  requires transitive ai.candlefish.collab.core;
  requires ai.candlefish.collab.protocol;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires transitive io.netty.transport; // CollabClient.Builder takes an EventLoopGroup
  requires org.slf4j;

  exports ai.candlefish.collab.client;
}
