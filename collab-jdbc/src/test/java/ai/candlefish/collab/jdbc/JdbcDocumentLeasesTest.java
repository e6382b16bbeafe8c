package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.LeaseLostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Leases against a real PostgreSQL 17 and H2 (see {@link Database}). Nodes are {@link JdbcDocumentLeases} instances
 * with their own ids on one database; their heartbeats are driven by the tests ({@code heartbeatInterval(ZERO)}), so
 * "a node stops" is "its heartbeat stops", as for a node killed or paused.
 */
class JdbcDocumentLeasesTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "estimate-1");
  private static final Duration TTL = Duration.ofMillis(300);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private JdbcDocumentStore store(Database db, String prefix) {
    JdbcDocumentStore store = JdbcDocumentStore.newBuilder(db.dataSource()).tablePrefix(prefix).build();
    closeables.add(store);
    return store;
  }

  private JdbcDocumentLeases node(JdbcDocumentStore store, String id) {
    return node(store, id, TTL);
  }

  private JdbcDocumentLeases node(JdbcDocumentStore store, String id, Duration ttl) {
    JdbcDocumentLeases leases = JdbcDocumentLeases.newBuilder(store).nodeId(id).ttl(ttl)
        .heartbeatInterval(Duration.ZERO).build();
    closeables.add(0, leases);
    return leases;
  }

  /** A store, node "a" holding the lease of {@link #KEY}, and the name of the updates table. */
  private record Held(JdbcDocumentStore store, JdbcDocumentLeases node, DocumentLease lease, String rows) {}

  /** {@link #KEY} with {@code n} rows, "r0 " by client 1 and so on, in a fresh store whose node "a" holds it. */
  private Held heldWithRows(Database db, int n) {
    String prefix = Database.freshPrefix();
    JdbcDocumentStore store = store(db, prefix);
    JdbcDocumentLeases a = node(store, "a");
    for (int i = 0; i < n; i++) {
      store.append(KEY, text(i + 1, "r" + i + " "));
    }
    return new Held(store, a, a.tryAcquire(KEY), prefix + "updates");
  }

  private static byte[] text(long client, String s) {
    Doc doc = Doc.newBuilder().clientId(client).build();
    doc.getText("t").insert(0, s);
    return doc.encodeStateAsUpdate();
  }

  private static String load(JdbcDocumentStore store) {
    Doc doc = Doc.create();
    store.load(KEY).updates().forEach(doc::applyUpdate);
    return doc.getText("t").toString();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquire_freeDocument_givesEpochOneAndRefusesOthers(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");

    DocumentLease lease = a.tryAcquire(KEY);

    assertThat(lease).isEqualTo(new DocumentLease(KEY, "a", 1));
    assertThat(a.tryAcquire(KEY)).isEqualTo(lease);
    assertThat(b.tryAcquire(KEY)).isNull();
    assertThat(a.isCurrent(lease)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquire_afterRelease_takesOverWithNextEpoch(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");
    DocumentLease first = a.tryAcquire(KEY);

    a.release(first);
    DocumentLease second = b.tryAcquire(KEY);

    assertThat(second).isEqualTo(new DocumentLease(KEY, "b", 2));
    assertThat(a.isCurrent(first)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquireAll_manyDocuments_grantsAllButThoseAnotherLiveNodeHolds(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    Duration ttl = Duration.ofSeconds(60);
    JdbcDocumentLeases a = node(store, "a", ttl);
    JdbcDocumentLeases b = node(store, "b", ttl);
    List<DocumentKey> keys = new ArrayList<>();
    for (int i = 0; i < 450; i++) { // more than one query's worth
      keys.add(DocumentKey.of("acme", "doc-" + i));
    }
    DocumentLease heldByA = a.tryAcquire(keys.get(0));
    a.tryAcquire(keys.get(449));
    a.release(a.tryAcquire(keys.get(1)));

    Map<DocumentKey, DocumentLease> granted = b.tryAcquireAll(keys);

    assertThat(granted).hasSize(448).doesNotContainKeys(keys.get(0), keys.get(449));
    assertThat(granted.get(keys.get(1))).isEqualTo(new DocumentLease(keys.get(1), "b", 2));
    assertThat(granted.get(keys.get(2))).isEqualTo(new DocumentLease(keys.get(2), "b", 1));
    assertThat(granted.values()).allMatch(b::isTrusted);
    assertThat(b.tryAcquireAll(keys)).as("b's own leases, as they are").isEqualTo(granted);
    assertThat(a.tryAcquireAll(keys.subList(0, 3))).containsExactly(Map.entry(keys.get(0), heldByA));
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquireAll_afterTheOwnersHeartbeatStops_takesOverWithNextEpoch(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");
    DocumentLease first = a.tryAcquire(KEY);

    // a never beats again; b takes over once a's heartbeat expires by the database's clock
    Map<DocumentKey, DocumentLease> granted = new HashMap<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      granted.putAll(b.tryAcquireAll(List.of(KEY)));
      return !granted.isEmpty();
    });

    assertThat(granted.get(KEY)).isEqualTo(new DocumentLease(KEY, "b", first.epoch() + 1));
    assertThat(a.isCurrent(first)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquire_whileOwnerHeartbeats_isRefused_andAfterItStops_takesOver(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");
    DocumentLease first = a.tryAcquire(KEY);
    a.heartbeat();
    assertThat(b.tryAcquire(KEY)).isNull();

    // a stops beating; b takes over once a's heartbeat expires by the database's clock
    DocumentLease[] second = new DocumentLease[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> (second[0] = b.tryAcquire(KEY)) != null);

    assertThat(second[0].epoch()).isEqualTo(first.epoch() + 1);
    assertThat(a.isCurrent(first)).isFalse();
    b.heartbeat();
    assertThat(a.tryAcquire(KEY)).as("a is back, but b's heartbeat is live").isNull();
  }

  /**
   * A close that meets a heartbeat under way waits for it: once close returns no renewal is written, so the caller
   * may close the store and its pool (before, the renewal went on and failed, or landed, after close). Here the
   * node's row is locked, so that the heartbeat's write waits in the database while close is called.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void close_whileAHeartbeatIsUnderWay_waitsForIt(Database db) throws Exception {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = JdbcDocumentLeases.newBuilder(store).nodeId("a").ttl(Duration.ofSeconds(20))
        .heartbeatInterval(Duration.ofMillis(20)).build();
    closeables.add(0, a);
    try (Connection lock = db.dataSource().getConnection()) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.executeQuery("SELECT node_id FROM " + store.tables().nodesTable + " WHERE node_id = 'a' FOR UPDATE")
            .close();
      }
      await("a heartbeat waits for the row").atMost(Duration.ofSeconds(10)).until(() -> db.lockWaits() == 1);

      Thread closing = new Thread(a::close, "closing a");
      closing.start();
      await("close returns or waits").atMost(Duration.ofSeconds(10)).until(() ->
          closing.getState() == Thread.State.TERMINATED || closing.getState() == Thread.State.TIMED_WAITING);
      assertThat(closing.isAlive()).as("close returned while its heartbeat was under way").isTrue();

      lock.commit();
      closing.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(closing.isAlive()).as("close returns once the heartbeat is written").isFalse();
    }
  }

  /**
   * A node whose heartbeat lapsed (the database unreachable, the node paused) no longer trusts the leases it held,
   * not even once a heartbeat gets through again: another node may have taken them meanwhile. It trusts a lease again
   * only when the database grants it again.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void isTrusted_afterTheHeartbeatLapsed_onlyOnceGrantedAgain(Database db) {
    Duration ttl = Duration.ofSeconds(2); // long enough for the steps between a heartbeat and a look on a busy machine
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a", ttl);
    JdbcDocumentLeases b = node(store, "b", ttl);
    a.heartbeat();
    DocumentLease first = a.tryAcquire(KEY);
    assertThat(a.isTrusted(first)).isTrue();

    await("a's heartbeat lapses").atMost(Duration.ofSeconds(20)).until(() -> !a.isTrusted(first));
    a.heartbeat();
    assertThat(a.isTrusted(first)).as("renewed after a gap: someone may have taken it").isFalse();
    assertThat(a.tryAcquire(KEY)).as("nobody did: the same epoch").isEqualTo(first);
    assertThat(a.isTrusted(first)).isTrue();

    await("a's heartbeat lapses again").atMost(Duration.ofSeconds(20)).until(() -> !a.isTrusted(first));
    DocumentLease[] second = new DocumentLease[1];
    await("b takes it over").atMost(Duration.ofSeconds(20)).until(() -> {
      b.heartbeat();
      return (second[0] = b.tryAcquire(KEY)) != null;
    });
    assertThat(second[0].epoch()).isEqualTo(first.epoch() + 1);
    a.heartbeat();
    assertThat(a.isTrusted(first)).as("a is back, but b holds the document").isFalse();
    assertThat(a.tryAcquire(KEY)).isNull();
    assertThat(a.isTrusted(first)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_staleEpochAfterTakeOver_isRefusedAndWritesNothing(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");
    store.append(KEY, text(1, "one "));
    DocumentLease stale = a.tryAcquire(KEY);
    await().atMost(Duration.ofSeconds(10)).until(() -> b.tryAcquire(KEY) != null);
    DocumentLease current = b.tryAcquire(KEY);
    store.append(KEY, text(2, "two "));
    b.heartbeat();

    // a was paused past its lease, comes back, and compacts from what it holds (which lacks "two")
    assertThatThrownBy(() -> a.compact(stale, text(1, "one ")))
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("held by b at epoch " + current.epoch());

    assertThat(store.load(KEY).updateCount()).isEqualTo(2);
    b.compact(current, null);
    assertThat(store.load(KEY).updateCount()).isEqualTo(1);
    assertThat(load(store)).contains("one ").contains("two ");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_stateThatLacksStoredRows_keepsThem(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    store.append(KEY, text(1, "mine "));
    store.append(KEY, text(2, "appended by another node "));
    DocumentLease lease = a.tryAcquire(KEY);

    a.compact(lease, text(1, "mine ")); // a's copy has not seen client 2's update yet

    assertThat(store.load(KEY).updateCount()).isEqualTo(1);
    assertThat(load(store)).contains("mine ").contains("appended by another node ");
  }

  /**
   * A held state that holds every row (the lease holder's usual case) is stored as it is, not folded again in a
   * fresh document: here a state that keeps its deleted text (a document without garbage collection), which a fold
   * would have collected, so the stored bytes tell the two apart.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_stateThatHoldsEveryRow_isStoredAsItIs(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    Doc holder = Doc.newBuilder().clientId(1).gc(false).build();
    List<byte[]> rows = new ArrayList<>();
    holder.onUpdate((u, o, t) -> rows.add(u));
    holder.getText("t").insert(0, "gone kept");
    holder.getText("t").delete(0, 5);
    rows.forEach(row -> store.append(KEY, row));
    byte[] held = holder.encodeStateAsUpdate();
    DocumentLease lease = a.tryAcquire(KEY);

    a.compact(lease, held);

    assertThat(store.load(KEY).updates()).singleElement().isEqualTo(held);
    assertThat(load(store)).isEqualTo("kept");
  }

  /** The held state is folded first and the rows after it: a row that only deletes must not be taken as known. */
  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_stateThatLacksAStoredDeletion_appliesIt(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    byte[] mine = text(1, "mine kept");
    Doc other = Doc.newBuilder().clientId(2).build();
    other.applyUpdate(mine);
    byte[] before = other.encodeStateVector();
    other.getText("t").delete(0, 5);
    store.append(KEY, mine);
    store.append(KEY, other.encodeStateAsUpdate(before)); // only a deletion: no struct a lacks
    DocumentLease lease = a.tryAcquire(KEY);

    a.compact(lease, mine); // a's copy has not seen the deletion yet

    assertThat(store.load(KEY).updateCount()).isEqualTo(1);
    assertThat(load(store)).isEqualTo("kept");
  }

  /**
   * The lock order against a replace or delete, which lock a document's rows in sequence order: with such a
   * transaction holding the first row, the fenced compaction waits at that row and holds no other (the replace can
   * lock the rest at once: no deadlock); once the replace committed, what it stored stays.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_whileAReplaceHoldsTheFirstRow_waitsThereHoldingNoOtherRow(Database db) throws Exception {
    Held held = heldWithRows(db, 5);
    JdbcDocumentStore store = held.store();
    JdbcDocumentLeases a = held.node();
    DocumentLease lease = held.lease();
    String rows = held.rows();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection replace = db.dataSource().getConnection()) {
      replace.setAutoCommit(false);
      long first = db.count("SELECT MIN(seq) FROM " + rows);
      try (Statement s = replace.createStatement()) {
        // a replace that has locked its first row and not yet the others
        s.executeQuery("SELECT seq FROM " + rows + " WHERE seq = " + first + " FOR UPDATE").close();
      }
      Future<?> compaction = pool.submit(() -> a.compact(lease, text(1, "r0 ")));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.lockWaits() == 1);

      try (Statement s = replace.createStatement();
          ResultSet rs = s.executeQuery("SELECT seq FROM " + rows + " WHERE seq > " + first
              + " ORDER BY seq FOR UPDATE NOWAIT")) {
        int others = 0;
        while (rs.next()) {
          others++;
        }
        assertThat(others).as("rows the replace locked without waiting").isEqualTo(4);
      }
      try (Statement s = replace.createStatement()) {
        s.executeUpdate("DELETE FROM " + rows);
      }
      try (PreparedStatement s = replace.prepareStatement(store.tables().insert)) {
        JdbcDocumentStore.bindKey(s, Tables.hash(KEY), KEY);
        s.setBytes(4, text(9, "replaced "));
        s.executeUpdate();
      }
      replace.commit();
      compaction.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(load(store)).contains("replaced ");
  }

  /**
   * A compaction deletes what it folded as one range of sequence numbers: a row whose number falls in that range but
   * which committed only after the compaction read the rows is in no state, and stays. Here the compaction reads,
   * then waits at the first row's lock while that row commits: its delete counts one row more than it folded, and it
   * rolls back; the next compaction folds that row too.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_rowCommittedIntoItsRangeAfterTheRead_keepsIt(Database db) throws Exception {
    Held held = heldWithRows(db, 3);
    String rows = held.rows();
    try (Connection late = db.dataSource().getConnection();
        Connection locker = db.dataSource().getConnection()) {
      late.setAutoCommit(false);
      locker.setAutoCommit(false);
      try (PreparedStatement s = late.prepareStatement(held.store().tables().insert)) {
        JdbcDocumentStore.bindKey(s, Tables.hash(KEY), KEY);
        s.setBytes(4, text(8, "late "));
        s.executeUpdate(); // its sequence number taken now, its commit after the compaction's read
      }
      // After it in sequence, committed before it: the last row the compaction reads.
      held.store().append(KEY, text(4, "r3 "));
      try (Statement s = locker.createStatement()) {
        s.executeQuery("SELECT seq FROM " + rows + " WHERE seq = (SELECT MIN(seq) FROM " + rows + ") FOR UPDATE")
            .close();
      }
      CompletableFuture<Void> compaction =
          CompletableFuture.runAsync(() -> held.node().compact(held.lease(), text(1, "r0 ")));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.lockWaits() == 1);
      late.commit();
      locker.rollback();
      compaction.get(10, TimeUnit.SECONDS);
    }

    assertThat(load(held.store())).contains("late ", "r0 ", "r1 ", "r2 ", "r3 ");
    assertThat(db.count("SELECT COUNT(*) FROM " + rows)).as("rows after the rolled-back compaction").isEqualTo(5);
    held.node().compact(held.lease(), text(1, "r0 "));
    assertThat(db.count("SELECT COUNT(*) FROM " + rows)).as("rows after the next compaction").isEqualTo(1);
    assertThat(load(held.store())).contains("late ", "r0 ", "r1 ", "r2 ", "r3 ");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_emptyDocument_storesTheState(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    DocumentLease lease = a.tryAcquire(KEY);

    a.compact(lease, text(1, "hello"));

    assertThat(load(store)).isEqualTo("hello");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_releasedLease_isRefused(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    DocumentLease lease = a.tryAcquire(KEY);
    a.release(lease);

    assertThatThrownBy(() -> a.compact(lease, text(1, "x"))).isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("released");
  }

  @ParameterizedTest
  @EnumSource(Database.class)
  void compact_leaseOfAnotherNode_isMisuse(Database db) {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    JdbcDocumentLeases a = node(store, "a");
    JdbcDocumentLeases b = node(store, "b");
    DocumentLease lease = a.tryAcquire(KEY);

    assertThatThrownBy(() -> b.compact(lease, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to node a");
  }

  /**
   * Many nodes whose owner died race to take the document over at the same moment: exactly one wins, with the next
   * epoch; every other gets null (it sees the winner's live heartbeat). Repeated for several generations.
   */
  @ParameterizedTest
  @EnumSource(Database.class)
  void tryAcquire_concurrentTakeOver_exactlyOneWinsPerEpoch(Database db) throws Exception {
    JdbcDocumentStore store = store(db, Database.freshPrefix());
    int n = 6;
    List<JdbcDocumentLeases> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(node(store, "n" + i));
    }
    DocumentLease owner = nodes.get(0).tryAcquire(KEY);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      for (int generation = 0; generation < 4; generation++) {
        String dead = owner.nodeId();
        // everybody but the owner keeps beating; wait until the owner's heartbeat has expired
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
          for (JdbcDocumentLeases node : nodes) {
            if (!node.nodeId().equals(dead)) {
              node.heartbeat();
            }
          }
          return db.count("SELECT COUNT(*) FROM " + storePrefix(store) + "nodes WHERE node_id = '" + dead
              + "' AND expires_ms < " + Tables.NOW_MS) == 1;
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<DocumentLease>> results = new ArrayList<>();
        for (JdbcDocumentLeases node : nodes) {
          if (node.nodeId().equals(dead)) {
            continue;
          }
          results.add(pool.submit(() -> {
            start.await();
            return node.tryAcquire(KEY);
          }));
        }
        start.countDown();
        List<DocumentLease> winners = new ArrayList<>();
        for (Future<DocumentLease> f : results) {
          DocumentLease l = f.get();
          if (l != null) {
            winners.add(l);
          }
        }
        // One winner per epoch. A winner whose own heartbeat (TTL 300 ms) ran out while slower nodes were still
        // trying may be taken over in the same round by a later one, with the next epoch: that is the lease
        // working, not two owners at once.
        winners.sort(Comparator.comparingLong(DocumentLease::epoch));
        assertThat(winners).as("generation %d", generation).isNotEmpty();
        for (int i = 0; i < winners.size(); i++) {
          assertThat(winners.get(i).epoch()).as("generation %d", generation).isEqualTo(owner.epoch() + 1 + i);
        }
        List<DocumentLease> stale = new ArrayList<>(winners.subList(0, winners.size() - 1));
        stale.add(0, owner);
        owner = winners.get(winners.size() - 1);
        for (DocumentLease previous : stale) {
          assertThatThrownBy(() -> node(nodes, previous).compact(previous, null))
              .isInstanceOf(LeaseLostException.class);
        }
        node(nodes, owner).compact(owner, text(generation + 1, "g" + generation));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(load(store)).contains("g0").contains("g1").contains("g2").contains("g3");
  }

  private static JdbcDocumentLeases node(List<JdbcDocumentLeases> nodes, DocumentLease lease) {
    return nodes.stream().filter(x -> Objects.equals(x.nodeId(), lease.nodeId())).findFirst().orElseThrow();
  }

  private static String storePrefix(JdbcDocumentStore store) {
    String t = store.tables().nodesTable;
    return t.substring(0, t.length() - "nodes".length());
  }
}
