package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentKey;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two nodes in one JVM: how soon an update accepted on one reaches the other. */
class ClusterRelayTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "relayed");
  /** Far longer than the test waits: an update that waited for the debounce would not arrive in time. */
  private static final Duration DEBOUNCE = Duration.ofMinutes(10);

  @Test
  void edit_withoutAckWaiting_reachesTheOtherNodeWithoutTheStoreDebounce() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        RedisServerProcess redis = RedisServerProcess.start()) {
      HikariConfig config = new HikariConfig();
      config.setDataSource(pg.getPostgresDatabase());
      try (HikariDataSource dataSource = new HikariDataSource(config);
          JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
          JdbcDocumentLeases leasesA = JdbcDocumentLeases.newBuilder(store).nodeId("a").build();
          JdbcDocumentLeases leasesB = JdbcDocumentLeases.newBuilder(store).nodeId("b").build();
          RedisClusterTransport transportA = RedisClusterTransport.newBuilder(redis.uri()).nodeId("a").build();
          RedisClusterTransport transportB = RedisClusterTransport.newBuilder(redis.uri()).nodeId("b").build()) {
        CollabServer a = node(store, transportA, leasesA);
        CollabServer b = node(store, transportB, leasesB);
        try (DocumentHandle onA = a.openDocument(KEY).join(); DocumentHandle onB = b.openDocument(KEY).join()) {
          // A server-side edit, like a y-websocket client's update, waits for no acknowledgement.
          onA.edit(txn -> txn.doc().getText("t").insert(0, "from a")).join();

          await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
              assertThat(onB.read(doc -> doc.getText("t").toString()).join()).isEqualTo("from a"));
        } finally {
          b.close();
          a.close();
        }
      }
    }
  }

  private static CollabServer node(JdbcDocumentStore store, RedisClusterTransport transport,
      JdbcDocumentLeases leases) {
    return CollabServer.newBuilder().port(0).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("acme")).storeDebounce(DEBOUNCE).storeMaxWait(DEBOUNCE)
        .cluster(transport, leases).build().start();
  }
}
