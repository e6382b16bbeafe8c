package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.TestTokens;
import java.time.Duration;

/**
 * A server in a JVM of its own with a small heap, for attacks on memory ({@link HostileClientTest}): documents of at
 * most 1 MiB and a {@code beforeUpdate} hook that lets everything through (so that the server asks which roots each
 * update changes). Prints {@code ready <port>}, serves until its standard input closes.
 */
final class SmallHeapServer {
  private SmallHeapServer() {}

  public static void main(String[] args) throws Exception {
    try (CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(TestTokens.TOKENS)
        .maxDocumentBytes(1 << 20).storeDebounce(Duration.ofMillis(10)).storeMaxWait(Duration.ofMillis(50))
        .hooks(new CollabHooks() {
          @Override
          public void beforeUpdate(DocumentKey key, ConnectionInfo connection, Principal principal,
              Updates.ChangedRoots roots) {
            // asked, and lets it through
          }
        }).build().start()) {
      System.out.println("ready " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our standard input
      }
    }
  }
}
