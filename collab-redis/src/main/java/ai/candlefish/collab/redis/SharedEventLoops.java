package ai.candlefish.collab.redis;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gives Lettuce event loops that someone else owns ({@link RedisClusterTransport.Builder#eventLoops}): every
 * connection runs on them, and releasing or shutting down Lettuce's resources leaves them running. Thread-safe.
 */
final class SharedEventLoops implements EventLoopGroupProvider {
  private final EventLoopGroup loops;
  private final int threads;

  SharedEventLoops(EventLoopGroup loops) {
    this.loops = loops;
    int n = 0;
    for (EventExecutor ignored : loops) {
      n++;
    }
    this.threads = n;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends EventLoopGroup> T allocate(Class<T> type) {
    if (!type.isInstance(loops)) {
      throw new IllegalStateException("Lettuce needs event loops of type " + type.getName() + " but eventLoops got a "
          + loops.getClass().getName() + "; give RedisClusterTransport.Builder.eventLoops a group of that type");
    }
    return (T) loops;
  }

  @Override
  public int threadPoolSize() {
    return threads;
  }

  @Override
  public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true); // their owner shuts them down
  }

  @Override
  public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }
}
