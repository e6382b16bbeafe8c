package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.candlefish.collab.spi.Authenticator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connect storm at a server that is not accepting: as after a restart or a network cut, when every client
 * reconnects within seconds while the server is busy. The kernel must hold all of them in the listening socket's
 * accept queue until the server takes them; a connect the queue has no room for is dropped, and its client waits for
 * the kernel's SYN retries (1, 3, 7, 15 s...). With a backlog of 1024, 2,000 clients reconnecting after a kill -9
 * took 49 s to sync again (RESULTS.md, "Reconnect storm").
 */
class AcceptBacklogTest {
  /** More than the old backlog of 1024, fewer than the kernel's default net.core.somaxconn (4096). */
  private static final int STORM = 1500;

  @Test
  void connectStorm_whileTheServerIsNotAccepting_waitsInTheAcceptQueue_andIsServedAfter() throws Exception {
    assumeTrue(NetUtil.SOMAXCONN >= STORM, "net.core.somaxconn is " + NetUtil.SOMAXCONN + ", below " + STORM);
    EventLoopGroup loop = CollabServer.newEventLoops(1);
    CollabServer server = CollabServer.newBuilder().port(0).host("127.0.0.1").eventLoops(loop)
        .authenticator(Authenticator.insecureAllowAll("storm")).connectionLimits(100_000, 100_000)
        .upgradeTimeout(Duration.ofMinutes(2)).build().start(); // the storm sends no upgrade request
    List<SocketChannel> storm = new ArrayList<>();
    CountDownLatch busy = new CountDownLatch(1);
    try {
      // The server's only loop, which accepts, is busy (as a cold server in a storm is) until the latch opens.
      loop.execute(() -> {
        try {
          busy.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
      for (int i = 0; i < STORM; i++) {
        SocketChannel channel = SocketChannel.open();
        storm.add(channel);
        channel.configureBlocking(false);
        channel.connect(address);
      }
      // The kernel completes a connect that the accept queue has room for at once; one it has no room for stays
      // unanswered while the server does not accept (every SYN retry finds the queue full again).
      await("every connect completed by the kernel while the server is busy").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50)).until(() -> completed(storm) == STORM);
      busy.countDown();
      // Then the server takes them all (a connection it took and closed would read -1).
      await("the server accepted them all").atMost(Duration.ofSeconds(60))
          .until(() -> server.connectionCount() == STORM);
      assertThat(completed(storm)).isEqualTo(STORM);
    } finally {
      busy.countDown();
      for (SocketChannel channel : storm) {
        channel.close();
      }
      server.close();
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }
  }

  private static int completed(List<SocketChannel> channels) throws IOException {
    int n = 0;
    for (SocketChannel channel : channels) {
      if (channel.isConnected() || channel.finishConnect()) {
        n++;
      }
    }
    return n;
  }
}
