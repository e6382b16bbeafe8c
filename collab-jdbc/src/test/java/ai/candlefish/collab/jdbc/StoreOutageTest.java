package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.ServerWatch;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops under a server whose clients keep writing, and comes back: what waits for the store stays within
 * the server's bound ({@code maxUnstoredBytes}), writers past it are refused with 1013, readers keep reading, and
 * everything the server accepted is stored once the database is back. A real PostgreSQL server of its own (not the
 * shared one of {@link Database}), stopped and started again on the same data directory and port.
 */
class StoreOutageTest {
  private static final long MIB = 1 << 20;
  private static final DocumentKey KEY = DocumentKey.of("paintbox", "estimate-outage");
  /** Writers that try, 512 KiB each: 64 MiB, twice the heap the watch allows. */
  private static final int ATTEMPTS = 128;

  @TempDir
  Path dir;
  /** The database while it runs; stopped after the server that uses it. */
  private EmbeddedPostgres pg;

  private void startPostgres(int port) throws IOException {
    pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
        .setPort(port).start();
  }

  @AfterEach
  void stopPostgres() throws IOException {
    pg.close();
  }

  @Test
  void postgresDown_writersPastTheBacklogBound_areRefused_andEverythingAcceptedIsStoredWhenItIsBack()
      throws Exception {
    startPostgres(0);
    int port = pg.getPort();
    HikariConfig pool = new HikariConfig();
    pool.setDataSource(pg.getPostgresDatabase());
    pool.setMaximumPoolSize(4);
    pool.setConnectionTimeout(1000); // a store call fails after 1 s of a database that does not answer
    try (HikariDataSource dataSource = new HikariDataSource(pool);
        JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build();
        CollabServer server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
            .authenticator(Authenticator.insecureAllowAll("paintbox")).storeDebounce(Duration.ofMillis(10))
            .storeMaxWait(Duration.ofMillis(50)).storeRetryMax(Duration.ofMillis(500))
            .maxUnstoredBytes(4 * MIB, 0).build().start();
        SyncClient reader = SyncClient.connect(server, KEY.name())) {
      reader.awaitSynced();
      pg.close();

      // Each attempt: a fresh writer sets a scratch value of 512 KiB and leaves a marker, in one update. The document
      // holds the last value only (each one collects the one before), while what waits for the store holds them all.
      ServerWatch watch = ServerWatch.of("store down").heapBound(32 * MIB)
          .roundTrip("a reader joins", () -> {
            try (SyncClient joiner = SyncClient.connect(server, KEY.name())) {
              joiner.awaitSynced();
            }
          })
          .start();
      String value = "x".repeat(512 * 1024);
      int accepted = 0;
      int refused = 0;
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        String marker = "<" + attempt + ">";
        try (SyncClient writer = SyncClient.connect(server, KEY.name())) {
          writer.awaitSynced();
          writer.edit(d -> {
            d.getMap("rooms").set("scratch", value);
            d.getText("notes").insert(d.getText("notes").length(), marker);
          });
          await().atMost(Duration.ofSeconds(30))
              .until(() -> reader.notes().contains(marker) || writer.closeCode() != null);
          if (reader.notes().contains(marker)) {
            accepted++;
          } else {
            assertThat(writer.closeCode()).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
            refused++;
          }
        }
      }
      watch.check();
      // 4 MiB of 512 KiB values: the eighth reaches the bound, the ninth is refused.
      assertThat(accepted).as("accepted while the store was down").isEqualTo(8);
      assertThat(refused).isEqualTo(ATTEMPTS - accepted);

      startPostgres(port);
      await().atMost(Duration.ofSeconds(60)).until(() -> storedNotes(store).equals(reader.notes()));
      String stored = storedNotes(store);
      for (int attempt = 0; attempt < accepted; attempt++) {
        assertThat(stored).contains("<" + attempt + ">");
      }
      try (SyncClient late = SyncClient.connect(server, KEY.name())) {
        late.awaitSynced();
        assertThat(late.notes()).isEqualTo(stored);
      }
    }
  }

  /** The notes as the store holds them; "" while it cannot say. */
  private static String storedNotes(JdbcDocumentStore store) {
    try {
      Doc doc = Doc.create();
      store.load(KEY).updates().forEach(doc::applyUpdate);
      return doc.getText("notes").toString();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
