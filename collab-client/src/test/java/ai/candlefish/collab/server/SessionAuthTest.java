package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
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
   * {@link TestTokens}, plus "name@millis": that principal, expiring at that epoch millisecond; "name!millis":
   * issued at that epoch millisecond; and "name#read:doc": that principal, who may read document doc and nothing
   * else.
   */
  private static final Authenticator EXPIRING = (token, connection) -> {
    int reads = token == null ? -1 : token.indexOf("#read:");
    if (reads >= 0) {
      Principal p = TestTokens.TOKENS.authenticate(token.substring(0, reads), connection);
      String readable = token.substring(reads + "#read:".length());
      return Principal.of(p.id(), p.tenant(), name -> name.equals(readable) ? Permission.READ : Permission.NONE);
    }
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

  /**
   * While set, Carol's authentications wait in the onAuthenticate hook (each releases {@link #held}) until
   * {@link #release}.
   */
  private volatile boolean holdCarol;
  private final Semaphore held = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
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
        .hooks(new CollabHooks() {
          @Override
          public void onAuthenticate(ConnectionInfo connection, Principal principal) {
            if (holdCarol && principal.id().equals("carol")) {
              held.release();
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        })
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
    release.countDown();
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

  /**
   * A fresh token of the same principal that grants less than the first one holds the session to what it grants:
   * read-only from then on where it grants reading (Hocuspocus hears the scope, collab/1 another Opened), refused
   * (4403) where it grants nothing. Before, the first token's permissions stayed for as long as fresh tokens came:
   * a user whose access was lowered kept writing with the tokens issued after.
   */
  @Test
  void refresh_withATokenThatGrantsLess_holdsTheSessionToWhatItGrants() throws Exception {
    ywebsocket("y-bob", "plans", "bob");
    node.call("socket", "id", "s", "url", url());
    hocuspocusOver("s", "h-plans", "plans", "alice");
    hocuspocusOver("s", "h-notes", "notes", "alice");
    hocuspocusOver("s", "h-other", "other", "alice");
    List<String> refusedDocuments = new CopyOnWriteArrayList<>();
    CollabClient java = CollabClient.newBuilder().uri(URI.create(url())).token("alice")
        .listener(new CollabClientListener() {
          @Override
          public void onDocumentRefused(String document, int code, String reason) {
            refusedDocuments.add(document + " " + code + " " + reason);
          }
        }).build();
    javaClients.add(java);
    java.connect().get(20, TimeUnit.SECONDS);
    ClientDocument plans = java.open("plans").get(20, TimeUnit.SECONDS);
    java.open("notes").get(20, TimeUnit.SECONDS);
    assertThat(plans.readOnly()).isFalse();

    String lowered = "alice#read:plans";
    node.call("sendToken", "id", "h-plans", "token", lowered);
    node.call("sendToken", "id", "h-notes", "token", lowered);
    node.call("sendToken", "id", "h-other", "token", "zed"); // another tenant's user
    java.refreshToken(lowered);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(node.status("h-plans").get("scope")).isEqualTo("readonly");
      assertThat(denied(node.status("h-other"))).containsExactly("a fresh token must be for the same principal");
      assertThat(denied(node.status("h-notes"))).containsExactly("no access to this document");
      assertThat(plans.readOnly()).isTrue();
      assertThat(refusedDocuments).containsExactly("notes 4403 no access to this document");
    });

    // Their edits are refused now, Bob's go on.
    node.insert("h-plans", 0, "hocuspocus ");
    CompletableFuture<Void> edit = plans.edit(txn -> plans.doc().getText("t").insert(0, "collab "));
    assertThatThrownBy(() -> edit.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(RefusedException.class)
        .hasMessageContaining("4403");
    // One refusal each (a provider may send its refused update again when it resyncs).
    await().atMost(WAIT).until(() -> audit.stream()
        .filter(line -> line.equals("refused alice 4403 read-only access: update rejected")).count() >= 2);
    node.insert("y-bob", 0, "bob");
    await().atMost(WAIT).until(() -> serverText("plans").equals("bob"));
    assertThat(audit).contains("refused alice 4403 no access to this document");
  }

  /**
   * A revocation that comes while a token is being accepted (the authenticator said yes and the revocations were
   * checked, the onAuthenticate hook still runs) refuses that token too: before, {@link CollabServer#revoke} found
   * nothing of the principal's on the connection yet, and the session the token opened a moment later stayed.
   */
  @Test
  void revoke_whileATokenIsBeingAccepted_refusesIt_onEveryProtocol() throws Exception {
    holdCarol = true;
    nodeClients.add("y-carol");
    node.call("connect", "id", "y-carol", "url", url(), "room", "plans", "token", "carol", "waitSynced", false);
    node.call("socket", "id", "s", "url", url());
    nodeClients.add("h-carol");
    node.call("connect", "kind", "hocuspocus", "socket", "s", "id", "h-carol", "room", "plans", "token", "carol",
        "waitSynced", false);
    List<Integer> closes = new CopyOnWriteArrayList<>();
    collabConnecting("carol", closes);
    assertThat(held.tryAcquire(3, 60, TimeUnit.SECONDS)).as("three tokens held in the hook").isTrue();

    assertThat(server.revoke("acme", "carol").get(20, TimeUnit.SECONDS)).as("nothing of Carol's open yet").isZero();
    release.countDown();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(closeCodes(node.status("y-carol"))).contains(CloseCodes.UNAUTHORIZED);
      assertThat(denied(node.status("y-carol"))).contains("access revoked");
      assertThat(denied(node.status("h-carol"))).contains("access revoked");
      assertThat(closes).contains(CloseCodes.UNAUTHORIZED);
    });
    assertThat(((Number) node.status("h-carol").get("authenticated")).intValue()).isZero();
  }

  private String serverText(String document) throws Exception {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", document)).get(20, TimeUnit.SECONDS)) {
      return handle.read(d -> d.getText("t").toString()).get(20, TimeUnit.SECONDS);
    }
  }
}
