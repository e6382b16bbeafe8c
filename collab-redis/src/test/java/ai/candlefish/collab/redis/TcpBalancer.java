package ai.candlefish.collab.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a load balancer in front of the cluster does, for the tests: every connection it accepts goes to the next
 * live node (round robin over {@code backends}); when either side ends, so does the other. A client that loses its
 * node reconnects to the same address and lands on another one.
 */
final class TcpBalancer implements AutoCloseable {
  private final ServerSocket server;
  private final Supplier<List<Integer>> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

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
        pipe(client, node);
        pipe(node, client);
      } catch (IOException e) {
        close(client);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
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
    server.close();
    open.forEach(TcpBalancer::close);
  }
}
