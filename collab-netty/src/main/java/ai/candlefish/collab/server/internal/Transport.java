package ai.candlefish.collab.server.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.function.Supplier;

/**
 * The event-loop transport a server runs on: the platform's native one when the host has added it (native epoll on
 * Linux, x86-64 or aarch64; native kqueue on macOS and the BSDs), NIO otherwise. The natives are optional
 * dependencies: {@code netty-transport-native-epoll} or {@code -kqueue} with the platform's classifier.
 *
 * @param name what the start-up log line says: {@code epoll}, {@code kqueue} or {@code nio}
 */
public record Transport(String name, Supplier<IoHandlerFactory> ioHandlers,
    Class<? extends ServerChannel> serverChannel) {

  /** The best transport available here. */
  public static Transport best() {
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class);
    }
    if (KQueue.isAvailable()) {
      return new Transport("kqueue", KQueueIoHandler::newFactory, KQueueServerSocketChannel.class);
    }
    return new Transport("nio", NioIoHandler::newFactory, NioServerSocketChannel.class);
  }
}
