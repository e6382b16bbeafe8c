/**
 * Server clusters over Redis: {@link ai.candlefish.collab.redis.RedisClusterTransport}.
 */
@NullMarked
package ai.candlefish.collab.redis;

import org.jspecify.annotations.NullMarked;
