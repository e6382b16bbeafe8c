package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentKey;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a {@link CollabServer} keeps a document in a {@link JdbcDocumentStore} on an H2 file; a y-websocket
 * client edits it; the server, its store and its pool close; a new server on the same file serves the same content.
 */
class CollabServerOnJdbcTest {
  @TempDir
  Path dir;

  private record Running(HikariDataSource dataSource, JdbcDocumentStore store, CollabServer server)
      implements AutoCloseable {
    @Override
    public void close() {
      server.close();
      store.close();
      dataSource.close();
    }
  }

  private Running start() {
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl("jdbc:h2:file:" + dir.resolve("collab") + ";MODE=PostgreSQL");
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).compactAfter(20).build();
    CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(Authenticator.insecureAllowAll("paintbox")).storeDebounce(Duration.ofMillis(10))
        .storeMaxWait(Duration.ofMillis(50)).build().start();
    return new Running(dataSource, store, server);
  }

  @Test
  void restart_onTheSameH2File_servesTheSameContent() {
    String expected;
    try (Running first = start();
        SyncClient alice = SyncClient.connect(first.server(), "estimate-7")) {
      alice.awaitSynced();
      for (int i = 0; i < 50; i++) {
        alice.edit(d -> d.getText("notes").insert(d.getText("notes").length(), "coat "));
      }
      alice.edit(d -> d.getMap("rooms").set("kitchen", 42));
      expected = alice.content();
      // Wait until the server holds everything, then close it: closing stores every document.
      try (SyncClient bob = SyncClient.connect(first.server(), "estimate-7")) {
        bob.awaitSynced();
        await().atMost(Duration.ofSeconds(10)).until(() -> bob.content().equals(expected));
      }
    }

    try (Running second = start(); SyncClient carol = SyncClient.connect(second.server(), "estimate-7")) {
      carol.awaitSynced();

      assertThat(carol.content()).isEqualTo(expected);
      assertThat(expected).startsWith("coat coat ").endsWith("kitchen=42");
      assertThat(second.store().load(DocumentKey.of("paintbox", "estimate-7")).isEmpty()).isFalse();
    }
  }

  @Test
  void versions_surviveARestart_andARestoreReachesClients() {
    DocumentKey key = DocumentKey.of("paintbox", "estimate-8");
    long versionId;
    try (Running first = start(); SyncClient alice = SyncClient.connect(first.server(), key.name())) {
      alice.awaitSynced();
      alice.edit(d -> d.getText("notes").insert(0, "two coats"));
      // the version is of what the server holds: wait until alice's edit arrived
      await().atMost(Duration.ofSeconds(10)).until(() -> first.server().openDocument(key).thenCompose(h -> h.read(d -> d.getText("notes").toString())
              .whenComplete((r, e) -> h.close())).join().equals("two coats"));
      versionId = first.server().versions().save(key, "sent to the customer", "alice").join().id();
      alice.edit(d -> d.getText("notes").insert(0, "three coats, not "));
    }
    try (Running second = start(); SyncClient bob = SyncClient.connect(second.server(), key.name())) {
      bob.awaitSynced();
      assertThat(second.server().versions().list(key).join()).extracting(v -> v.label())
          .containsExactly("sent to the customer");
      assertThat(second.server().versions().open(key, versionId).join().getText("notes").toString())
          .isEqualTo("two coats");

      assertThat(second.server().versions().restore(key, versionId).join()).isTrue();

      await().atMost(Duration.ofSeconds(10)).until(() -> bob.content().startsWith("two coats"));
    }
  }
}
