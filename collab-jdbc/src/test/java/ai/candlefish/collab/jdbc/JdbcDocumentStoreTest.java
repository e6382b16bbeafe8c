package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentVersion;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.spi.VersionInfo;
import ai.candlefish.collab.testkit.CollidingKeys;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every test runs against a real PostgreSQL 17 and against H2 (see {@link Database}). */
class JdbcDocumentStoreTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "estimate-1");

  private final List<JdbcDocumentStore> stores = new ArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(JdbcDocumentStore::close);
  }

  private JdbcDocumentStore store(Database db, String prefix, int compactAfter) {
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(db.dataSource()).tablePrefix(prefix)
        .compactAfter(compactAfter).build();
    stores.add(store);
    return store;
  }

  private JdbcDocumentStore store(Database db) {
    return store(db, Database.freshPrefix(), Integer.MAX_VALUE);
  }

  /** {@code n} updates of one client, each inserting one character of a text and setting one map entry. */
  private static List<byte[]> edits(long clientId, int n, SplittableRandom random) {
    Doc doc = Doc.newBuilder().clientId(clientId).build();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((update, origin, txn) -> updates.add(update));
    for (int i = 0; i < n; i++) {
      int at = i;
      doc.transact(txn -> {
        var text = doc.getText("t");
        int length = text.length();
        if (length > 3 && random.nextInt(4) == 0) {
          text.delete(random.nextInt(length - 1), 1);
        } else {
          text.insert(random.nextInt(length + 1), Character.toString('a' + random.nextInt(26)));
        }
        doc.getMap("m").set(clientId + "-" + at, at);
      });
    }
    return updates;
  }

  /** Runs {@code task(0)} to {@code task(n - 1)} on {@code n} threads released at the same moment; their results. */
  private static <T> List<T> atOnce(int n, IntFunction<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int me = i;
        futures.add(pool.submit(() -> {
          start.await();
          return task.apply(me);
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdown();
    }
  }

  private static Doc docOf(List<byte[]> updates) {
    Doc doc = Doc.create();
    updates.forEach(doc::applyUpdate);
    return doc;
  }

  private static void assertSameDocument(Doc actual, Doc expected) {
    assertThat(actual.hasPendingUpdates()).isFalse();
    assertThat(actual.toJson()).isEqualTo(expected.toJson());
    assertThat(actual.stateVector()).isEqualTo(expected.stateVector());
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void versions_saveListLoadDelete(Database db) {
    JdbcDocumentStore store = store(db);
    DocumentKey other = DocumentKey.of("acme", "estimate-2");
    Instant t = Instant.parse("2026-12-04T06:00:00.123Z");
    VersionInfo first = store.saveVersion(KEY, "first draft", "ada", t, new byte[] {1}, new byte[] {2, 3});
    VersionInfo second = store.saveVersion(KEY, "sent", "bob", t.plusSeconds(60), new byte[] {4}, new byte[] {5});
    store.saveVersion(other, "elsewhere", "ada", t, new byte[] {6}, new byte[] {7});

    assertThat(store.listVersions(KEY)).containsExactly(first, second);
    assertThat(first.id()).isLessThan(second.id());
    assertThat(first.createdAt()).isEqualTo(t);
    DocumentVersion loaded = store.loadVersion(KEY, second.id());
    assertThat(loaded.info()).isEqualTo(second);
    assertThat(loaded.snapshot()).containsExactly(4);
    assertThat(loaded.state()).containsExactly(5);
    assertThat(store.loadVersion(other, second.id())).isNull();

    store.deleteVersions(KEY, List.of(first.id(), 12345L));
    assertThat(store.listVersions(KEY)).containsExactly(second);
    // erasing a document erases its versions, and only its own
    store.append(KEY, edits(1, 3, new SplittableRandom(1)).get(0));
    store.delete(KEY);
    assertThat(store.listVersions(KEY)).isEmpty();
    assertThat(store.listVersions(other)).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void append_keepsOrder(Database db) {
    JdbcDocumentStore store = store(db);
    List<byte[]> updates = edits(1, 300, new SplittableRandom(1));
    updates.forEach(u -> store.append(KEY, u));

    StoredDocument stored = store.load(KEY);

    assertThat(stored.updates()).containsExactlyElementsOf(updates);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void append_fromManyThreadsAtOnce_keepsEachDocumentsOrder(Database db) throws Exception {
    JdbcDocumentStore store = store(db);
    int threads = 12;
    List<List<byte[]>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      work.add(edits(300 + t, 80, new SplittableRandom(300 + t)));
    }

    atOnce(threads, t -> {
      work.get(t).forEach(u -> store.append(DocumentKey.of("acme", "doc-" + t), u));
      return null;
    });

    for (int t = 0; t < threads; t++) {
      assertThat(store.load(DocumentKey.of("acme", "doc-" + t)).updates()).containsExactlyElementsOf(work.get(t));
    }
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void load_nothingStored_isEmpty(Database db) {
    assertThat(store(db).load(KEY).isEmpty()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void load_afterAppendsFromManyClients_givesTheSameDocument(Database db) {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    JdbcDocumentStore store = store(db);
    List<byte[]> all = new ArrayList<>();
    for (int client = 1; client <= 4; client++) {
      all.addAll(edits(client, 60, random.split()));
    }
    Collections.shuffle(all, new java.util.Random(seed));
    all.forEach(u -> store.append(KEY, u));

    Doc loaded = docOf(store.load(KEY).updates());

    assertSameDocument(loaded, docOf(all));
    assertThat(loaded.getText("t").length()).as("seed %d", seed).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void append_pastCompactAfter_compactsIntoOneStateWithTheSameContent(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix(), 10);
    List<byte[]> updates = edits(7, 11, new SplittableRandom(2));
    updates.forEach(u -> store.append(KEY, u));

    await().atMost(Duration.ofSeconds(10)).until(() -> store.load(KEY).updateCount() == 1);

    assertSameDocument(docOf(store.load(KEY).updates()), docOf(updates));
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compaction_underConcurrentAppends_losesNothing(Database db) throws Exception {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 4);
    int threads = 8;
    int perThread = 150;
    List<List<byte[]>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      work.add(edits(100 + t, perThread, new SplittableRandom(t)));
    }
    DocumentKey other = DocumentKey.of("acme", "other");

    atOnce(threads, t -> {
      for (byte[] u : work.get(t)) {
        store.append(KEY, u);
        if (t % 2 == 0) {
          store.append(other, u);
        }
      }
      return null;
    });
    List<byte[]> all = new ArrayList<>();
    List<byte[]> toOther = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      all.addAll(work.get(t));
      if (t % 2 == 0) {
        toOther.addAll(work.get(t));
      }
    }

    // Compactions ran while the appends went on; wait for the last one, then nothing may be missing.
    await().atMost(Duration.ofSeconds(30)).until(() -> store.load(KEY).updateCount() <= 5);
    assertThat(db.count("SELECT COUNT(*) FROM " + prefix + "updates WHERE name = 'estimate-1'"))
        .isLessThan(threads * perThread);
    assertSameDocument(docOf(store.load(KEY).updates()), docOf(all));
    assertSameDocument(docOf(store.load(other).updates()), docOf(toOther));
    assertThat(docOf(store.load(KEY).updates()).getMap("m").size()).isEqualTo(threads * perThread);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compaction_racingReplacesAndDelete_losesNothingAndResurrectsNothing(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix(), 3);
    List<byte[]> updates = edits(22, 400, new SplittableRandom(22));
    Doc model = Doc.create();
    for (int i = 0; i < updates.size(); i++) {
      store.append(KEY, updates.get(i));
      model.applyUpdate(updates.get(i));
      if (i % 37 == 36) {
        store.replace(KEY, model.encodeStateAsUpdate()); // while a compaction of the rows it deletes may run
      }
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> store.load(KEY).updateCount() <= 4);
    assertSameDocument(docOf(store.load(KEY).updates()), model);

    store.append(KEY, edits(23, 1, new SplittableRandom(23)).get(0));
    store.append(KEY, edits(24, 1, new SplittableRandom(24)).get(0)); // past compactAfter again
    store.delete(KEY);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30)).until(() -> store.load(KEY).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void replace_isAtomicForConcurrentLoads(Database db) throws Exception {
    JdbcDocumentStore store = store(db);
    List<byte[]> updates = edits(3, 200, new SplittableRandom(3));
    updates.forEach(u -> store.append(KEY, u));
    byte[] state = docOf(updates).encodeStateAsUpdate();
    List<byte[]> before = store.load(KEY).updates();
    AtomicBoolean stop = new AtomicBoolean();
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        StoredDocument d = store.load(KEY);
        List<byte[]> rows = d.updates();
        boolean old = rows.size() == before.size();
        boolean replaced = rows.size() == 1 && java.util.Arrays.equals(rows.get(0), state);
        seen.add(old ? 0 : replaced ? 1 : -1);
      }
    });
    reader.start();
    await().until(() -> !seen.isEmpty());
    store.replace(KEY, state);
    await().until(() -> seen.contains(1));
    stop.set(true);
    reader.join();

    assertThat(seen).doesNotContain(-1);
    assertThat(store.load(KEY).updates()).containsExactly(state);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void replace_failingInsert_leavesWhatWasStored(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, Integer.MAX_VALUE);
    List<byte[]> updates = edits(21, 20, new SplittableRandom(21));
    updates.forEach(u -> store.append(KEY, u));
    // The database refuses rows of 1000 bytes or more: the delete of the replace succeeds, its insert fails.
    db.execute("ALTER TABLE " + prefix + "updates ADD CONSTRAINT " + prefix + "small"
        + " CHECK (OCTET_LENGTH(data) < 1000)");
    Doc big = docOf(updates);
    big.getText("t").insert(0, "x".repeat(2000));

    assertThatThrownBy(() -> store.replace(KEY, big.encodeStateAsUpdate())).isInstanceOf(StoreException.class)
        .hasMessageContaining("could not replace document " + KEY).hasMessageContaining("unchanged");

    assertThat(store.load(KEY).updates()).containsExactlyElementsOf(updates);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void replace_thenAppend_loadsStateThenUpdate(Database db) {
    JdbcDocumentStore store = store(db);
    List<byte[]> updates = edits(4, 20, new SplittableRandom(4));
    updates.subList(0, 10).forEach(u -> store.append(KEY, u));
    byte[] state = docOf(updates.subList(0, 10)).encodeStateAsUpdate();

    store.replace(KEY, state);
    store.append(KEY, updates.get(10));

    assertThat(store.load(KEY).updates()).containsExactly(state, updates.get(10));
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void delete_removesEveryRowOfTheDocumentOnly(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 5);
    DocumentKey kept = DocumentKey.of("acme", "kept");
    List<byte[]> updates = edits(5, 30, new SplittableRandom(5));
    updates.forEach(u -> {
      store.append(KEY, u);
      store.append(kept, u);
    });
    store.replace(KEY, docOf(updates).encodeStateAsUpdate());
    store.append(KEY, edits(6, 1, new SplittableRandom(6)).get(0));

    store.delete(KEY);

    assertThat(store.load(KEY).isEmpty()).isTrue();
    assertThat(db.count("SELECT COUNT(*) FROM " + prefix + "updates WHERE tenant = 'acme' AND name = 'estimate-1'"))
        .isZero();
    assertSameDocument(docOf(store.load(kept).updates()), docOf(updates));
    store.delete(KEY); // nothing stored: nothing to do
  }

  /**
   * Keys built to collide ({@link CollidingKeys}: separators, case, normalisation, trailing spaces, the longest names
   * and tenants differing in their last character) are distinct documents in every table: updates, versions and
   * client-id owners (the same id claimed in each), and erasing one leaves the others.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void keys_builtToCollide_areDistinctDocuments(Database db) {
    JdbcDocumentStore store = store(db);
    List<DocumentKey> keys = CollidingKeys.ALL;
    Instant t = Instant.parse("2026-12-07T08:00:00Z");
    List<byte[]> updates = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      DocumentKey key = keys.get(i);
      updates.add(edits(i + 1, 1, new SplittableRandom(i)).get(0));
      store.append(key, updates.get(i));
      store.saveVersion(key, "version " + i, "ada", t, new byte[] {(byte) i}, new byte[] {(byte) i});
      assertThat(store.claimClient(key, 42, "owner " + i)).as(key.toString()).isEqualTo("owner " + i);
    }
    store.delete(keys.get(0));

    assertThat(store.load(keys.get(0)).isEmpty()).isTrue();
    assertThat(store.listVersions(keys.get(0))).isEmpty();
    assertThat(store.loadClientOwners(keys.get(0))).isEmpty();
    for (int i = 1; i < keys.size(); i++) {
      DocumentKey key = keys.get(i);
      assertThat(store.load(key).updates()).as(key.toString()).containsExactly(updates.get(i));
      assertThat(store.listVersions(key)).as(key.toString()).singleElement()
          .extracting(VersionInfo::label).isEqualTo("version " + i);
      assertThat(store.loadClientOwners(key)).as(key.toString()).isEqualTo(Map.of(42L, "owner " + i));
    }
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void keys_longNonAsciiNames_areStored(Database db) {
    JdbcDocumentStore store = store(db);
    DocumentKey key = DocumentKey.of("ü".repeat(DocumentKey.MAX_TENANT_LENGTH),
        "文".repeat(DocumentKey.MAX_NAME_LENGTH));
    byte[] update = edits(10, 1, new SplittableRandom(10)).get(0);

    store.append(key, update);

    assertThat(store.load(key).updates()).containsExactly(update);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void claimClient_firstClaimWins_acrossStores_andDeleteRemovesTheClaims(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore one = store(db, prefix, 100);
    JdbcDocumentStore other = store(db, prefix, 100);
    DocumentKey elsewhere = DocumentKey.of("acme", "elsewhere");
    assertThat(one.loadClientOwners(KEY)).isEmpty();

    assertThat(one.claimClient(KEY, 42, "alice")).isEqualTo("alice");
    assertThat(other.claimClient(KEY, 42, "mallory")).as("another node, later").isEqualTo("alice");
    assertThat(one.claimClient(KEY, 42, "alice")).as("a retried claim").isEqualTo("alice");
    assertThat(other.claimClient(KEY, 4_294_967_295L, "bob")).isEqualTo("bob");
    assertThat(one.claimClient(elsewhere, 42, "mallory")).as("another document").isEqualTo("mallory");
    assertThat(other.loadClientOwners(KEY)).isEqualTo(Map.of(42L, "alice", 4_294_967_295L, "bob"));

    one.delete(KEY);
    assertThat(other.loadClientOwners(KEY)).isEmpty();
    assertThat(other.loadClientOwners(elsewhere)).isEqualTo(Map.of(42L, "mallory"));
    assertThatThrownBy(() -> one.claimClient(KEY, 1, "x".repeat(1025)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void claimClients_claimsWhatNobodyOwns_inOneCall_andAnswersTheOwnersOnRecord(Database db) throws Exception {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore one = store(db, prefix, 100);
    JdbcDocumentStore other = store(db, prefix, 100);
    other.claimClient(KEY, 3, "mallory");
    List<Long> imported = java.util.stream.LongStream.range(0, 5_000).boxed().toList();

    Map<Long, String> onRecord = one.claimClients(KEY, imported, "alice");

    assertThat(onRecord).hasSize(5_000).containsEntry(3L, "mallory").containsEntry(0L, "alice")
        .containsEntry(4_999L, "alice");
    assertThat(other.loadClientOwners(KEY)).isEqualTo(onRecord);
    assertThat(one.claimClients(KEY, List.of(4_999L, 5_000L), "bob")).as("a second import")
        .isEqualTo(Map.of(4_999L, "alice", 5_000L, "bob"));

    // Two nodes claiming the same ids at once: one wins each id, and both answer what is on record.
    DocumentKey contested = DocumentKey.of("acme", "contested");
    List<Long> ids = java.util.stream.LongStream.range(0, 500).boxed().toList();
    List<Map<Long, String>> answers = atOnce(2, i -> (i == 0 ? one : other).claimClients(contested, ids,
        i == 0 ? "alice" : "bob"));
    assertThat(answers.get(0)).isEqualTo(answers.get(1)).isEqualTo(one.loadClientOwners(contested)).hasSize(500);
    assertThatThrownBy(() -> one.claimClients(KEY, List.of(1L), "x".repeat(1025)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void build_twice_keepsDataAndSchema(Database db) {
    String prefix = Database.freshPrefix();
    byte[] update = edits(11, 1, new SplittableRandom(11)).get(0);
    store(db, prefix, 100).append(KEY, update);

    JdbcDocumentStore second = store(db, prefix, 100);

    assertThat(second.load(KEY).updates()).containsExactly(update);
    assertThat(db.count("SELECT version FROM " + prefix + "schema_version WHERE id = 1"))
        .isEqualTo(Tables.SCHEMA_VERSION);
    assertThat(db.count("SELECT COUNT(*) FROM " + prefix + "schema_version")).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void build_concurrentlyOnAFreshDatabase_allSucceed(Database db) throws Exception {
    String prefix = Database.freshPrefix();
    int n = 6;

    stores.addAll(atOnce(n, i -> JdbcDocumentStore.newBuilder(db.dataSource()).tablePrefix(prefix).build()));

    byte[] update = edits(12, 1, new SplittableRandom(12)).get(0);
    stores.get(0).append(KEY, update);

    assertThat(stores.get(n - 1).load(KEY).updates()).containsExactly(update);
    assertThat(db.count("SELECT COUNT(*) FROM " + prefix + "schema_version")).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void build_newerSchemaVersion_isRefused(Database db) {
    String prefix = Database.freshPrefix();
    store(db, prefix, 100);
    db.execute("UPDATE " + prefix + "schema_version SET version = 99");

    assertThatThrownBy(() -> store(db, prefix, 100)).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99").hasMessageContaining("newer");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void load_corruptRow_throwsStoreExceptionNamingTheRow(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 100);
    edits(13, 3, new SplittableRandom(13)).forEach(u -> store.append(KEY, u));
    long seq = db.count("SELECT MAX(seq) FROM " + prefix + "updates");
    // Claims a struct count far beyond the bytes that follow.
    db.overwriteData(prefix, "seq = " + seq, new byte[] {1, (byte) 0xff});

    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt").hasMessageContaining("seq " + seq).hasMessageContaining(KEY.toString());
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void load_truncatedRow_throwsStoreException(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 100);
    List<byte[]> updates = edits(20, 5, new SplittableRandom(20));
    byte[] state = docOf(updates).encodeStateAsUpdate();
    store.replace(KEY, state);
    db.overwriteData(prefix, "1 = 1", java.util.Arrays.copyOf(state, state.length / 2));

    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(StoreException.class).hasMessageContaining("corrupt")
        .hasCauseInstanceOf(ai.candlefish.collab.core.DecodingException.class);
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compaction_corruptRow_leavesRowsAndLoadStillFails(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 3);
    List<byte[]> updates = edits(14, 6, new SplittableRandom(14));
    store.append(KEY, updates.get(0));
    db.overwriteData(prefix, "1 = 1", new byte[] {1, (byte) 0xff});
    updates.subList(1, 6).forEach(u -> store.append(KEY, u)); // past compactAfter: a compaction is tried

    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30)).until(() ->
        db.count("SELECT COUNT(*) FROM " + prefix + "updates") == 6);
    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(StoreException.class).hasMessageContaining("corrupt");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void appendAsync_manyDocumentsFromOneThread_completeOnceStoredAndKeepEachDocumentsOrder(Database db) {
    JdbcDocumentStore store = store(db);
    int documents = 40;
    List<List<byte[]>> work = new ArrayList<>();
    List<CompletableFuture<Void>> chains = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      work.add(edits(500 + d, 12, new SplittableRandom(500 + d)));
      chains.add(CompletableFuture.completedFuture(null));
    }

    // As a server writes: one document's next append once its last one completed, no thread waiting on any.
    for (int i = 0; i < 12; i++) {
      for (int d = 0; d < documents; d++) {
        DocumentKey key = DocumentKey.of("acme", "async-" + d);
        byte[] update = work.get(d).get(i);
        chains.set(d, chains.get(d).thenCompose(v -> store.appendAsync(key, update)));
      }
    }
    CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).join();

    for (int d = 0; d < documents; d++) {
      assertThat(store.load(DocumentKey.of("acme", "async-" + d)).updates()).containsExactlyElementsOf(work.get(d));
    }
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void append_tableGone_throwsStoreExceptionAndLaterAppendsWork(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 100);
    List<byte[]> updates = edits(15, 2, new SplittableRandom(15));
    db.execute("ALTER TABLE " + prefix + "updates RENAME TO " + prefix + "moved");

    assertThatThrownBy(() -> store.append(KEY, updates.get(0))).isInstanceOf(StoreException.class)
        .hasMessageContaining("could not append to document " + KEY).hasMessageContaining("retry");
    assertThatThrownBy(store.appendAsync(KEY, updates.get(0))::join).hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("could not append to document " + KEY);
    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(StoreException.class)
        .hasMessageContaining("could not load document " + KEY);

    db.execute("ALTER TABLE " + prefix + "moved RENAME TO " + prefix + "updates");
    store.append(KEY, updates.get(1));
    assertThat(store.load(KEY).updates()).containsExactly(updates.get(1));
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void close_thenEveryCall_isRefusedAndTheDataStays(Database db) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix, 100);
    byte[] update = edits(16, 1, new SplittableRandom(16)).get(0);
    store.append(KEY, update);
    store.close();

    assertThatThrownBy(() -> store.append(KEY, update)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.appendAsync(KEY, update)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.load(KEY)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(store(db, prefix, 100).load(KEY).updates()).containsExactly(update);
  }

  /**
   * H2 closes its file, and with it the database, when a thread is interrupted during file I/O; WRITE_DELAY=0 makes
   * each commit write to the file on the committing thread, so an interrupted compaction would show it.
   */
  @Test
  void close_whileCompactingOnH2_leavesTheDatabaseUsable(@TempDir Path dir) {
    try (HikariDataSource h2 = new HikariDataSource()) {
      h2.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;WRITE_DELAY=0");
      List<byte[]> updates = edits(18, 3000, new SplittableRandom(18));
      try (JdbcDocumentStore writer = JdbcDocumentStore.newBuilder(h2).compactAfter(Integer.MAX_VALUE).build()) {
        updates.forEach(u -> writer.append(KEY, u));
      }
      JdbcDocumentStore compacting = JdbcDocumentStore.newBuilder(h2).compactAfter(1).build();

      compacting.load(KEY); // past compactAfter: a compaction of 3000 rows starts
      compacting.close(); // and must be let finish, not interrupted

      try (JdbcDocumentStore next = JdbcDocumentStore.newBuilder(h2).build()) {
        assertSameDocument(docOf(next.load(KEY).updates()), docOf(updates));
        next.append(KEY, edits(19, 1, new SplittableRandom(19)).get(0));
        assertThat(next.load(KEY).updateCount()).isBetween(2, 3001);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void calls_fromAnInterruptedThread_endTheWaitOnlyAndStillComplete(Database db) {
    JdbcDocumentStore store = store(db);
    List<byte[]> updates = edits(17, 3, new SplittableRandom(17));
    store.append(KEY, updates.get(0));
    byte[] state = docOf(updates.subList(0, 2)).encodeStateAsUpdate();
    try {
      whileInterrupted(() -> store.replace(KEY, state));
      await().atMost(Duration.ofSeconds(30)).until(() -> store.load(KEY).updateCount() == 1);
      whileInterrupted(() -> store.append(KEY, updates.get(2)));
    } finally {
      Thread.interrupted();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> store.load(KEY).updateCount() == 2);
    assertThat(store.load(KEY).updates()).containsExactly(state, updates.get(2));
  }

  /**
   * Runs {@code call} on an interrupted thread: the interrupt ends its wait with a StoreException that says so,
   * unless the store was done before the call began to wait (a fast database); either way the interrupt stays set.
   */
  private static void whileInterrupted(Runnable call) {
    Thread.currentThread().interrupt();
    try {
      call.run();
    } catch (StoreException e) {
      assertThat(e).hasMessageContaining("interrupted");
    }
    assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
  }

  @Test
  void builder_badSettings_failFastNamingTheValue() {
    var b = JdbcDocumentStore.newBuilder(Database.H2.dataSource());
    assertThatThrownBy(() -> b.tablePrefix("drop table;")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'drop table;'");
    assertThatThrownBy(() -> b.tablePrefix("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.compactAfter(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> b.compactAfterBytes(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> b.maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcDocumentStore.newBuilder(null)).isInstanceOf(NullPointerException.class);
  }
}
