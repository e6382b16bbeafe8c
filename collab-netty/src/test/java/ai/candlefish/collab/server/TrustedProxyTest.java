package ai.candlefish.collab.server;

import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.TestTokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server behind a reverse proxy on 127.0.0.1: with the proxy trusted, each client is counted against the
 * per-address limit (and known to the authenticator) by the address the proxy's {@code X-Forwarded-For} names; a
 * server that trusts nobody ignores the header, whoever sends it.
 */
class TrustedProxyTest {
  private final List<SocketAddress> seen = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private CollabServer server;

  private void start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0)
        .documentStore(new InMemoryDocumentStore()).connectionLimits(1000, 2).authenticator((token, c) -> {
          seen.add(c.remoteAddress());
          return TestTokens.TOKENS.authenticate(token, c);
        })).build().start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The status line of an upgrade that a proxy forwarded for {@code forwardedFor} (null: no header). */
  private String through(String forwardedFor) throws IOException {
    Socket s = RawWebSocket.open(server.port());
    sockets.add(s);
    return upgrade(s, "/plans?token=alice", forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n");
  }

  @Test
  void trustedProxy_countsEachForwardedClientOnItsOwn_andNamesItToTheAuthenticator() throws Exception {
    start(b -> b.trustedProxies(List.of("127.0.0.1")));
    assertThat(through("203.0.113.7")).contains(" 101 ");
    assertThat(through("203.0.113.7")).contains(" 101 ");
    assertThat(through("203.0.113.7")).as("the client's third, over 2 per address").contains(" 503 ");
    // What a client writes into the header itself is left of what the proxy appended: it cannot choose its address.
    assertThat(through("198.51.100.9, 203.0.113.7")).contains(" 503 ");
    assertThat(through("198.51.100.9")).as("another client behind the same proxy").contains(" 101 ");
    assertThat(through("2001:db8::5")).contains(" 101 ");
    assertThat(through(null)).as("no header: the proxy's own address").contains(" 101 ");
    assertThat(through(null)).contains(" 101 ");
    assertThat(through(null)).contains(" 503 ");
    await().untilAsserted(() -> assertThat(seen).hasSize(6));
    assertThat(seen).extracting(a -> ((InetSocketAddress) a).getAddress().getHostAddress()).containsExactlyInAnyOrder(
        "203.0.113.7", "203.0.113.7", "198.51.100.9", "2001:db8:0:0:0:0:0:5", "127.0.0.1", "127.0.0.1");
    await().untilAsserted(() -> assertThat(server.connectionCount()).isEqualTo(6));

    sockets.get(0).close(); // gives its client's place back
    await().untilAsserted(() -> assertThat(server.connectionCount()).isEqualTo(5));
    assertThat(through("203.0.113.7")).contains(" 101 ");
  }

  @Test
  void untrustedPeers_areTheirOwnAddress_whateverTheySay() throws Exception {
    start(b -> b);
    assertThat(through("203.0.113.7")).contains(" 101 ");
    assertThat(through("198.51.100.9")).contains(" 101 ");
    Socket third = RawWebSocket.open(server.port());
    sockets.add(third);
    assertThat(third.getInputStream().read()).as("closed before its upgrade: 127.0.0.1's third").isEqualTo(-1);
    assertThat(seen).extracting(a -> ((InetSocketAddress) a).getAddress().getHostAddress())
        .containsExactly("127.0.0.1", "127.0.0.1");
  }
}
