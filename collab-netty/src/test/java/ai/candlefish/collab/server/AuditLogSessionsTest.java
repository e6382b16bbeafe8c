package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log on a socket that several users share (Hocuspocus providers of one page, each with its user's token
 * for its document): each user is heard connecting and disconnecting, once, whatever order their tokens came in.
 */
class AuditLogSessionsTest {
  /** "connected alice" and the like, in order. */
  private final List<String> events = new CopyOnWriteArrayList<>();
  private CollabServer server;
  private RawHocuspocusClient client;

  private final Authenticator tokens = (token, connection) -> {
    if (token == null || token.isEmpty()) {
      throw new AuthenticationException("a token is required");
    }
    return Principal.of(token, "acme", Permission.WRITE); // the token is the user's id
  };

  @AfterEach
  void stop() {
    if (client != null) {
      client.socket.abort();
    }
    server.close();
  }

  @Test
  void everyUserOfASharedSocket_isAuditedConnectingAndDisconnecting() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(tokens).auditLog(new AuditLog() {
      @Override
      public void connected(ConnectionInfo connection, Principal principal) {
        events.add("connected " + principal.id());
      }

      @Override
      public void disconnected(ConnectionInfo connection, Principal principal) {
        events.add("disconnected " + (principal == null ? null : principal.id()));
      }
    }).build().start();
    client = new RawHocuspocusClient(server.port());
    client.auth("alice-notes", "alice").auth("bob-notes", "bob").auth("alice-todo", "alice").auth("bob-todo", "bob");
    for (String document : List.of("alice-notes", "bob-notes", "alice-todo", "bob-todo")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> client.authenticated(document) == 1);
    }
    // Their tokens are checked side by side: either may be accepted first.
    assertThat(events).containsExactlyInAnyOrder("connected alice", "connected bob");

    client.socket.sendClose(1000, "bye").join();
    await().atMost(Duration.ofSeconds(30)).until(() -> events.size() == 4);
    // Before, only the first: "bob" was heard connecting nowhere, and on this socket disconnecting neither.
    assertThat(events.subList(2, 4)).containsExactlyInAnyOrder("disconnected alice", "disconnected bob");
  }
}
