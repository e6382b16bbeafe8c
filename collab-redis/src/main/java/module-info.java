/** Server clusters over Redis pub/sub (Lettuce). */
// lettuce-core has no module-info, only a stable Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module ai.candlefish.collab.redis {
  requires static org.jspecify;
  requires transitive ai.candlefish.collab.core;
  requires lettuce.core;
  requires io.netty.common;
  requires io.netty.transport;
  requires org.slf4j;

  exports ai.candlefish.collab.redis;
}
