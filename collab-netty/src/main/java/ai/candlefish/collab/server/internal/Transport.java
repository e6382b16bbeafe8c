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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.function.Supplier;

/**
 * The event-loop transport a server runs on: the platform's native one when the host has added it, NIO otherwise.
 * On Linux io_uring comes first (its loop hands a turn's socket reads and writes to the kernel in one system call,
 * where epoll makes one per write, and a relayed update is one write per receiver; see benchmarks/RESULTS.md), then
 * epoll; kqueue on macOS and the BSDs. The natives are optional dependencies: {@code netty-transport-native-io_uring},
 * {@code -epoll} or {@code -kqueue} with the platform's classifier. A native that is present but cannot start (an old
 * kernel, io_uring refused by a container's seccomp profile) is passed over.
 *
 * @param name what the start-up log line says: {@code io_uring}, {@code epoll}, {@code kqueue} or {@code nio}
 */
public record Transport(String name, Supplier<IoHandlerFactory> ioHandlers,
    Class<? extends ServerChannel> serverChannel) {

  /** The best transport available here. */
  public static Transport best() {
    if (IoUring.isAvailable()) {
      return new Transport("io_uring", IoUringIoHandler::newFactory, IoUringServerSocketChannel.class);
    }
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class);
    }
    if (KQueue.isAvailable()) {
      return new Transport("kqueue", KQueueIoHandler::newFactory, KQueueServerSocketChannel.class);
    }
    return new Transport("nio", NioIoHandler::newFactory, NioServerSocketChannel.class);
  }
}
