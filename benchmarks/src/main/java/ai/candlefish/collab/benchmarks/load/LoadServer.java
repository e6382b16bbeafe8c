package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The server side of the load runs, in its own JVM: a {@link CollabServer} with
 * {@link Authenticator#insecureAllowAll(String)} and the default in-memory store, on the port given as the first
 * argument (default 1234), with every other setting at its default; optional second and third arguments set the
 * event loop and document threads ({@code CollabServer.Builder#threads}); the system property
 * {@code load.flushMicros} sets {@code CollabServer.Builder#flushInterval} (e.g.
 * {@code SERVER_JAVA_OPTS=-Dload.flushMicros=2000}). Prints {@code LoadServer ready on <port>}
 * once listening; runs until killed (SIGTERM closes the server).
 */
public final class LoadServer {
  private LoadServer() {}

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 1234;
    CollabServer.Builder builder = CollabServer.newBuilder()
        .port(port)
        .authenticator(Authenticator.insecureAllowAll("load"))
        // The load generator's clients all come from loopback addresses, up to 20,000 idle ones: the defaults (10,000
        // in total, 256 per address) would refuse most of them.
        .connectionLimits(100_000, 100_000);
    Long flushMicros = Long.getLong("load.flushMicros");
    if (flushMicros != null) {
      builder.flushInterval(Duration.ofNanos(flushMicros * 1000));
    }
    if (args.length > 2) {
      builder.threads(Integer.parseInt(args[1]), Integer.parseInt(args[2]), 16);
    }
    CollabServer server = builder.build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "load-server-shutdown"));
    System.out.println("LoadServer ready on " + server.port() + " pid " + ProcessHandle.current().pid());
    stopped.await();
  }
}
