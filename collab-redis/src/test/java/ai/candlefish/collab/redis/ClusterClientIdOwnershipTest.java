package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Yjs client id belongs to the principal that first wrote with it, across the nodes of a cluster: two servers
 * (each with its own store, leases and Redis link, as two processes would have) on one real PostgreSQL and one real
 * redis-server; real y-websocket providers in Node. A node that loaded the document before another node's client
 * claimed an id must not let a third person forge structs under that id.
 */
class ClusterClientIdOwnershipTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "owned");

  private InProcessCluster cluster;

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private CollabServer node(String id) {
    return cluster.server(id, s -> s.authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20))
        .storeMaxWait(Duration.ofMillis(100)));
  }

  /** A y-websocket client of {@code node} whose token is its id; up to 30 s (Node's first connect on a busy machine). */
  private static long connect(YjsNodeClients js, String id, CollabServer node) {
    return ((Number) js.call("connect", "id", id, "url", "ws://127.0.0.1:" + node.port(), "room", KEY.name(),
        "token", id, "timeoutMs", 30_000).get("clientId")).longValue();
  }

  @Test
  void anIdClaimedOnOneNode_cannotBeForgedOnAnotherThatLoadedTheDocumentBefore() throws Exception {
    cluster = InProcessCluster.start();
    CollabServer a = node("a");
    CollabServer b = node("b");
    YjsNodeClients js = cluster.closing(YjsNodeClients.start());

    connect(js, "bob", b); // b loads the document: nobody owns an id yet
    long alice = connect(js, "alice", a);
    js.insert("alice", 0, "alice");
    js.waitText("bob", "alice"); // stored (a claimed alice's id first) and relayed to b

    // Longer than what Alice wrote, so that it brings structs beyond her clock: new ones, under her id.
    Doc forger = Doc.newBuilder().clientId(alice).build();
    List<byte[]> updates = new ArrayList<>();
    forger.onUpdate((u, origin, txn) -> updates.add(u));
    forger.getText("t").insert(0, "forged by bob on another node");
    js.sendRaw("bob", 2, updates.get(0), null);

    await().atMost(Duration.ofSeconds(30)).until(() -> js.closeCodes("bob").contains(CloseCodes.FOREIGN_CLIENT_ID));
    js.insert("alice", 5, "!");
    connect(js, "carol", b);
    js.waitText("carol", "alice!");
    for (CollabServer node : List.of(a, b)) {
      try (DocumentHandle handle = node.openDocument(KEY).join()) {
        assertThat(handle.read(doc -> doc.getText("t").toString()).join()).isEqualTo("alice!");
      }
    }
    assertThat(js.closeCodes("alice")).doesNotContain(CloseCodes.FOREIGN_CLIENT_ID);
  }
}
