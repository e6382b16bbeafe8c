package ai.candlefish.collab.examples.plain;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The main job: a collaboration server that unmodified Yjs clients use, and a page to try it with. It starts the
 * server on port 1234 (y-websocket's default: {@code new WebsocketProvider('ws://localhost:1234', name, doc)}
 * connects to it) and serves a page on port 8080 with a text area shared through real Yjs in the browser.
 *
 * <p>Run: {@code ./mvnw -B -ntp -q install -DskipTests && ./mvnw -B -ntp -q -pl examples/plain-java exec:java}, then
 * open http://localhost:8080 in two windows. Options: {@code --port N} (WebSocket), {@code --http-port N} (page),
 * {@code --host H} (default: every interface). Ctrl-C stops it gracefully (every document is stored first).
 *
 * <p>Every client is let in as one anonymous user of tenant "demo" ({@link Authenticator#insecureAllowAll}): a
 * development set-up. A real host passes its own {@link Authenticator}.
 */
public final class ServerDemo implements AutoCloseable {
  private final CollabServer server;
  private final StaticSite site;

  private ServerDemo(CollabServer server, StaticSite site) {
    this.server = server;
    this.site = site;
  }

  /**
   * Starts the server and the page (port 0 picks a free port).
   *
   * @param host the address to bind, or null for every interface
   */
  public static ServerDemo start(String host, int port, int httpPort, DocumentStore store) throws IOException {
    CollabServer.Builder builder = CollabServer.newBuilder()
        .port(port)
        .documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("demo"))
        .storeDebounce(Duration.ofMillis(500));
    if (host != null) {
      builder.host(host);
    }
    CollabServer server = builder.build().start();
    try {
      return new ServerDemo(server, StaticSite.start(host, httpPort, "/static", server.port()));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public CollabServer server() {
    return server;
  }

  /** The port of the page. */
  public int httpPort() {
    return site.port();
  }

  @Override
  public void close() {
    site.close();
    server.close();
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    String host = null;
    int port = 1234;
    int httpPort = 8080;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = value(args, ++i);
        case "--port" -> port = Integer.parseInt(value(args, ++i));
        case "--http-port" -> httpPort = Integer.parseInt(value(args, ++i));
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --host H, --port N, --http-port N");
      }
    }
    ServerDemo demo = start(host, port, httpPort, new InMemoryDocumentStore());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stopped.countDown();
    }, "server-demo-shutdown"));
    System.out.printf("Collaboration server on ws://localhost:%d (y-websocket: new WebsocketProvider("
        + "'ws://localhost:%d', name, doc))%n", demo.server.port(), demo.server.port());
    System.out.printf("Open http://localhost:%d in two browser windows and type. Ctrl-C stops.%n", demo.httpPort());
    stopped.await();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
