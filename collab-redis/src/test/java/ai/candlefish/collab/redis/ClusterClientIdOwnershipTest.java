package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.TestTokens;
import ai.candlefish.collab.testkit.YjsNodeClients;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private CollabServer node(EmbeddedPostgres pg, RedisServerProcess redis, String id) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg.getPostgresDatabase());
    HikariDataSource dataSource = closing(new HikariDataSource(config));
    JdbcDocumentStore store = closing(JdbcDocumentStore.newBuilder(dataSource).build());
    JdbcDocumentLeases leases = closing(JdbcDocumentLeases.newBuilder(store).nodeId(id).build());
    RedisClusterTransport transport = closing(RedisClusterTransport.newBuilder(redis.uri()).nodeId(id).build());
    return closing(CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(TestTokens.TOKENS).cluster(transport, leases)
        .storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100)).build().start());
  }

  /** A y-websocket client of {@code node} whose token is its id; up to 30 s (Node's first connect on a busy machine). */
  private static long connect(YjsNodeClients js, String id, CollabServer node) {
    return ((Number) js.call("connect", "id", id, "url", "ws://127.0.0.1:" + node.port(), "room", KEY.name(),
        "token", id, "timeoutMs", 30_000).get("clientId")).longValue();
  }

  @Test
  void anIdClaimedOnOneNode_cannotBeForgedOnAnotherThatLoadedTheDocumentBefore() throws Exception {
    EmbeddedPostgres pg = closing(EmbeddedPostgres.builder().start());
    RedisServerProcess redis = closing(RedisServerProcess.start());
    CollabServer a = node(pg, redis, "a");
    CollabServer b = node(pg, redis, "b");
    YjsNodeClients js = closing(YjsNodeClients.start());

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
