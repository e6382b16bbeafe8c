package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.server.CloseCodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code CollabServer.revoke} in a cluster: server nodes in JVMs of their own ({@link ClusterNodeMain}) on one real
 * PostgreSQL and one real redis-server. A principal revoked on one node loses its sessions on every node, and its
 * tokens issued before are refused everywhere, also on a node started later, on a node that was cut off from Redis
 * when it happened, and when Redis was down on the node that revoked.
 */
class ClusterRevocationTest extends ClusterProcesses {
  private static final Duration WAIT = Duration.ofSeconds(30);

  // Each test revokes a principal of its own: Redis keeps the revocations for an hour.
  private final List<CollabClient> clients = new ArrayList<>();
  private TcpBalancer redisLink;

  @AfterEach
  void closeClients() throws Exception {
    clients.forEach(CollabClient::close);
    if (redisLink != null) {
      redisLink.close();
    }
  }

  /** A client of {@code node} with {@code token} that has started to connect; {@code closes} hears its close codes. */
  private CollabClient connecting(ClusterNode node, String token, List<Integer> closes) {
    CollabClient client = CollabClient.newBuilder().uri(node.uri()).token(token)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500))
        .listener(new CollabClientListener() {
          @Override
          public void onDisconnected(int code, String reason) {
            closes.add(code);
          }
        }).build();
    clients.add(client);
    client.connect();
    return client;
  }

  /** A client of {@code node} with {@code token} that has document "plans" open. */
  private ClientDocument open(ClusterNode node, String token, List<Integer> closes) throws Exception {
    CollabClient client = connecting(node, token, closes);
    // A node's JVM has just started (nothing compiled yet): under load its first connect took over 20 s.
    client.connect().get(60, TimeUnit.SECONDS);
    return client.open("plans").get(60, TimeUnit.SECONDS);
  }

  private static String issuedNow(String principal) {
    return principal + "@" + Instant.now().toEpochMilli();
  }

  @Test
  void revokeOnOneNode_endsTheSessionsOnEveryNode_andOldTokensAreRefusedEverywhere_alsoOnANodeStartedLater()
      throws Exception {
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", 3000);
    List<Integer> aliceOnA = new CopyOnWriteArrayList<>();
    List<Integer> aliceOnB = new CopyOnWriteArrayList<>();
    List<Integer> bobOnB = new CopyOnWriteArrayList<>();
    open(a, "alice", aliceOnA);
    open(b, "alice", aliceOnB);
    ClientDocument bob = open(b, "bob", bobOnB);

    assertThat(a.revoke("alice")).as("connections of node a").isEqualTo(1);

    await("alice's sessions end on both nodes").atMost(WAIT).until(() ->
        aliceOnA.contains(CloseCodes.UNAUTHORIZED) && aliceOnB.contains(CloseCodes.UNAUTHORIZED));
    bob.edit(txn -> txn.doc().getText("t").insert(0, "bob")).get(30, TimeUnit.SECONDS);
    assertThat(bobOnB).as("bob's closes").isEmpty();

    List<Integer> oldToken = new CopyOnWriteArrayList<>();
    connecting(b, "alice", oldToken);
    await("a token issued before is refused on node b").atMost(WAIT)
        .until(() -> oldToken.contains(CloseCodes.UNAUTHORIZED));
    open(b, issuedNow("alice"), new CopyOnWriteArrayList<>()); // a token issued after is accepted

    ClusterNode c = node("c", 3000);
    List<Integer> onLaterNode = new CopyOnWriteArrayList<>();
    connecting(c, "alice", onLaterNode);
    await("a token issued before is refused on a node started later").atMost(WAIT)
        .until(() -> onLaterNode.contains(CloseCodes.UNAUTHORIZED));
    open(c, issuedNow("alice"), new CopyOnWriteArrayList<>());
  }

  @Test
  void aNodeCutOffFromRedis_endsTheRevokedSessions_onceReconnected() throws Exception {
    AtomicBoolean cut = new AtomicBoolean();
    redisLink = new TcpBalancer(() -> cut.get() ? List.of() : List.of(redis.port()));
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", "redis://127.0.0.1:" + redisLink.port(), 3000);
    List<Integer> carolOnB = new CopyOnWriteArrayList<>();
    open(b, "carol", carolOnB);

    cut.set(true);
    redisLink.dropConnections();
    assertThat(a.revoke("carol")).as("connections of node a").isZero();
    Thread.sleep(1000); // the revocation is sent while node b cannot hear it
    assertThat(carolOnB).as("carol's closes on node b while it is cut off").isEmpty();
    cut.set(false);

    await("carol's session on node b ends once it is reconnected").atMost(WAIT)
        .until(() -> carolOnB.contains(CloseCodes.UNAUTHORIZED));
  }

  @Test
  void revokeWhileRedisIsDown_reachesTheOtherNodes_onceRedisIsBack() throws Exception {
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", 3000);
    List<Integer> daveOnB = new CopyOnWriteArrayList<>();
    open(b, "dave", daveOnB);

    redis.kill();
    assertThat(a.revoke("dave")).as("connections of node a").isZero();
    Thread.sleep(1000);
    assertThat(daveOnB).as("dave's closes on node b while Redis is down").isEmpty();
    redis.restart();

    await("dave's session on node b ends once Redis is back").atMost(WAIT)
        .until(() -> daveOnB.contains(CloseCodes.UNAUTHORIZED));
  }
}
