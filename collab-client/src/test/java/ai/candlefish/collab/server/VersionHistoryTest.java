package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.core.Delta;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.spi.VersionInfo;
import ai.candlefish.collab.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link VersionHistory} on a running server with a {@link CollabClient} editing the document. */
class VersionHistoryTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "estimate");

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private CollabServer server;
  private CollabClient client;
  private ClientDocument document;

  @BeforeEach
  void start() throws Exception {
    server = startServer(store);
    client = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token("alice").build();
    client.connect().get(10, TimeUnit.SECONDS);
    document = client.open(KEY.name()).get(10, TimeUnit.SECONDS);
  }

  private static CollabServer startServer(DocumentStore store) {
    return CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).build().start();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private void edit(java.util.function.Consumer<Doc> change) throws Exception {
    document.edit(txn -> change.accept(document.doc())).get(10, TimeUnit.SECONDS);
  }

  private String clientText() {
    synchronized (document.doc()) {
      return document.doc().getText("t").toString();
    }
  }

  @Test
  void saveListOpen_giveTheDocumentAsItWas() throws Exception {
    edit(d -> d.getText("t").insert(0, "hello"));
    VersionInfo first = server.versions().save(KEY, "first draft", "alice").join();
    edit(d -> d.getText("t").insert(5, " world"));
    VersionInfo second = server.versions().save(KEY, "sent to the customer", "bob").join();

    assertThat(server.versions().list(KEY).join()).containsExactly(first, second);
    assertThat(first.label()).isEqualTo("first draft");
    assertThat(second.author()).isEqualTo("bob");
    assertThat(server.versions().open(KEY, first.id()).join().getText("t").toString()).isEqualTo("hello");
    assertThat(server.versions().open(KEY, second.id()).join().getText("t").toString()).isEqualTo("hello world");
    assertThatThrownBy(() -> server.versions().open(KEY, 999).join()).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(NoSuchElementException.class);
    assertThatThrownBy(() -> server.versions().save(KEY, "x".repeat(201), "alice"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restore_isAForwardEditThatClientsReceiveAndTheStoreKeeps() throws Exception {
    edit(d -> {
      d.getText("t").insert(0, "hello world");
      d.getMap("m").set("total", 100);
    });
    VersionInfo version = server.versions().save(KEY, "v1", "alice").join();
    edit(d -> {
      d.getText("t").delete(0, 6);
      d.getText("t").insert(0, "goodbye ");
      d.getMap("m").set("total", 250);
    });

    assertThat(server.versions().restore(KEY, version.id()).join()).isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> clientText().equals("hello world"));
    synchronized (document.doc()) {
      assertThat(document.doc().getMap("m").get("total")).isEqualTo(100);
    }
    // the restore was stored like any edit: a new server on the same store loads the restored content
    client.close();
    server.close();
    StoredDocument stored = store.load(KEY);
    Doc reloaded = Doc.create();
    stored.updates().forEach(reloaded::applyUpdate);
    assertThat(reloaded.getText("t").toString()).isEqualTo("hello world");
    server = startServer(store);
    client = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token("alice").build();
  }

  @Test
  void compare_marksWhatChangedBetweenVersions() throws Exception {
    edit(d -> d.getText("t").insert(0, "abc"));
    VersionInfo before = server.versions().save(KEY, "before", "alice").join();
    edit(d -> {
      d.getText("t").delete(1, 1);
      d.getText("t").insert(2, "de");
    });
    VersionInfo after = server.versions().save(KEY, "after", "alice").join();

    VersionComparison comparison = server.versions().compare(KEY, before.id(), after.id()).join();
    List<Delta> changes = comparison.textChanges("t");

    assertThat(changes).extracting(d -> d.insert()).containsExactly("a", "b", "c", "de");
    assertThat(changes.get(1).attributes().get("ychange")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("type", "removed");
    assertThat(changes.get(3).attributes().get("ychange")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("type", "added");
    assertThat(comparison.doc().getText("t").toDelta(comparison.fromSnapshot(), null, null))
        .containsExactly(Delta.insert("abc"));
  }

  @Test
  void prune_keepsRecentAndLastVersions_andDeletingTheDocumentDeletesThem() throws Exception {
    edit(d -> d.getText("t").insert(0, "x"));
    store.saveVersion(KEY, "old", "alice", Instant.now().minus(Duration.ofDays(10)), new byte[] {0, 0},
        new byte[] {0, 0});
    for (int i = 0; i < 3; i++) {
      server.versions().save(KEY, "v" + i, "alice").join();
    }

    assertThat(server.versions().prune(KEY, Duration.ofDays(10).plusHours(1), 0).join()).isEqualTo(0);
    assertThat(server.versions().prune(KEY, Duration.ofDays(5), 3).join()).isEqualTo(1);
    assertThat(server.versions().list(KEY).join()).hasSize(3);
    assertThat(server.versions().prune(KEY, Duration.ZERO, 1).join()).isEqualTo(2);
    assertThat(server.versions().list(KEY).join()).extracting(VersionInfo::label).containsExactly("v2");

    store.delete(KEY);
    assertThat(store.listVersions(KEY)).isEmpty();
  }

  @Test
  void save_onAStoreWithoutVersions_isRefused() throws Exception {
    DocumentStore plain = new DocumentStore() {
      @Override
      public StoredDocument load(DocumentKey key) {
        return StoredDocument.empty();
      }

      @Override
      public void append(DocumentKey key, byte[] update) {}

      @Override
      public void replace(DocumentKey key, byte[] state) {}

      @Override
      public void delete(DocumentKey key) {}
    };
    CollabServer other = startServer(plain);
    try {
      assertThatThrownBy(() -> other.versions().save(KEY, "v", "alice").join())
          .hasCauseInstanceOf(UnsupportedOperationException.class);
    } finally {
      other.close();
    }
  }
}
