package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.jdbc.JdbcDocumentLeases;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A node closed cleanly gives its documents' leases up at once, so another node needs not wait for the TTL. */
class ClusterShutdownTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "closing");

  @Test
  void close_releasesTheLeasesOfItsDocuments() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        RedisServerProcess redis = RedisServerProcess.start()) {
      HikariConfig config = new HikariConfig();
      config.setDataSource(pg.getPostgresDatabase());
      try (HikariDataSource dataSource = new HikariDataSource(config);
          JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
          JdbcDocumentLeases leasesA = JdbcDocumentLeases.newBuilder(store).nodeId("a")
              .ttl(Duration.ofMinutes(10)).build();
          JdbcDocumentLeases leasesB = JdbcDocumentLeases.newBuilder(store).nodeId("b")
              .ttl(Duration.ofMinutes(10)).build();
          RedisClusterTransport transport = RedisClusterTransport.newBuilder(redis.uri()).nodeId("a").build()) {
        CollabServer server = CollabServer.newBuilder().port(0).documentStore(store)
            .authenticator(Authenticator.insecureAllowAll("acme")).cluster(transport, leasesA).build().start();
        try (DocumentHandle doc = server.openDocument(KEY).join()) {
          doc.edit(txn -> txn.doc().getText("t").insert(0, "stored before close")).join();
          assertThat(leasesB.tryAcquire(KEY)).as("a holds it while it serves it").isNull();
        }

        server.close();

        DocumentLease taken = leasesB.tryAcquire(KEY);
        assertThat(taken).as("released by a's close, long before its 10 min TTL").isNotNull();
        assertThat(taken.epoch()).isEqualTo(2);
      }
    }
  }
}
