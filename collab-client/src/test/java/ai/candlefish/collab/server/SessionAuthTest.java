package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import ai.candlefish.collab.testkit.YjsNodeClientsExtension;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication for the whole session, through real sockets on all three protocols: y-websocket 3.1.0 and
 * {@code @hocuspocus/provider} 4.8.0 clients in Node ({@code collab-testkit/src/main/js/yjs-node-clients.mjs}) and
 * {@link CollabClient} (collab/1). A token that expires ends its session ({@link CloseCodes#TOKEN_EXPIRED}) unless
 * the client refreshed it; {@link CollabServer#revoke} ends a principal's sessions on every protocol; nobody else is
 * affected.
 */
@ExtendWith(YjsNodeClientsExtension.class)
class SessionAuthTest {
  /**
   * How long an expiring token lives from when it is made, just before its client connects (not from the test's
   * start: at a load of 47 setting up six clients took over 20 s, and the last one's token had expired already).
   */
  private static final Duration LIFETIME = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static YjsNodeClients node; // started and closed by YjsNodeClientsExtension

  /**
   * {@link TestTokens}, plus "name@millis": that principal, expiring at that epoch millisecond; and "name!millis":
   * issued at that epoch millisecond.
   */
  private static final Authenticator EXPIRING = (token, connection) -> {
    int issued = token == null ? -1 : token.indexOf('!');
    if (issued >= 0) {
      return TestTokens.TOKENS.authenticate(token.substring(0, issued), connection)
          .issuedAt(Instant.ofEpochMilli(Long.parseLong(token.substring(issued + 1))));
    }
    int at = token == null ? -1 : token.indexOf('@');
    if (at < 0) {
      return TestTokens.TOKENS.authenticate(token, connection);
    }
    return TestTokens.TOKENS.authenticate(token.substring(0, at), connection)
        .expiringAt(Instant.ofEpochMilli(Long.parseLong(token.substring(at + 1))));
  };

  private final List<String> audit = new CopyOnWriteArrayList<>();
  private final List<String> nodeClients = new ArrayList<>();
  private final List<CollabClient> javaClients = new ArrayList<>();
  private CollabServer server;
  /** When the last token of {@link #expiringSoon} expires. */
  private Instant lastExpiry = Instant.EPOCH;

  @BeforeEach
  void startServer() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(EXPIRING).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .auditLog(new AuditLog() {
          @Override
          public void refused(ConnectionInfo connection, Principal principal, DocumentKey key, int code,
              String reason) {
            audit.add("refused " + (principal == null ? "-" : principal.id()) + " " + code + " " + reason);
          }

          @Override
          public void revoked(String tenant, String principalId, int connections) {
            audit.add("revoked " + tenant + "/" + principalId + " " + connections);
          }
        })
        .build().start();
  }

  @AfterEach
  void stop() {
    for (String id : nodeClients) {
      node.call("destroy", "id", id);
    }
    javaClients.forEach(CollabClient::close);
    server.close();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  /** A token of {@code name} that expires {@link #LIFETIME} from now. */
  private String expiringSoon(String name) {
    lastExpiry = Instant.now().plus(LIFETIME);
    return expiring(name, lastExpiry);
  }

  private static String expiring(String name, Instant at) {
    return name + "@" + at.toEpochMilli();
  }

  private void ywebsocket(String id, String document, String token) {
    nodeClients.add(id);
    // Up to 30 s: the first connect of a run took 6-9 s at load 30 (Node's and the server's first use).
    node.call("connect", "id", id, "url", url(), "room", document, "token", token, "timeoutMs", 30_000);
  }

  private void hocuspocusOver(String socket, String id, String document, String token) {
    nodeClients.add(id);
    node.call("connect", "kind", "hocuspocus", "socket", socket, "id", id, "room", document, "token", token);
  }

  /** A connected collab/1 client; {@code closes} hears the codes it was disconnected with. */
  private CollabClient collab(String token, List<Integer> closes) throws Exception {
    CollabClient client = collabConnecting(token, closes);
    client.connect().get(20, TimeUnit.SECONDS);
    return client;
  }

  /** A collab/1 client that has started to connect, and may be refused. */
  private CollabClient collabConnecting(String token, List<Integer> closes) {
    CollabClient client = CollabClient.newBuilder().uri(URI.create(url())).token(token)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(200))
        .listener(new CollabClientListener() {
          @Override
          public void onDisconnected(int code, String reason) {
            closes.add(code);
          }
        }).build();
    javaClients.add(client);
    client.connect();
    return client;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> closeCodes(Map<String, Object> status) {
    return ((List<Map<String, Object>>) status.get("closes")).stream().map(c -> (Object) ((Number) c.get("code"))
        .intValue()).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> denied(Map<String, Object> status) {
    return (List<Object>) status.get("denied");
  }

  private static String text(ClientDocument d) {
    synchronized (d.doc()) {
      return d.doc().getText("t").toString();
    }
  }

  @Test
  void expiry_endsEachProtocolsSession_unlessTheClientRefreshedItsToken() throws Exception {
    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    // Expiring and never refreshed: y-websocket (no way to refresh), Hocuspocus, collab/1.
    ywebsocket("y-expires", "plans", expiringSoon("alice"));
    node.call("socket", "id", "s", "url", url());
    hocuspocusOver("s", "h-expires", "plans", expiringSoon("alice"));
    List<Integer> expiredCloses = new CopyOnWriteArrayList<>();
    collab(expiringSoon("alice"), expiredCloses).open("plans").get(20, TimeUnit.SECONDS);
    Instant expiry = lastExpiry;
    // Expiring, then refreshed before the expiry: a Hocuspocus document on the same socket, a collab/1 client.
    hocuspocusOver("s", "h-refreshed", "notes", expiringSoon("alice"));
    node.call("sendToken", "id", "h-refreshed", "token", expiring("alice", later));
    await().atMost(WAIT).until(() -> ((Number) node.status("h-refreshed").get("authenticated")).intValue() == 2);
    List<Integer> refreshedCloses = new CopyOnWriteArrayList<>();
    CollabClient refreshed = collab(expiringSoon("alice"), refreshedCloses);
    ClientDocument plans = refreshed.open("plans").get(20, TimeUnit.SECONDS);
    refreshed.refreshToken(expiring("alice", later));
    // Never expiring: other principals on the same documents.
    ywebsocket("y-bob", "plans", "bob");
    ywebsocket("y-notes", "notes", "bob");

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(closeCodes(node.status("y-expires"))).contains(CloseCodes.TOKEN_EXPIRED);
      assertThat(denied(node.status("h-expires"))).contains("token expired");
      assertThat(expiredCloses).contains(CloseCodes.TOKEN_EXPIRED);
    });
    assertThat(Instant.now()).as("not closed before the expiry").isAfterOrEqualTo(expiry);
    // Past every expiring token's expiry, the refreshed ones' included.
    Instant expired = lastExpiry;
    await().atMost(WAIT).until(() -> Instant.now().isAfter(expired));

    // The refreshed sessions and everybody else carry on past the old expiry.
    node.insert("y-bob", 0, "bob ");
    await().atMost(WAIT).until(() -> text(plans).equals("bob "));
    plans.edit(txn -> plans.doc().getText("t").insert(0, "alice ")).get(20, TimeUnit.SECONDS);
    node.waitText("y-bob", "alice bob ");
    node.insert("y-notes", 0, "n");
    node.waitText("h-refreshed", "n");
    node.insert("h-refreshed", 1, "h");
    node.waitText("y-notes", "nh");
    assertThat(refreshedCloses).isEmpty();
    assertThat(denied(node.status("h-refreshed"))).isEmpty();
    assertThat(closeCodes(node.status("y-bob"))).isEmpty();
    assertThat(audit).contains("refused alice 4440 token expired");
  }

  @Test
  void hocuspocusProviderWithATokenFunction_isAskedForAFreshTokenBeforeTheExpiry_andGoesOn() throws Exception {
    Instant first = Instant.now().plus(Duration.ofSeconds(8)); // asked for a fresh one 4 s before this
    nodeClients.add("h");
    node.call("socket", "id", "s", "url", url());
    node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h", "room", "fresh", "tokens",
        List.of(expiring("alice", first), expiring("alice", first.plus(Duration.ofMinutes(10)))));
    ywebsocket("y", "fresh", "bob");

    // The server asked, the provider called its token function again and sent the fresh token, the server took it.
    await().atMost(WAIT).until(() -> ((Number) node.status("h").get("authenticated")).intValue() == 2);
    assertThat(Instant.now()).as("asked before the first token expired").isBefore(first);
    await().atMost(WAIT).until(() -> Instant.now().isAfter(first.plusMillis(500)));
    node.insert("h", 0, "still here");
    node.waitText("y", "still here");
    assertThat(denied(node.status("h"))).isEmpty();
    assertThat(audit).noneMatch(line -> line.contains("token expired"));
  }

  @Test
  void refresh_withATokenOfAnotherPrincipal_orAnExpiredOne_isRefused() throws Exception {
    List<Integer> closes = new CopyOnWriteArrayList<>();
    CollabClient client = collab("alice", closes);
    client.refreshToken("bob");
    await().atMost(WAIT).until(() -> closes.contains(CloseCodes.UNAUTHORIZED));
    assertThat(audit).contains("refused alice 4401 a fresh token must be for the same principal");

    // A token that has expired already is refused at once, on connecting as on refreshing.
    nodeClients.add("late");
    node.call("connect", "id", "late", "url", url(), "room", "plans", "token",
        expiring("alice", Instant.now().minusSeconds(1)), "waitSynced", false);
    await().atMost(WAIT).until(() -> closeCodes(node.status("late")).contains(CloseCodes.UNAUTHORIZED));
    assertThat(denied(node.status("late"))).contains("token expired");
  }

  @Test
  void revoke_endsThePrincipalsSessionsOnEveryProtocol_andNoOneElses() throws Exception {
    ywebsocket("y-alice", "plans", "alice");
    ywebsocket("y-bob", "plans", "bob");
    node.call("socket", "id", "s", "url", url());
    hocuspocusOver("s", "h-alice", "plans", "alice");
    hocuspocusOver("s", "h-bob", "notes", "bob");
    List<Integer> aliceCloses = new CopyOnWriteArrayList<>();
    collab("alice", aliceCloses).open("plans").get(20, TimeUnit.SECONDS);
    List<Integer> bobCloses = new CopyOnWriteArrayList<>();
    CollabClient bob = collab("bob", bobCloses);
    ClientDocument plans = bob.open("plans").get(20, TimeUnit.SECONDS);

    assertThat(server.revoke("acme", "alice").get(20, TimeUnit.SECONDS)).as("connections").isEqualTo(3);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(closeCodes(node.status("y-alice"))).containsExactly(CloseCodes.UNAUTHORIZED);
      assertThat(denied(node.status("h-alice"))).containsExactly("access revoked");
      assertThat(aliceCloses).containsExactly(CloseCodes.UNAUTHORIZED);
      assertThat(audit).contains("revoked acme/alice 3");
    });
    // Bob's sessions, one of them on the socket Alice's Hocuspocus document shared, go on.
    plans.edit(txn -> plans.doc().getText("t").insert(0, "bob")).get(20, TimeUnit.SECONDS);
    node.waitText("y-bob", "bob");
    node.insert("h-bob", 0, "notes");
    await().atMost(WAIT).until(() -> server.openDocument(DocumentKey.of("acme", "notes"))
        .thenCompose(h -> h.read(d -> d.getText("t").toString()).whenComplete((t, e) -> h.close()))
        .get(20, TimeUnit.SECONDS).equals("notes"));
    assertThat(bobCloses).isEmpty();
    assertThat(closeCodes(node.status("y-bob"))).isEmpty();
    assertThat(denied(node.status("h-bob"))).isEmpty();
    assertThat(server.revoke("acme", "nobody").get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void revoke_isRemembered_tokensIssuedBeforeAreRefusedOnEveryProtocol_laterOnesAccepted() throws Exception {
    ywebsocket("y-alice", "plans", "alice");
    List<Integer> aliceCloses = new CopyOnWriteArrayList<>();
    collab("alice", aliceCloses).open("plans").get(20, TimeUnit.SECONDS);
    assertThat(server.revoke("acme", "alice").get(20, TimeUnit.SECONDS)).as("connections").isEqualTo(2);
    await().atMost(WAIT).until(() -> closeCodes(node.status("y-alice")).contains(CloseCodes.UNAUTHORIZED));

    // The authenticator still accepts Alice's old tokens; the server remembers that she was revoked.
    String issuedBefore = "alice!" + Instant.now().minusSeconds(60).toEpochMilli();
    nodeClients.add("y-again");
    node.call("connect", "id", "y-again", "url", url(), "room", "plans", "token", "alice", "waitSynced", false);
    node.call("socket", "id", "s", "url", url());
    hocuspocusOver("s", "h-bob", "notes", "bob");
    nodeClients.add("h-again");
    node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h-again", "room", "plans", "token",
        issuedBefore, "waitSynced", false);
    List<Integer> againCloses = new CopyOnWriteArrayList<>();
    collabConnecting("alice", againCloses);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(closeCodes(node.status("y-again"))).contains(CloseCodes.UNAUTHORIZED);
      assertThat(denied(node.status("y-again"))).contains("access revoked");
      assertThat(denied(node.status("h-again"))).contains("access revoked");
      assertThat(againCloses).contains(CloseCodes.UNAUTHORIZED);
    });

    // A token issued after the revocation is accepted on every protocol; Bob, on the shared socket, never noticed.
    String issuedAfter = "alice!" + Instant.now().plusSeconds(1).toEpochMilli();
    ywebsocket("y-fresh", "plans", issuedAfter);
    hocuspocusOver("s", "h-fresh", "plans", issuedAfter);
    List<Integer> freshCloses = new CopyOnWriteArrayList<>();
    ClientDocument plans = collab(issuedAfter, freshCloses).open("plans").get(20, TimeUnit.SECONDS);
    node.insert("y-fresh", 0, "back");
    await().atMost(WAIT).until(() -> text(plans).equals("back"));
    node.waitText("h-fresh", "back");
    assertThat(freshCloses).isEmpty();
    assertThat(denied(node.status("h-bob"))).isEmpty();
  }
}
