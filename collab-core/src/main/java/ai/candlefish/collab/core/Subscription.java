package ai.candlefish.collab.core;

/** A registered listener; {@link #close()} removes it. Closing twice does nothing. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Removes the listener. */
  @Override
  void close();
}
