package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.Doc;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Paintbox as two instances (JVMs of their own, started as the README says) on one real PostgreSQL 17 and one real
 * redis-server: Alice on one, Bob on the other, edit the same estimate; both converge, and the totals are computed
 * once, by the instance that holds the estimate's lease (only its log says it wrote them). Then that instance is
 * killed with {@code kill -9}: the other keeps serving, takes the lease over, has every room the dead instance
 * acknowledged, and computes the totals from then on; a real browser on each instance has the estimate open, and
 * the page of the dead instance goes on through the survivor's socket ({@code paintbox.collab-fallback-urls}). Before
 * that, a real browser on each instance edits another estimate, and an estimate deleted through one instance is
 * marked for the other's clients and erased from the shared store, and a user revoked through one instance is refused
 * by both; and two people renaming an estimate at once through the two instances end with one name on every page. The
 * two instances serve all the tests (a Paintbox
 * JVM takes long to start on a busy machine): the kill comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PaintboxClusterTest {
  private static final String SECRET = "paintbox-cluster-test-secret-0123456789";
  private static EmbeddedPostgres pg;
  private static Process redis;
  private static int redisPort;

  @TempDir
  static Path dir; // static: the instances start before the tests

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<Instance> instances = new ArrayList<>();
  private final List<CollabClient> clients = new ArrayList<>();

  private Instance a;
  private Instance b;

  @BeforeAll
  void start() throws Exception {
    pg = EmbeddedPostgres.builder().start();
    redisPort = freePort();
    redis = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    await("redis-server on " + redisPort).atMost(60, TimeUnit.SECONDS).until(() -> listening(redisPort));
    int[] http = {freePort(), freePort()};
    int[] collab = {freePort(), freePort()};
    // As the README says: each instance's pages may use the other's socket, and try it when their own is gone.
    a = new Instance("paintbox-a", http, collab, 0);
    b = new Instance("paintbox-b", http, collab, 1); // one after the other: both run schema.sql and the migration
  }

  @AfterAll
  void stop() throws Exception {
    for (Instance i : instances) {
      i.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (redis != null) {
      redis.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(CollabClient::close);
    clients.clear();
  }

  /** One Paintbox JVM: the command line of the README, with free ports. */
  final class Instance {
    final String nodeId;
    final int httpPort;
    final int collabPort;
    final Path log;
    final Process process;

    /** Instance {@code i} of the two whose ports are {@code http} and {@code collab}. */
    Instance(String nodeId, int[] http, int[] collab, int i) throws Exception {
      this.nodeId = nodeId;
      this.httpPort = http[i];
      this.collabPort = collab[i];
      this.log = dir.resolve(nodeId + ".log");
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      process = new ProcessBuilder(java.toString(), "-Xmx384m", "-cp", System.getProperty("java.class.path"),
          PaintboxApplication.class.getName(),
          "--server.address=127.0.0.1", "--server.port=" + httpPort,
          "--candlefish.collab.host=127.0.0.1", "--candlefish.collab.port=" + collabPort,
          "--paintbox.data-dir=" + dir.resolve(nodeId), "--paintbox.dev-login.secret=" + SECRET,
          "--spring.datasource.url=" + pg.getJdbcUrl("postgres", "postgres"),
          "--spring.datasource.username=postgres", "--spring.datasource.password=",
          "--candlefish.collab.cluster.enabled=true", "--candlefish.collab.cluster.node-id=" + nodeId,
          "--candlefish.collab.cluster.lease-ttl=3s",
          "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redisPort,
          "--candlefish.collab.allowed-origins=http://127.0.0.1:" + http[0] + ",http://127.0.0.1:" + http[1],
          "--paintbox.collab-fallback-urls=ws://127.0.0.1:" + collab[1 - i],
          "--management.endpoints.web.exposure.include=health,metrics,revocations",
          "--logging.level.ai.candlefish.collab.examples.paintbox.TotalsHooks=debug")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      instances.add(this);
      await(nodeId + " serving").atMost(420, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS).until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError(nodeId + " ended with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return listening(httpPort) && listening(collabPort);
      });
    }

    String base() {
      return "http://127.0.0.1:" + httpPort;
    }

    /** How often this instance's TotalsHooks wrote the totals of {@code document}. */
    long totalsWrites(String document) throws IOException {
      return Files.readAllLines(log).stream()
          .filter(l -> l.contains("wrote the totals of " + PaintboxApplication.TENANT + "/" + document)).count();
    }
  }

  /**
   * An estimate deleted through one instance while a client of the other has it open: that client receives the
   * "deleted" mark (who deleted it) through the cluster, the other instance's API and socket no longer have it, and
   * the shared store holds nothing of it once the other instance has let it go.
   */
  /**
   * A user revoked through one instance (its Actuator endpoint, as the host would): both instances' APIs refuse the
   * tokens issued before (401, "access revoked"), and so do both sockets when such a token logs in (4401, "access
   * revoked"); a token issued after is accepted by both again.
   */
  @Test
  @Order(3)
  void aUserRevokedThroughOneInstance_isRefusedByBothInstancesApisAndSockets_untilSignedInAgain() throws Exception {
    String dan = login(a, "Dan");
    String id = post(b, "/api/estimates", dan, "{\"title\":\"Porch\"}").get("id").asText();
    open(b, dan, "estimate-" + id);

    HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create(a.base() + "/actuator/revocations/Dan"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

    for (Instance i : List.of(a, b)) {
      HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(i.base() + "/api/estimates/" + id))
          .header("Authorization", "Bearer " + dan).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(api.statusCode()).as("%s's API", i.nodeId).isEqualTo(401);
      assertThat(api.headers().allValues("WWW-Authenticate")).as("%s's API", i.nodeId)
          .containsExactly("Bearer error=\"invalid_token\", error_description=\"access revoked\"");
      CollabClient login = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + i.collabPort)).token(dan)
          .build();
      clients.add(login);
      assertThatThrownBy(() -> login.connect().get(60, TimeUnit.SECONDS)).as("%s's socket", i.nodeId)
          .cause().isInstanceOfSatisfying(RefusedException.class, e -> {
            assertThat(e.code()).isEqualTo(4401);
            assertThat(e.getMessage()).contains("access revoked");
          });
    }

    Thread.sleep(1100); // a JWT's iat is in whole seconds: one issued in the revocation's second counts as before it
    String again = login(b, "Dan");
    for (Instance i : List.of(a, b)) {
      assertThat(get(i, "/api/estimates/" + id, again).get("title").asText()).isEqualTo("Porch");
      assertThat(open(i, again, "estimate-" + id)).as("%s's socket", i.nodeId).isNotNull();
    }
  }

  @Test
  @Order(4)
  void anEstimateDeletedThroughOneInstance_isMarkedForTheOthersClients_refusedThere_andErasedFromTheStore()
      throws Exception {
    String aliceToken = login(a, "Alice");
    String bobToken = login(b, "Bob");
    JsonNode estimate = post(a, "/api/estimates", aliceToken, "{\"title\":\"Shed to pull down\"}");
    String id = estimate.get("id").asText();
    String document = estimate.get("document").asText();
    ClientDocument bob = open(b, bobToken, document);
    addRoom(bob, "shed", 4, 1, 2).get(120, TimeUnit.SECONDS); // stored through b
    assertThat(storedUpdates(document)).isPositive();

    HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(a.base() + "/api/estimates/" + id))
        .header("Authorization", "Bearer " + aliceToken).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);

    await("b's client hears that Alice deleted it").atMost(60, TimeUnit.SECONDS)
        .until(() -> deletedBy(bob), "Alice"::equals);
    HttpResponse<String> onB = http.send(HttpRequest.newBuilder(URI.create(b.base() + "/api/estimates/" + id))
        .header("Authorization", "Bearer " + bobToken).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(onB.statusCode()).as("b's API").isEqualTo(404);
    CollabClient late = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + b.collabPort)).token(bobToken)
        .build();
    clients.add(late);
    late.connect().get(60, TimeUnit.SECONDS);
    assertThatThrownBy(() -> late.open(document).get(60, TimeUnit.SECONDS)).as("b's socket opens it")
        .hasCauseInstanceOf(RefusedException.class);
    closeClients(); // b lets the document go, and erases what its clients stored meanwhile
    await("the shared store holds nothing of it").atMost(120, TimeUnit.SECONDS)
        .until(() -> storedUpdates(document) == 0);
  }

  @Test
  @Order(5)
  void twoInstances_convergeWithTotalsOnTheLeaseHolderOnly_andAfterAKillTheSurvivorKeepsEverythingAndServesBothPages()
      throws Exception {
    String aliceToken = login(a, "Alice");
    String bobToken = login(b, "Bob");
    JsonNode estimate = post(a, "/api/estimates", aliceToken, "{\"title\":\"Flat in Elm Street\"}");
    String document = estimate.get("document").asText();
    assertThat(get(b, "/api/estimates/" + estimate.get("id").asText(), bobToken).get("title").asText())
        .as("the estimate list is in the shared database").isEqualTo("Flat in Elm Street");

    ClientDocument alice = open(a, aliceToken, document);
    ClientDocument bob = open(b, bobToken, document);
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      acks.add(addRoom(alice, "a" + i, 10, 2, 4.5)); // 90 each
      acks.add(addRoom(bob, "b" + i, 12.5, 2, 3.2)); // 80 each
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    BigDecimal expected = new BigDecimal("850.00");
    await("both pages show the server's total").atMost(120, TimeUnit.SECONDS).untilAsserted(() -> {
      assertThat(grand(alice)).isEqualTo(expected);
      assertThat(grand(bob)).isEqualTo(expected);
      assertThat(stateVector(alice)).isEqualTo(stateVector(bob));
      assertThat(rooms(bob)).isEqualTo(10);
    });

    Instance owner = leaseOwner(document).equals(a.nodeId) ? a : b;
    Instance other = owner == a ? b : a;
    assertThat(leaseOwner(document)).isIn(a.nodeId, b.nodeId);
    assertThat(owner.totalsWrites(document)).as("the lease holder computed the totals").isPositive();
    assertThat(other.totalsWrites(document)).as("the other instance never did").isZero();

    // The owner's person adds more rooms, each acknowledged (stored in PostgreSQL), and the owner dies at once.
    ClientDocument onOwner = owner == a ? alice : bob;
    ClientDocument onOther = owner == a ? bob : alice;
    List<CompletableFuture<Void>> lastAcks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      lastAcks.add(addRoom(onOwner, "late" + i, 5, 1, 2)); // 10 each
    }
    CompletableFuture.allOf(lastAcks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    long epochBefore = leaseEpoch(document);
    // A browser on each instance has the estimate open when the owner is killed (SIGKILL, by the script): the page
    // of the dead one goes on through the survivor's socket, and both pages end with the survivor's total.
    JsonNode failover = NodeScenarios.run("paintbox-failover.mjs", "scenario", List.of(owner.base() + "/",
        other.base() + "/", LocalPaintbox.shots("cluster"),
        estimate.get("id").asText(), "900", Long.toString(owner.process.pid())), Map.of()).passed("failover");
    assertThat(failover.get("to").asText()).isEqualTo("ws://127.0.0.1:" + other.collabPort);
    assertThat(failover.get("grand").asText()).isEqualTo("€1,020.00");
    assertThat(owner.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

    // The survivor keeps serving: a new edit is acknowledged and reaches its page at once.
    addRoom(onOther, "after", 10, 1, 5).get(120, TimeUnit.SECONDS); // 50
    // The survivor watches the lease: once the dead holder's lease has expired it takes it over by itself and does
    // the once-only work (the totals) for what was stored meanwhile, without another edit.
    await("the survivor holds the lease").atMost(120, TimeUnit.SECONDS)
        .until(() -> leaseOwner(document).equals(other.nodeId));
    BigDecimal afterKill = new BigDecimal("1070.00");
    await("the survivor wrote the totals").atMost(180, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(grand(onOther)).isEqualTo(afterKill));
    assertThat(leaseEpoch(document)).isGreaterThan(epochBefore);
    assertThat(other.totalsWrites(document)).isPositive();

    // A fresh client of the survivor loads everything acknowledged, also what only the dead instance had taken.
    ClientDocument fresh = open(other, login(other, "Carol"), document);
    await("a fresh load has every acknowledged room").atMost(120, TimeUnit.SECONDS).untilAsserted(() -> {
      assertThat(rooms(fresh)).isEqualTo(18); // with the two that the browsers added
      assertThat(grand(fresh)).isEqualTo(afterKill);
      assertThat(stateVector(fresh)).isEqualTo(stateVector(onOther));
    });
  }

  /**
   * A real browser on each instance: {@link PaintboxBrowserTest}'s two people editing one estimate at once, Alice's
   * Chromium on one instance and Bob's on the other. Each page sees the other's edits, notes and presence, and both
   * show the total that the instance holding the estimate's lease computed; the other instance never computed it.
   */
  @Test
  @Order(1)
  void aBrowserOnEachInstance_editTheSameEstimate_andBothShowTheTotalsThatOnlyTheLeaseHolderComputed()
      throws Exception {
    JsonNode seen = PaintboxApplicationTest.node("paintbox-browser.mjs", "edit", a.base() + "/",
        LocalPaintbox.shots("cluster"), b.base() + "/");

    assertThat(seen.get("grandText").asText()).isEqualTo("€335.00");
    assertThat(seen.get("notes").asText()).contains("Access via the back door.", "Alice: hall first.",
        "Bob: keep the tiles.");
    assertThat(seen.get("people").get(0).toString()).as("Alice's page, on %s", a.nodeId).contains("Alice (you)", "Bob");
    assertThat(seen.get("people").get(1).toString()).as("Bob's page, on %s", b.nodeId).contains("Alice", "Bob (you)");
    String document = "estimate-" + seen.get("id").asText();
    Instance owner = leaseOwner(document).equals(a.nodeId) ? a : b;
    Instance other = owner == a ? b : a;
    assertThat(leaseOwner(document)).isIn(a.nodeId, b.nodeId);
    assertThat(owner.totalsWrites(document)).as("the lease holder computed the totals").isPositive();
    assertThat(other.totalsWrites(document)).as("the other instance never did").isZero();
  }

  /**
   * Renaming through both instances ({@code paintbox-rename.mjs}, race): Alice's page on one, Bob's on the other and
   * Carol's list on the first; three times both rename the estimate at once, and each time every page and both
   * instances' lists end with one and the same name, without a reload.
   */
  @Test
  @Order(2)
  void renamesAtOnceThroughBothInstances_endWithOneNameOnEveryPageAndInTheList() throws Exception {
    JsonNode seen = NodeScenarios.run("paintbox-rename.mjs", "scenario", List.of(a.base() + "/",
        LocalPaintbox.shots("cluster"), "race"),
        Map.of("PAINTBOX_OTHER_BASE", b.base() + "/")).passed("race");

    String last = seen.get("rounds").get(2).asText();
    assertThat(last).isIn("Alice's name 3", "Bob's name 3");
    String token = login(b, "Dora");
    assertThat(get(b, "/api/estimates/" + seen.get("id").asText(), token).get("title").asText()).isEqualTo(last);
  }

  private ClientDocument open(Instance i, String token, String document) throws Exception {
    CollabClient client = CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + i.collabPort))
        .token(token).build();
    clients.add(client);
    client.connect().get(60, TimeUnit.SECONDS);
    return client.open(document).get(60, TimeUnit.SECONDS);
  }

  /** Adds a room with one wall as the page does; completes when the server has stored it. */
  private static CompletableFuture<Void> addRoom(ClientDocument d, String id, double area, int coats, double price) {
    return d.edit(txn -> EstimateTotalsTest.addRoom(txn.doc(), id, new Object[] {area, coats, price}));
  }

  private static BigDecimal grand(ClientDocument d) {
    synchronized (d.doc()) {
      EstimateTotals stored = EstimateTotals.stored(d.doc());
      return stored == null ? null : stored.grand();
    }
  }

  private static int rooms(ClientDocument d) {
    synchronized (d.doc()) {
      return d.doc().getArray("rooms").length();
    }
  }

  private static String stateVector(ClientDocument d) {
    synchronized (d.doc()) {
      Doc doc = d.doc();
      return Arrays.toString(doc.encodeStateVector());
    }
  }

  private static String deletedBy(ClientDocument d) {
    synchronized (d.doc()) {
      return String.valueOf(d.doc().getMap(EstimateController.DELETED).get("by"));
    }
  }

  /** How many of {@code document}'s updates the shared store holds. */
  private static long storedUpdates(String document) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
        PreparedStatement q = c.prepareStatement("SELECT count(*) FROM collab_updates WHERE tenant = ? AND name = ?")) {
      q.setString(1, PaintboxApplication.TENANT);
      q.setString(2, document);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static String leaseOwner(String document) throws Exception {
    return leaseColumn(document, "owner");
  }

  private static long leaseEpoch(String document) throws Exception {
    return Long.parseLong(leaseColumn(document, "epoch"));
  }

  private static String leaseColumn(String document, String column) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
        PreparedStatement q = c.prepareStatement("SELECT " + column
            + " FROM collab_leases WHERE tenant = ? AND name = ?")) {
      q.setString(1, PaintboxApplication.TENANT);
      q.setString(2, document);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? r.getString(1) : "(no lease)";
      }
    }
  }

  private String login(Instance i, String name) throws Exception {
    return post(i, "/api/login", null, "{\"name\":\"" + name + "\"}").get("token").asText();
  }

  private JsonNode post(Instance i, String path, String token, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(i.base() + path)).header("Content-Type",
        "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    return send(token == null ? r : r.header("Authorization", "Bearer " + token), path);
  }

  private JsonNode get(Instance i, String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(i.base() + path)).header("Authorization", "Bearer " + token),
        path);
  }

  private JsonNode send(HttpRequest.Builder request, String path) throws Exception {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 299);
    return json.readTree(response.body());
  }

  static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
