package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.YjsNodeClients;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster under faults: server nodes in JVMs of their own ({@link ClusterNodeMain}) on one real PostgreSQL 17
 * and one real redis-server, with {@link CollabClient}s (and, in the convergence test, Node's y-websocket and Hocuspocus
 * providers) spread over them. Nodes are killed with {@code kill -9},
 * paused with {@code SIGSTOP} past their lease and resumed; Redis is killed and restarted under load; a node's
 * pub/sub lags while its document's stream is trimmed past its position. After each:
 * every acknowledged update is in the store and on every node, and every client converges with a fresh load from the
 * store.
 */
class ClusterTest extends ClusterProcesses {
  private static final Pattern TOKEN = Pattern.compile("\\[([a-z0-9]+-[0-9]+)\\]");
  private final List<CollabClient> clients = new ArrayList<>();
  private final AtomicBoolean writing = new AtomicBoolean(true);
  private final List<Thread> writers = new ArrayList<>();
  private YjsNodeClients nodeClients;

  @AfterEach
  void stopEverything() throws Exception {
    writing.set(false);
    for (Thread t : writers) {
      t.join(5000);
    }
    clients.forEach(CollabClient::close);
    if (nodeClients != null) {
      nodeClients.close();
    }
  }

  private ClientDocument open(ClusterNode node, String document) throws Exception {
    return open(node.uri(), document);
  }

  private ClientDocument open(URI uri, String document) throws Exception {
    return open(uri, document, new CollabClientListener() {});
  }

  private ClientDocument open(URI uri, String document, CollabClientListener listener) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(uri).token("t")
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).listener(listener).build();
    clients.add(client);
    // A node's JVM has just started (nothing compiled yet): at a load of 45 its first connect took over 20 s.
    client.connect().get(60, TimeUnit.SECONDS);
    return client.open(document).get(60, TimeUnit.SECONDS);
  }

  /** Opens {@code document} on {@code node}, the first node to load it, and waits until it holds the lease. */
  private ClientDocument openFirst(ClusterNode node, String document) throws Exception {
    ClientDocument opened = open(node, document);
    await(node.id + " holds the lease").atMost(Duration.ofSeconds(20))
        .until(() -> node.id.equals(lease(document)[0]));
    return opened;
  }

  /** Starts a thread that appends "[writer-n]" tokens as fast as acknowledgements allow; records the acked ones. */
  private void write(ClientDocument document, String writer, Set<String> acked) {
    write(document, writer, acked, ConcurrentHashMap.newKeySet());
  }

  /** {@link #write(ClientDocument, String, Set)}, recording in {@code sent} each token before it is written. */
  private void write(ClientDocument document, String writer, Set<String> acked, Set<String> sent) {
    write(document, writer, acked, sent, 2);
  }

  /**
   * {@link #write(ClientDocument, String, Set, Set)} with at least {@code pauseMillis} between two tokens (20 ms
   * while more than 50 wait for their acknowledgement).
   */
  private void write(ClientDocument document, String writer, Set<String> acked, Set<String> sent, int pauseMillis) {
    Thread thread = new Thread(() -> {
      for (int n = 0; writing.get(); n++) {
        String token = writer + "-" + n;
        sent.add(token);
        document.edit(txn -> {
          var text = txn.doc().getText("t");
          text.insert(text.length(), "[" + token + "]");
        }).thenRun(() -> acked.add(token));
        try {
          Thread.sleep(document.unacknowledged() > 50 ? Math.max(20, pauseMillis) : pauseMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, writer);
    writers.add(thread);
    thread.start();
  }

  private void stopWriting() throws InterruptedException {
    writing.set(false);
    for (Thread t : writers) {
      t.join(10_000);
    }
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("t").toString();
    }
  }

  private static byte[] stateVector(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().encodeStateVector();
    }
  }

  /** What the database holds for {@code document}, read by a fresh store: it must decode. */
  private static Doc stored(String document) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername("postgres");
    try (HikariDataSource dataSource = new HikariDataSource(config);
        JdbcDocumentStore store = JdbcDocumentStore.newBuilder(dataSource).build()) {
      Doc doc = Doc.create();
      store.load(DocumentKey.of("cluster", document)).updates().forEach(doc::applyUpdate);
      return doc;
    }
  }

  /** Every client (and a fresh client on every live node) converges with the store; returns the stored text. */
  private String assertConverged(String document, List<ClientDocument> documents, List<ClusterNode> live)
      throws Exception {
    for (ClientDocument d : documents) {
      d.whenAcknowledged().get(60, TimeUnit.SECONDS);
    }
    Doc stored = stored(document);
    String text = stored.getText("t").toString();
    await("every client converges with the store").atMost(Duration.ofSeconds(30))
        .until(() -> documents.stream().allMatch(d -> text(d).equals(text)
            && Arrays.equals(stateVector(d), stored.encodeStateVector())));
    for (ClusterNode n : live) {
      ClientDocument fresh = open(n, document);
      assertThat(text(fresh)).as("a fresh client of node %s", n.id).isEqualTo(text);
    }
    return text;
  }

  /**
   * Random concurrent edits from {@link CollabClient}s and from Node's y-websocket and Hocuspocus providers, each kind
   * on every node: every client, every node and a fresh load from the store end with the same document.
   */
  @Test
  void threeNodes_clientsOfEveryProtocolSpreadOverThem_converge() throws Exception {
    long seed = System.nanoTime();
    List<ClusterNode> three = List.of(node("a", 3000), node("b", 3000), node("c", 3000));
    List<ClientDocument> documents = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      documents.add(open(three.get(i % 3), "converge"));
    }
    YjsNodeClients js = YjsNodeClients.start();
    nodeClients = js;
    List<String> ywebsocket = new ArrayList<>();
    List<String> hocuspocus = new ArrayList<>();
    for (ClusterNode n : three) {
      js.connect("yw-" + n.id, n.uri().toString(), "converge", "t");
      ywebsocket.add("yw-" + n.id);
      js.call("connect", "kind", "hocuspocus", "id", "hp-" + n.id, "url", n.uri().toString(), "room", "converge",
          "token", "t");
      hocuspocus.add("hp-" + n.id);
    }
    List<Thread> editors = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      ClientDocument d = documents.get(i);
      SplittableRandom random = new SplittableRandom(seed + i);
      Thread t = new Thread(() -> {
        for (int n = 0; n < 80; n++) {
          int value = n;
          d.edit(txn -> {
            var text = txn.doc().getText("t");
            int length = text.length();
            if (length > 5 && random.nextInt(4) == 0) {
              text.delete(random.nextInt(length - 2), 1 + random.nextInt(2));
            } else {
              text.insert(random.nextInt(length + 1), Character.toString('a' + random.nextInt(26)));
            }
            txn.doc().getMap("m").set("k" + random.nextInt(10), value);
          });
          try {
            Thread.sleep(random.nextInt(8));
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      editors.add(t);
      t.start();
    }
    List<String> jsClients = new ArrayList<>(ywebsocket);
    jsClients.addAll(hocuspocus);
    js.call("randomEdits", "ids", jsClients, "count", 300, "seed", seed & 0x7fffffff);
    for (Thread t : editors) {
      t.join(60_000);
    }
    for (String id : hocuspocus) {
      js.call("waitAcked", "id", id, "timeoutMs", 60_000); // stored
    }
    // y-websocket has no acknowledgements: wait until the store has what its clients hold
    String everyone = js.waitSame(jsClients.toArray(new String[0]));
    await("the store has the y-websocket clients' edits").atMost(Duration.ofSeconds(30))
        .until(() -> stored("converge").getText("t").toString().equals(js.text(jsClients.get(0))));

    String text = assertConverged("converge", documents, three);
    assertThat(everyone).as("seed %d", seed).isEqualTo(text);
    for (String id : jsClients) {
      assertThat(js.text(id)).as("ClusterNode client %s, seed %d", id, seed).isEqualTo(text);
    }

    assertThat(text).as("seed %d", seed).isNotEmpty();
    Doc stored = stored("converge");
    for (ClientDocument d : documents) {
      synchronized (d.doc()) {
        assertThat(d.doc().getMap("m").toJson()).as("seed %d", seed).isEqualTo(stored.getMap("m").toJson());
      }
    }
  }

  @Test
  void killNine_ofANode_underLoad_losesNoAcknowledgedUpdate_andItsPresenceGoes() throws Exception {
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", 3000);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    ClientDocument onA1 = open(a, "ledger");
    ClientDocument onA2 = open(a, "ledger");
    ClientDocument onB = open(b, "ledger");
    ClientDocument observer = open(b, "ledger");
    onA1.awareness().setLocalState(Map.of("name", "on-a"));
    await("a's client is present on b").atMost(Duration.ofSeconds(20)).until(() ->
        observer.awareness().states().containsValue(Map.of("name", "on-a")));
    write(onA1, "a1", acked);
    write(onA2, "a2", acked);
    write(onB, "b", acked);
    await("load before the crash").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 300);

    a.signal("KILL");
    a.process.waitFor(10, TimeUnit.SECONDS);
    Set<String> ackedBeforeTheCrash = Set.copyOf(acked);

    await("a's client's presence is gone from b").atMost(Duration.ofSeconds(30)).until(() ->
        !observer.awareness().states().containsValue(Map.of("name", "on-a")));
    Thread.sleep(300); // b's writer goes on
    stopWriting();
    nodes.remove(a);
    a.destroy();

    String text = assertConverged("ledger", List.of(onB, observer), List.of(b));
    for (String token : ackedBeforeTheCrash) {
      assertThat(text).as("acknowledged by a before it was killed").contains("[" + token + "]");
    }
    for (String token : acked) {
      assertThat(text).as("acknowledged").contains("[" + token + "]");
    }
  }

  /**
   * Behind a load balancer: clients of every kind whose node is killed reconnect to the same address, land on the
   * other node, and converge; what they wrote while cut off (offline edits) arrives too, and nothing acknowledged is
   * lost.
   */
  @Test
  void killNine_itsClientsReconnectThroughTheBalancer_toTheOtherNode_andConverge() throws Exception {
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", 3000);
    List<ClusterNode> up = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(a, b));
    try (TcpBalancer balancer = new TcpBalancer(() -> up.stream().map(n -> n.port).toList());
        YjsNodeClients js = YjsNodeClients.start()) {
      URI front = URI.create("ws://127.0.0.1:" + balancer.port());
      Set<String> acked = ConcurrentHashMap.newKeySet();
      List<ClientDocument> javaClients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        javaClients.add(open(front, "failover")); // round robin: two on each node
      }
      // Then one client of each kind on each node (yw-0 and hp-0 on a): every kind loses its node.
      for (int i = 0; i < 2; i++) {
        js.connect("yw-" + i, front.toString(), "failover", "t");
      }
      for (int i = 0; i < 2; i++) {
        js.call("connect", "kind", "hocuspocus", "id", "hp-" + i, "url", front.toString(), "room", "failover",
            "token", "t");
      }
      // Each Node client applies every Java client's update: unpaced, the writers sent Node far more than a
      // starved Node (at a load of 50 to 80) could read, and its replies waited behind that backlog for over a
      // minute. 10 ms apart, the four writers send at most 400 updates a second.
      for (int i = 0; i < javaClients.size(); i++) {
        write(javaClients.get(i), "j" + i, acked, ConcurrentHashMap.newKeySet(), 10);
      }
      await("load before the crash").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 200);

      up.remove(a);
      a.signal("KILL");
      a.process.waitFor(10, TimeUnit.SECONDS);
      Set<String> ackedBeforeTheCrash = Set.copyOf(acked);
      List<String> jsClients = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        js.insert("yw-" + i, 0, "(yw" + i + ")"); // made while half of them are cut off: sent once reconnected
        js.insert("hp-" + i, 0, "(hp" + i + ")");
        jsClients.add("yw-" + i);
        jsClients.add("hp-" + i);
      }
      await("every Java client is back, on b").atMost(Duration.ofSeconds(60))
          .until(() -> acked.size() >= ackedBeforeTheCrash.size() + 100);
      stopWriting();
      for (int i = 0; i < 2; i++) {
        js.call("waitAcked", "id", "hp-" + i, "timeoutMs", 60_000);
      }
      js.waitSame(jsClients.toArray(new String[0]));
      await("the store has every ClusterNode client's edits").atMost(Duration.ofSeconds(30))
          .until(() -> stored("failover").getText("t").toString().equals(js.text("yw-0")));

      String text = assertConverged("failover", javaClients, List.of(b));
      // Only now: the Node clients agreed among themselves above, but the Java writers' last edits may still have
      // been on their way to them (at load 10 they once lacked the last five, which the store had).
      await("every Node client has what the store has").atMost(Duration.ofSeconds(60))
          .until(() -> jsClients.stream().allMatch(id -> js.text(id).equals(text)));
      for (int i = 0; i < 2; i++) {
        assertThat(text).contains("(yw" + i + ")", "(hp" + i + ")");
      }
      for (String token : acked) {
        assertThat(text).as("acknowledged").contains("[" + token + "]");
      }
      nodes.remove(a);
      a.destroy();
    }
  }

  @Test
  void redisKilledAndRestarted_underLoad_nodesKeepAcknowledging_andReconverge() throws Exception {
    ClusterNode a = node("a", 3000);
    ClusterNode b = node("b", 3000);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    ClientDocument onA = open(a, "outage");
    ClientDocument onB = open(b, "outage");
    ClientDocument readerA = open(a, "outage");
    ClientDocument readerB = open(b, "outage");
    write(onA, "a", acked);
    write(onB, "b", acked);
    await("load before the outage").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 100);

    redis.kill();
    int beforeOutage = acked.size();
    await("acknowledged while Redis is down").atMost(Duration.ofSeconds(30))
        .until(() -> acked.size() >= beforeOutage + 100);
    redis.restart();
    int afterRestart = acked.size();
    await("load after Redis is back").atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= afterRestart + 100);
    stopWriting();

    String text = assertConverged("outage", List.of(onA, onB, readerA, readerB), List.of(a, b));
    for (String token : acked) {
      assertThat(text).as("acknowledged").contains("[" + token + "]");
    }
  }

  /**
   * A node whose pub/sub lags (what Redis sends its subscriber connection is held back: the copies of the stream
   * entries, the other nodes' heartbeats) while the document's stream is trimmed past its position: its reader finds
   * entries missing from the stream, the node reloads the document from the store and brings its clients up to date
   * while its copies are still held back; afterwards every acknowledged update is on every client, node and in the
   * store. The other nodes' heartbeats are held back too, but c waits ten minutes (longer than all the waits here)
   * before it takes them for gone (which would reload every document as well): here only the gap can make it reload.
   */
  @Test
  void streamTrimmedUnderALaggingNode_itReloadsFromTheStore_andResyncsItsClients() throws Exception {
    ClusterNode a = node("a", 3000);
    ClientDocument onA = openFirst(a, "lagging");
    ClusterNode b = node("b", 3000);
    try (TcpBalancer link = new TcpBalancer(() -> List.of(redis.port()))) {
      ClusterNode c = node("c", "redis://127.0.0.1:" + link.port(), 3000, 600_000);
      ClientDocument onB = open(b, "lagging");
      ClientDocument onC = open(c, "lagging");
      ClientDocument readerOnC = open(c, "lagging");
      Set<String> acked = ConcurrentHashMap.newKeySet();
      write(onA, "a", acked);
      write(onB, "b", acked);
      write(onC, "c", acked);
      await("load before the lag").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 100);

      link.holdSubscriptions();
      int mark = c.log().length();
      // Trimmed until c's reader has read past a gap: a trim right after one of its reads, with nothing written
      // between them, leaves none.
      String stream = "collab:s:7:cluster/lagging";
      await("c finds its stream trimmed past its position").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300)).until(() -> {
            redis.command("XTRIM " + stream + " MAXLEN 0");
            return c.log().substring(mark).contains("stream of cluster/lagging jumped");
          });
      await("c reloads the document from the store").atMost(Duration.ofSeconds(30)).until(() -> {
        String log = c.log().substring(mark);
        int jump = log.indexOf("stream of cluster/lagging jumped");
        return log.indexOf("node c: resyncing cluster/lagging from the store", jump) > jump;
      });
      Set<String> ackedElsewhere = acked.stream().filter(t -> !t.startsWith("c-")).collect(Collectors.toSet());
      await("c's clients have what a and b acknowledged, with c's copies still held back")
          .atMost(Duration.ofSeconds(30)).until(() -> tokens(text(readerOnC)).containsAll(ackedElsewhere));
      assertThat(link.heldAny()).as("copies for c were held back").isTrue();
      assertThat(c.log().substring(mark)).as("c's log while it lagged").doesNotContain("not heard from");

      link.release();
      int afterRelease = acked.size();
      await("load after the lag").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterRelease + 100);
      stopWriting();
      String text = assertConverged("lagging", List.of(onA, onB, onC, readerOnC), List.of(a, b, c));
      for (String token : acked) {
        assertThat(text).as("acknowledged").contains("[" + token + "]");
      }
    }
  }

  @Test
  void pausedOwner_pastItsLease_doesNoOnceOnlyWork_whenItComesBack() throws Exception {
    ClusterNode a = node("a", 1000);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    ClientDocument onA = open(a, "owner"); // a loads it first and takes the lease
    await("a holds the lease").atMost(Duration.ofSeconds(20)).until(() -> "a".equals(lease("owner")[0]));
    ClusterNode b = node("b", 1000);
    ClientDocument onB = open(b, "owner");
    write(onA, "a", acked);
    write(onB, "b", acked);
    await("load before the pause").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 100);

    a.signal("STOP"); // a long GC pause, say: a does not know it
    await("b takes the document over once a's heartbeat expired").atMost(Duration.ofSeconds(30))
        .until(() -> "b".equals(lease("owner")[0]));
    String epochOfB = lease("owner")[1];
    int beforeResume = a.log().length(); // a is stopped: its log does not grow
    a.signal("CONT");

    // a's heartbeat lapsed while it was stopped: it neither does the once-only work nor tries a compaction under its
    // stale epoch (which the database would refuse: JdbcDocumentLeasesTest), and goes on storing its clients' edits
    await("a notices that its lease lapsed").atMost(Duration.ofSeconds(60))
        .until(() -> a.log().contains("document cluster/owner: this node's lease heartbeat lapsed"));
    int ackedAfterResume = acked.size();
    await("both go on storing").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedAfterResume + 50);
    // A call that had passed its lease check when SIGSTOP hit finishes after SIGCONT (check then act: no unfenced
    // work can be pause-proof, which is why the store fences writes with the epoch); every later call checks the
    // lease, finds the heartbeat lapsed and does nothing. So at most that one, never a new one.
    assertThat(occurrences(a.log().substring(beforeResume), "once-only work for cluster/owner"))
        .as("once-only work of a after it came back, whose lease b took (at most the call under way at the pause)")
        .isLessThanOrEqualTo(1);
    assertThat(lease("owner")).containsExactly("b", epochOfB);
    stopWriting();

    String text = assertConverged("owner", List.of(onA, onB), List.of(a, b));
    for (String token : acked) {
      assertThat(text).as("acknowledged").contains("[" + token + "]");
    }
  }

  /**
   * PostgreSQL killed under load (the database down): while it is down no node acknowledges anything, and no node
   * does once-only work once its lease heartbeat has lapsed (another node may take the document over meanwhile);
   * clients keep editing, and those of one node see each other's edits live, while those of other nodes get them
   * once stored (Redis carries only stored updates). When it is back, the nodes store what they held and acknowledge
   * it, one node holds the lease and does the once-only work, and every client, node and the store converge with
   * every acknowledged update.
   */
  @Test
  void postgresKilledAndRestarted_underLoad_noAcksWhileDown_nothingAcknowledgedLost_andConverge() throws Exception {
    ClusterNode a = node("a", 3000);
    ClientDocument onA = openFirst(a, "down");
    ClusterNode b = node("b", 3000);
    ClientDocument peerOnA = open(a, "down");
    ClientDocument onB = open(b, "down");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    writeBeforeTheCrash(onA, onB, acked, sent);

    pg.kill();
    Set<String> sentBeforeTheCrash = Set.copyOf(sent); // what is sent from now on cannot be stored before a restart
    Set<String> ackedBeforeTheCrash = Set.copyOf(acked);
    await("clients keep editing").atMost(Duration.ofSeconds(60)).until(() ->
        sentWhileDown(sent, sentBeforeTheCrash, "a-").size() >= 20
            && sentWhileDown(sent, sentBeforeTheCrash, "b-").size() >= 20);
    String fromA = sentWhileDown(sent, sentBeforeTheCrash, "a-").get(0);
    await("a client of a sees the other's edit live").atMost(Duration.ofSeconds(30))
        .until(() -> text(peerOnA).contains("[" + fromA + "]"));

    // a could not renew its lease heartbeat for a TTL: another node might take the document over, so a stops
    await("a's lease heartbeat lapses").atMost(Duration.ofSeconds(60))
        .until(() -> a.log().contains("document cluster/down: this node's lease heartbeat lapsed"));
    int markA = a.log().length();
    int markB = b.log().length();
    await("a tries to store again after its lease lapsed").atMost(Duration.ofSeconds(60))
        .until(() -> a.log().substring(markA).contains("storing document cluster/down failed again"));
    assertThat(a.log().substring(markA)).as("a's once-only work with a lapsed lease").doesNotContain(
        "once-only work for cluster/down");
    assertThat(b.log().substring(markB)).doesNotContain("once-only work for cluster/down");
    List<String> whileDown = new ArrayList<>(sent);
    whileDown.removeAll(sentBeforeTheCrash);
    assertThat(acked).as("acknowledged while the database was down").doesNotContainAnyElementsOf(whileDown);
    String onBNow = text(onB);
    assertThat(whileDown.stream().filter(t -> t.startsWith("a-") && onBNow.contains("[" + t + "]")))
        .as("a's unstored edits reached b's client").isEmpty();

    pg.restart();
    int restartA = a.log().length();
    int restartB = b.log().length();
    await("what was written while the database was down is acknowledged").atMost(Duration.ofSeconds(90))
        .until(() -> acked.containsAll(whileDown));
    await("the lease holder does the once-only work again").atMost(Duration.ofSeconds(60))
        .until(() -> (a.log().substring(restartA) + b.log().substring(restartB))
            .contains("once-only work for cluster/down"));
    stopWriting();

    String text = assertConverged("down", List.of(onA, peerOnA, onB), List.of(a, b));
    for (String token : ackedBeforeTheCrash) {
      assertThat(text).as("acknowledged before the crash").contains("[" + token + "]");
    }
    for (String token : acked) {
      assertThat(text).as("acknowledged").contains("[" + token + "]");
    }
    String holder = lease("down")[0];
    ClusterNode other = "a".equals(holder) ? b : a;
    int otherMark = other == a ? restartA : restartB;
    assertThat(other.log().substring(otherMark)).as("once-only work on %s, which does not hold the lease", other.id)
        .doesNotContain("once-only work for cluster/down");
  }

  /** The "[writer-n]" tokens in {@code text}. */
  private static Set<String> tokens(String text) {
    Set<String> tokens = new HashSet<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      tokens.add(m.group(1));
    }
    return tokens;
  }

  /**
   * The database down long enough for the nodes' backlogs to reach their bound ({@code maxUnstoredBytes}, 64 KiB a
   * document here): each node refuses its clients' new updates (1013: they reconnect and send them again) and keeps
   * what it accepted; once the database is back each appends what it held (in a cluster nothing replaces) and
   * publishes it, and every update a client sent is acknowledged, on every client and node and in the store.
   */
  @Test
  void postgresDown_pastTheBacklogBound_newUpdatesRefused_nothingSentLost_andConverge() throws Exception {
    List<String> bound = List.of("-Dcluster.maxUnstoredBytesPerDocument=65536");
    ClusterNode a = node("a", redis.uri(), 3000, 1500, bound);
    List<Integer> closesOfA = new CopyOnWriteArrayList<>();
    ClientDocument onA = open(a.uri(), "backlog", closes(closesOfA));
    await("a holds the lease").atMost(Duration.ofSeconds(20)).until(() -> "a".equals(lease("backlog")[0]));
    ClusterNode b = node("b", redis.uri(), 3000, 1500, bound);
    List<Integer> closesOfB = new CopyOnWriteArrayList<>();
    ClientDocument onB = open(b.uri(), "backlog", closes(closesOfB));
    ClientDocument readerOnB = open(b, "backlog");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    writeBeforeTheCrash(onA, onB, acked, sent);

    pg.kill();
    await("both nodes refuse updates once their backlog is full").atMost(Duration.ofSeconds(120))
        .until(() -> closesOfA.contains(CloseCodes.TRY_AGAIN_LATER) && closesOfB.contains(CloseCodes.TRY_AGAIN_LATER));
    assertThat(onA.unacknowledged()).as("a's client's edits wait for the database").isPositive();

    pg.restart();
    Set<String> sentWhileDown = Set.copyOf(sent);
    await("what was sent while the database was down is acknowledged").atMost(Duration.ofSeconds(120))
        .until(() -> acked.containsAll(sentWhileDown));
    stopWriting();
    await("every update sent is acknowledged").atMost(Duration.ofSeconds(60)).until(() -> acked.containsAll(sent));

    String text = assertConverged("backlog", List.of(onA, onB, readerOnB), List.of(a, b));
    assertThat(tokens(text)).as("every update sent").containsAll(sent);
  }

  /** A listener that records the codes its connection was closed with. */
  private static CollabClientListener closes(List<Integer> codes) {
    return new CollabClientListener() {
      @Override
      public void onDisconnected(int code, String reason) {
        codes.add(code);
      }
    };
  }

  /** Writers "a" on {@code onA} and "b" on {@code onB}, until 100 of their updates are acknowledged. */
  private void writeBeforeTheCrash(ClientDocument onA, ClientDocument onB, Set<String> acked, Set<String> sent) {
    write(onA, "a", acked, sent);
    write(onB, "b", acked, sent);
    await("load before the crash").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 100);
  }

  /** The tokens of {@code writer} (a prefix) sent since {@code before}, in no particular order. */
  private static List<String> sentWhileDown(Set<String> sent, Set<String> before, String writer) {
    return sent.stream().filter(t -> t.startsWith(writer) && !before.contains(t)).toList();
  }

  /**
   * Compaction has one owner, the lease holder, and it folds what every node appended: here all the writing goes
   * through b while a holds the lease (ClusterNodeMain compacts after 40 pieces; the store compacts nothing itself).
   */
  @Test
  void leaseHolder_compactsWhatTheOtherNodesAppended() throws Exception {
    ClusterNode a = node("a", 3000);
    ClientDocument onA = openFirst(a, "folded");
    ClusterNode b = node("b", 3000);
    ClientDocument onB = open(b, "folded");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    write(onB, "b", acked);
    await("b's appends").atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 300);
    stopWriting();

    String text = assertConverged("folded", List.of(onA, onB), List.of(a, b));
    for (String token : acked) {
      assertThat(text).as("acknowledged").contains("[" + token + "]");
    }
    try {
      await("a folded b's appends into its state").atMost(Duration.ofSeconds(30))
          .until(() -> rows("folded") <= 41);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(rows("folded") + " rows; a's log:\n" + a.log() + "\nb's log:\n" + b.log(), e);
    }
    assertThat(lease("folded")[0]).isEqualTo("a");
  }

  /** How many rows the store holds for {@code document}. */
  private static int rows(String document) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM collab_updates WHERE tenant = 'cluster' AND name = '"
            + document + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The holder of a document's lease is killed right after another node stored a change: that node takes the lease
   * over by itself (it watches the lease while the document is loaded) and then does the once-only work for that
   * change, without waiting for another edit.
   */
  @Test
  void killNine_ofTheHolder_theOtherNodeTakesOver_andCatchesUpOnTheOnceOnlyWork() throws Exception {
    ClusterNode a = node("a", 1000);
    open(a, "chores");
    await("a holds the lease").atMost(Duration.ofSeconds(20)).until(() -> "a".equals(lease("chores")[0]));
    ClusterNode b = node("b", 1000);
    ClientDocument onB = open(b, "chores");
    onB.edit(txn -> txn.doc().getText("t").insert(0, "paint the hall")).get(20, TimeUnit.SECONDS);
    assertThat(b.log()).as("b holds no lease yet").doesNotContain("once-only work for cluster/chores");

    a.signal("KILL");
    a.process.waitFor(10, TimeUnit.SECONDS);
    await("b takes the lease over").atMost(Duration.ofSeconds(30)).until(() -> "b".equals(lease("chores")[0]));
    await("b does the once-only work for the change it stored").atMost(Duration.ofSeconds(30))
        .until(() -> b.log().contains("once-only work for cluster/chores"));
    nodes.remove(a);
    a.destroy();
  }

  /** The lease row of {@code document}: owner and epoch. */
  private static String[] lease(String document) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT owner, epoch FROM collab_leases WHERE tenant = 'cluster' AND name = '"
            + document + "'")) {
      return rs.next() ? new String[] {rs.getString(1), Long.toString(rs.getLong(2))} : new String[] {null, null};
    }
  }

  private static int occurrences(String text, String line) {
    int count = 0;
    for (int at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + line.length())) {
      count++;
    }
    return count;
  }
}
