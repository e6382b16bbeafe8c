package ai.candlefish.collab.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a load balancer in front of the cluster does, for the tests: every connection it accepts goes to the next
 * live node (round robin over {@code backends}); when either side ends, so does the other. A client that loses its
 * node reconnects to the same address and lands on another one.
 *
 * <p>Between one node and Redis it is that node's link, which the tests cut ({@link #dropConnections}) or make lag:
 * {@link #holdSubscriptions} holds back what Redis sends the node's subscriber connections (those on which it sent
 * {@code SUBSCRIBE}: the copies of stream entries, the other nodes' presence and heartbeats) until {@link
 * #release}, late and in order, nothing lost; its commands (publishes, stream reads) go on meanwhile.
 */
final class TcpBalancer implements AutoCloseable {
  private static final byte[] SUBSCRIBE = "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final Supplier<List<Integer>> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  /** While not null, what the backends send subscriber connections waits for it. */
  private volatile CountDownLatch hold;
  private final AtomicBoolean heldAny = new AtomicBoolean();
  private volatile boolean closed;

  /** One connection passed on: whether its client subscribed (then it may be held back). */
  private static final class Link {
    volatile boolean subscriber;
  }

  /** @param backends the ports of the nodes that are up now, asked for each new connection */
  TcpBalancer(Supplier<List<Integer>> backends) throws IOException {
    this.backends = backends;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread acceptor = new Thread(this::accept, "balancer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      List<Integer> live = backends.get();
      try {
        if (live.isEmpty()) {
          client.close();
          continue;
        }
        Socket node = new Socket("127.0.0.1", live.get(Math.floorMod(next.getAndIncrement(), live.size())));
        open.add(client);
        open.add(node);
        Link link = new Link();
        pipe(client, node, link, true);
        pipe(node, client, link, false);
      } catch (IOException e) {
        close(client);
      }
    }
  }

  private void pipe(Socket from, Socket to, Link link, boolean fromClient) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (fromClient && !link.subscriber && contains(buffer, n, SUBSCRIBE)) {
            link.subscriber = true;
          } else if (!fromClient && link.subscriber) {
            awaitRelease(); // meanwhile the backend's bytes wait in the sockets' buffers and in Redis's
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side ended
      } finally {
        close(from);
        close(to);
      }
    }, "balancer-pipe");
    t.setDaemon(true);
    t.start();
  }

  private void awaitRelease() throws IOException {
    CountDownLatch h = hold;
    if (h == null) {
      return;
    }
    heldAny.set(true);
    try {
      h.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while held", e);
    }
  }

  private static boolean contains(byte[] bytes, int length, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** From now on, what the backends send subscriber connections is held back until {@link #release}. */
  void holdSubscriptions() {
    hold = new CountDownLatch(1);
  }

  /** Passes on what was held back, and everything after it. */
  void release() {
    CountDownLatch h = hold;
    hold = null;
    if (h != null) {
      h.countDown();
    }
  }

  /** Whether a subscriber connection had something to pass on while held. */
  boolean heldAny() {
    return heldAny.get();
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Ends every connection it passes on now, as a cut network would; new ones are accepted as before. */
  void dropConnections() {
    open.forEach(TcpBalancer::close);
    open.clear();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    release();
    server.close();
    open.forEach(TcpBalancer::close);
  }
}
