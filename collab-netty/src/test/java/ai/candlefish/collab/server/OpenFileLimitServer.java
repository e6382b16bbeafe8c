package ai.candlefish.collab.server;

import ai.candlefish.collab.testkit.TestTokens;
import java.time.Duration;

/**
 * A server in a JVM of its own for {@link OpenFileLimitTest}, started under a low open-file limit: prints
 * {@code ready <port>}, serves until its standard input closes. Its log (stderr) is what the test reads.
 */
final class OpenFileLimitServer {
  private OpenFileLimitServer() {}

  public static void main(String[] args) throws Exception {
    // One address floods here: its limit must not close the flood before the process runs out of descriptors.
    try (CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(TestTokens.TOKENS)
        .connectionLimits(10_000, 10_000).storeDebounce(Duration.ofMillis(10)).storeMaxWait(Duration.ofMillis(50))
        .build().start()) {
      System.out.println("ready " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our standard input
      }
    }
  }
}
