package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.ClusterDocument;
import ai.candlefish.collab.spi.ClusterListener;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.CollidingKeys;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Nodes are transports in this JVM on one real redis-server, which the tests kill and restart. */
class RedisClusterTransportTest {
  private static RedisServerProcess redis;
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static final DocumentKey KEY = DocumentKey.of("acme", "estimate-1");

  private final List<RedisClusterTransport> nodes = new ArrayList<>();
  private final String prefix = "t" + PREFIXES.incrementAndGet() + ":";

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void closeNodes() {
    nodes.forEach(RedisClusterTransport::close);
    if (!redis.isAlive()) {
      redis.restart();
    }
  }

  private RedisClusterTransport node(String id) {
    return node(id, 10_000);
  }

  /** A node that takes at most {@code maxQueuedCopies} copies of entries ahead of its reader. */
  private RedisClusterTransport node(String id, int maxQueuedCopies) {
    return node(id, b -> b.maxQueuedCopies(maxQueuedCopies));
  }

  private RedisClusterTransport node(String id, UnaryOperator<RedisClusterTransport.Builder> settings) {
    RedisClusterTransport t = settings.apply(RedisClusterTransport.newBuilder(redis.uri()).nodeId(id)
        .keyPrefix(prefix).streamMaxLength(10).heartbeat(Duration.ofMillis(100), Duration.ofMillis(500))).build();
    nodes.add(t);
    return t;
  }

  /** What one node heard about one document. */
  static class Heard implements ClusterListener {
    final List<byte[]> updates = new CopyOnWriteArrayList<>();
    final List<byte[]> awareness = new CopyOnWriteArrayList<>();
    final AtomicInteger resyncs = new AtomicInteger();
    volatile CountDownLatch gate;
    final CountDownLatch atGate = new CountDownLatch(1);

    @Override
    public void onRemoteUpdate(byte[] update) {
      CountDownLatch g = gate;
      if (g != null) {
        atGate.countDown();
        try {
          g.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      updates.add(update);
    }

    @Override
    public void onRemoteAwareness(byte[] update) {
      awareness.add(update);
    }

    @Override
    public void onResync() {
      resyncs.incrementAndGet();
    }

    List<String> updateTexts() {
      List<String> out = new ArrayList<>();
      updates.forEach(u -> out.add(new String(u)));
      return out;
    }

    /** The presence states as this node's clients would see them after applying everything heard. */
    Map<Long, Object> presence() {
      Awareness a = new Awareness(999_999, System::currentTimeMillis);
      awareness.forEach(u -> a.applyUpdate(u, "remote"));
      Map<Long, Object> states = new java.util.HashMap<>(a.states());
      states.remove(999_999L);
      return states;
    }
  }

  private static ClusterDocument joinAndStart(RedisClusterTransport node, Heard heard) {
    ClusterDocument doc = node.join(KEY, heard);
    doc.start();
    return doc;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] presence(long client, long clock, Object state) {
    Awareness a = new Awareness(client, System::currentTimeMillis);
    for (long i = 0; i < clock; i++) {
      a.setLocalState(state);
    }
    return a.encodeUpdate(List.of(client));
  }

  @Test
  void publishUpdate_reachesTheOtherNodes_notItself() {
    Heard atA = new Heard();
    Heard atB = new Heard();
    Heard atC = new Heard();
    ClusterDocument a = joinAndStart(node("a"), atA);
    joinAndStart(node("b"), atB);
    joinAndStart(node("c"), atC);

    a.publishUpdate(bytes("u1"));
    a.publishUpdate(bytes("u2"));

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 2 && atC.updates.size() == 2);
    assertThat(atB.updateTexts()).containsExactly("u1", "u2");
    assertThat(atC.updateTexts()).containsExactly("u1", "u2");
    assertThat(atA.updates).isEmpty();
    assertThat(atB.resyncs).hasValue(0);
  }

  /**
   * Keys built to collide ({@link CollidingKeys}: a tenant "a/b" and a name "b/c", a tenant that looks like the
   * length prefix, case, normalisation, the longest names) are distinct streams and channels: each document's update
   * and presence (the same awareness client id in every one) reach that document on the other node only.
   */
  @Test
  void keysBuiltToCollide_areDistinctStreamsAndChannels() {
    RedisClusterTransport nodeA = node("a");
    RedisClusterTransport nodeB = node("b");
    List<DocumentKey> keys = CollidingKeys.ALL;
    List<ClusterDocument> atA = new ArrayList<>();
    List<Heard> atB = new ArrayList<>();
    for (DocumentKey key : keys) {
      Heard heard = new Heard();
      ClusterDocument a = nodeA.join(key, new Heard());
      a.start();
      atA.add(a);
      nodeB.join(key, heard).start();
      atB.add(heard);
    }
    for (int i = 0; i < keys.size(); i++) {
      atA.get(i).publishUpdate(bytes("doc " + i));
      atA.get(i).publishAwareness(presence(7, 1, Map.of("doc", "doc " + i)));
    }

    for (int i = 0; i < keys.size(); i++) {
      Heard heard = atB.get(i);
      await(keys.get(i).toString()).atMost(Duration.ofSeconds(20))
          .until(() -> !heard.updates.isEmpty() && heard.presence().containsKey(7L));
    }
    for (int i = 0; i < keys.size(); i++) {
      assertThat(atB.get(i).updateTexts()).as(keys.get(i).toString()).containsExactly("doc " + i);
      assertThat(atB.get(i).presence()).as(keys.get(i).toString()).isEqualTo(Map.of(7L, Map.of("doc", "doc " + i)));
    }
  }

  @Test
  void eventLoops_carryTheNodesRedisConnections_andOutliveIt() throws Exception {
    EventLoopGroup loops = CollabServer.newEventLoops(1);
    try {
      List<String> threads = new CopyOnWriteArrayList<>();
      Heard atA = new Heard() {
        @Override
        public void onRemoteAwareness(byte[] update) {
          threads.add(Thread.currentThread().getName()); // presence arrives on the connections' own threads
          super.onRemoteAwareness(update);
        }
      };
      RedisClusterTransport nodeA = node("a", b -> b.eventLoops(loops));
      joinAndStart(nodeA, atA);
      ClusterDocument b = joinAndStart(node("b"), new Heard());

      b.publishUpdate(bytes("u1"));
      b.publishAwareness(presence(7, 1, Map.of("name", "ada")));

      await().atMost(Duration.ofSeconds(10)).until(() -> atA.updates.size() == 1 && atA.presence().containsKey(7L));
      assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("collab-io"));
      nodeA.close();
      assertThat(loops.isShuttingDown()).as("the loops are their owner's").isFalse();
      assertThat(loops.submit(() -> "still running").get(5, TimeUnit.SECONDS)).isEqualTo("still running");
    } finally {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void eventLoops_shutDownAlready_areRefused() {
    EventLoopGroup loops = CollabServer.newEventLoops(1);
    loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder(redis.uri()).eventLoops(loops))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shut down");
  }

  @Test
  void anUpdateLargerThanMaxEntryBytes_goesAsAReload_andTheOthersReadItFromTheStore() {
    // A client's update may have 16 MiB; copied through Redis six of them stalled it past the command timeout for
    // every node. Beyond maxEntryBytes the others are asked to reload (the store has the update already).
    Heard atB = new Heard();
    ClusterDocument a = joinAndStart(node("a", b -> b.maxEntryBytes(4096)), new Heard());
    joinAndStart(node("b"), atB);

    a.publishUpdate(new byte[4096]);
    a.publishUpdate(new byte[4097]);

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.resyncs.get() >= 1);
    assertThat(atB.updates).hasSize(1).allSatisfy(u -> assertThat(u).hasSize(4096));
  }

  /** Appends an entry to the document's stream as the publish script does, but sends no copy of it. */
  private void appendWithoutCopy(String text) {
    String counter = prefix + "q:4:acme/estimate-1";
    String seq = redis.command("INCR " + counter).replaceAll("[^0-9]", "");
    redis.command("XADD " + prefix + "s:4:acme/estimate-1 * n x s " + seq + " t u d " + text);
  }

  /** Nodes a and b on the document, b having heard a's update "first"; returns a's document. */
  private ClusterDocument twoNodesAfterAFirstUpdate(Heard atB) {
    ClusterDocument a = joinAndStart(node("a"), new Heard());
    joinAndStart(node("b"), atB);
    a.publishUpdate(bytes("first"));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 1);
    return a;
  }

  @Test
  void aCopyThatNeverArrived_isReadFromTheStream_whenTheNextCopySkipsItsNumber() {
    Heard atB = new Heard();
    ClusterDocument a = twoNodesAfterAFirstUpdate(atB);

    appendWithoutCopy("lost"); // as if pub/sub had dropped its copy
    a.publishUpdate(bytes("next"));

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 3);
    assertThat(atB.updateTexts()).containsExactly("first", "lost", "next");
    assertThat(atB.resyncs).hasValue(0);
  }

  @Test
  void aCopyThatNeverArrived_andNothingAfterIt_isReadByTheScan() {
    Heard atB = new Heard();
    twoNodesAfterAFirstUpdate(atB);

    appendWithoutCopy("lost");

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 2);
    assertThat(atB.updateTexts()).containsExactly("first", "lost");
    assertThat(atB.resyncs).hasValue(0);
  }

  @Test
  void join_readsFromThePositionNotedBeforeTheLoad() {
    Heard atB = new Heard();
    ClusterDocument a = joinAndStart(node("a"), new Heard());
    a.publishUpdate(bytes("before-join")); // stored before b loads: b finds it in the store
    await().atMost(Duration.ofSeconds(10)).until(() -> redis.command("XLEN " + prefix + "s:4:acme/estimate-1")
        .startsWith(":1"));

    ClusterDocument b = node("b").join(KEY, atB);
    a.publishUpdate(bytes("while-loading")); // published after b noted its position, before b started
    b.start();
    a.publishUpdate(bytes("after-start"));

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 2);
    assertThat(atB.updateTexts()).containsExactly("while-loading", "after-start");
  }

  @Test
  void trimmedStream_underALaggingNode_resyncsIt() {
    Heard atB = new Heard();
    ClusterDocument a = joinAndStart(node("a"), new Heard());
    joinAndStart(node("b", 20), atB); // more than 20 copies behind, b reads its stream instead
    a.publishUpdate(bytes("first"));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 1);
    CountDownLatch gate = new CountDownLatch(1);
    atB.gate = gate;
    appendWithoutCopy("lost");
    // The copy of "next" skips a number: b's reader reads the stream and stops inside its listener with "lost",
    // in the middle of its round, so the copies that follow queue up behind it: b lags.
    a.publishUpdate(bytes("next"));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.atGate.getCount() == 0);
    for (int i = 0; i < 50; i++) {
      a.publishUpdate(bytes("u" + i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> redis.command("GET " + prefix + "q:4:acme/estimate-1")
        .contains("53"));
    redis.command("XTRIM " + prefix + "s:4:acme/estimate-1 MAXLEN 3");

    gate.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.resyncs.get() == 1);
    // Nothing after the gap was applied as if it were next ("next" too may have been in the queue that overflowed,
    // if the scan read "lost" before its copy came).
    assertThat(atB.updateTexts()).startsWith("first", "lost").noneMatch(t -> t.startsWith("u"));
    a.publishUpdate(bytes("after-resync"));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updateTexts().contains("after-resync"));
  }

  @Test
  void redisKilledAndRestarted_everyNodeResyncs_andFanOutResumes() {
    Heard atA = new Heard();
    Heard atB = new Heard();
    RedisClusterTransport nodeA = node("a");
    ClusterDocument a = joinAndStart(nodeA, atA);
    JoinedDocument b = (JoinedDocument) joinAndStart(node("b"), atB);
    a.publishUpdate(bytes("before"));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.updates.size() == 1);

    redis.kill();
    a.publishUpdate(bytes("while-down")); // stored by a's server; fails to publish
    await().atMost(Duration.ofSeconds(10)).until(() -> !nodeA.isConnected());
    redis.restart();

    await().atMost(Duration.ofSeconds(20)).until(() -> atA.resyncs.get() >= 1 && atB.resyncs.get() >= 1);
    assertThat(atB.updateTexts()).doesNotContain("while-down"); // b gets it from the store, not from Redis
    await().atMost(Duration.ofSeconds(20)).until(nodeA::isConnected);
    // a's failed publish leaves a reload entry (the first after the restart, number 1), on which b resyncs again and
    // notes a new position; a real node then reloads from the store, which holds everything published before that
    // position, but this listener has no store: publish only once b is past the reload entry.
    await().atMost(Duration.ofSeconds(20)).until(() -> !((JoinedDocument) a).publishFailed() && b.lastSeq() >= 1
        && !b.isStale());
    a.publishUpdate(bytes("after"));
    await().atMost(Duration.ofSeconds(20)).until(() -> atB.updateTexts().contains("after"));
  }

  @Test
  void join_whileRedisIsDown_servesAndResyncsWhenItIsBack() {
    RedisClusterTransport nodeB = node("b");
    redis.kill();
    Heard atB = new Heard();

    ClusterDocument b = nodeB.join(KEY, atB); // returns at once: the document is served without the cluster
    b.start();
    redis.restart();

    await().atMost(Duration.ofSeconds(20)).until(() -> atB.resyncs.get() >= 1);
    ClusterDocument a = joinAndStart(node("a"), new Heard());
    await().atMost(Duration.ofSeconds(20)).until(nodeB::isConnected);
    a.publishUpdate(bytes("after"));
    await().atMost(Duration.ofSeconds(20)).until(() -> atB.updateTexts().contains("after"));
  }

  @Test
  void awareness_isCoalesced_andAJoiningNodeLearnsThePresentClients() {
    Heard atB = new Heard();
    ClusterDocument a = joinAndStart(node("a"), new Heard());
    joinAndStart(node("b"), atB);
    for (int clock = 1; clock <= 20; clock++) {
      a.publishAwareness(presence(7, clock, Map.of("name", "ada", "cursor", clock)));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.presence().equals(
        Map.of(7L, Map.of("name", "ada", "cursor", 20))));
    assertThat(atB.awareness.size()).as("20 changes coalesced").isLessThan(20);

    Heard atC = new Heard();
    joinAndStart(node("c"), atC);
    await().atMost(Duration.ofSeconds(10)).until(() -> atC.presence().containsKey(7L));
  }

  /** A node killed (no goodbye, heartbeats stop: within the node timeout) or closed (its goodbye: at once). */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void nodeGone_itsClientsPresenceIsRemovedOnTheOthers(boolean closedCleanly) {
    Heard atB = new Heard();
    RedisClusterTransport nodeA = node("a");
    ClusterDocument a = joinAndStart(nodeA, new Heard());
    RedisClusterTransport nodeB = node("b");
    joinAndStart(nodeB, atB);
    a.publishAwareness(presence(7, 1, Map.of("name", "ada")));
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.presence().containsKey(7L));
    assertThat(nodeB.liveNodes()).containsExactlyInAnyOrder("a", "b");

    if (closedCleanly) {
      nodeA.close();
    } else {
      nodeA.crashForTests(); // as kill -9
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.presence().isEmpty());
    assertThat(nodeB.liveNodes()).containsExactly("b");
  }

  /**
   * A node killed between storing an update and publishing it leaves the update in the store only: the others must
   * reload from the store when they stop hearing it. A node that closes cleanly published what it stored.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void nodeGone_withoutGoodbye_theOthersResyncFromTheStore(boolean closedCleanly) throws Exception {
    Heard atB = new Heard();
    RedisClusterTransport nodeA = node("a");
    joinAndStart(nodeA, new Heard());
    RedisClusterTransport nodeB = node("b");
    joinAndStart(nodeB, atB);
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.liveNodes().contains("a"));
    int resyncsBefore = atB.resyncs.get();

    if (closedCleanly) {
      nodeA.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> !nodeB.liveNodes().contains("a"));
      Thread.sleep(1000); // two node timeouts: a resync would have come by now
      assertThat(atB.resyncs.get()).as("resyncs after a clean close").isEqualTo(resyncsBefore);
    } else {
      nodeA.crashForTests(); // as kill -9
      await().atMost(Duration.ofSeconds(10)).until(() -> atB.resyncs.get() > resyncsBefore);
      assertThat(nodeB.liveNodes()).containsExactly("b");
    }
  }

  @Test
  void join_twice_isMisuse_untilClosed() {
    RedisClusterTransport nodeA = node("a");
    ClusterDocument first = nodeA.join(KEY, new Heard());

    assertThatThrownBy(() -> nodeA.join(KEY, new Heard())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("joined already");
    first.close();
    nodeA.join(KEY, new Heard()).close();
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder(redis.uri()).keyPrefix("bad prefix"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad prefix");
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder(redis.uri()).streamMaxLength(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10");
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder(redis.uri())
        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than twice");
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder(redis.uri()).maxEntryBytes(1023))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEntryBytes");
    assertThatThrownBy(() -> RedisClusterTransport.newBuilder("redis://127.0.0.1:1").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not connect to Redis");
  }
}
