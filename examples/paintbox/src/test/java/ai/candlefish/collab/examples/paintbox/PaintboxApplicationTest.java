package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.testkit.YjsNodeClients;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Paintbox started for real (random ports, a fresh data directory): sign in, create an estimate, and sync a real
 * y-websocket client (Node, {@code src/test/js/estimate-client.mjs}) through the collaboration server; the client
 * must receive the total the server computed; Actuator's health and collab.* meters over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "candlefish.collab.port=0")
class PaintboxApplicationTest {
  @TempDir
  static Path dataDir;

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("paintbox.data-dir", () -> dataDir.toString());
  }

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort
  int port;

  @Autowired
  CollabServer collab;

  @Autowired
  DocumentStore store;

  @Autowired
  RevokedUsers revokedUsers;

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String login(String name) throws Exception {
    HttpResponse<String> response = call("POST", "/api/login", null, "{\"name\":\"" + name + "\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body()).get("token").asText();
  }

  static JsonNode node(String... args) throws IOException, InterruptedException {
    Path dir = Path.of(System.getProperty("node.js.dir", "src/test/js"));
    String[] command = new String[args.length + 1];
    command[0] = "node";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out;
    try {
      out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("node %s ends", args[0]).isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(process.exitValue()).as("node %s failed; its output:%n%s", args[0], out).isZero();
    return JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElse("{}"));
  }

  @Test
  void estimate_syncedByARealClient_getsTheServerComputedTotal() throws Exception {
    String token = login("Ada");
    HttpResponse<String> created = call("POST", "/api/estimates", token, "{\"title\":\"Hall and stairs\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode estimate = JSON.readTree(created.body());
    String document = estimate.get("document").asText();
    assertThat(document).isEqualTo("estimate-" + estimate.get("id").asText());
    assertThat(call("GET", "/api/estimates", token, null).body()).contains("Hall and stairs");

    JsonNode config = JSON.readTree(call("GET", "/api/config", null, null).body());
    assertThat(config.get("collabPort").asInt()).isEqualTo(collab.port());
    String url = "ws://127.0.0.1:" + collab.port() + config.get("collabPath").asText();

    // Hall: 8 m² × 2 coats × 2.50 + "4,5" m² × 1 × 10.00 = 85.
    JsonNode seen = node("estimate-client.mjs", "edit", url, document, token, "85");
    assertThat(seen.get("totals").get("grand").asDouble()).isEqualTo(85.0);
    assertThat(seen.get("totals").get("rooms").get("hall").asDouble()).isEqualTo(85.0);
    assertThat(seen.get("totals").get("area").asDouble()).isEqualTo(12.5);

    try (DocumentHandle handle = collab.openDocument(DocumentKey.of(PaintboxApplication.TENANT, document))
        .get(10, TimeUnit.SECONDS)) {
      EstimateTotals stored = handle.read(EstimateTotals::stored).get(10, TimeUnit.SECONDS);
      assertThat(stored.grand()).isEqualByComparingTo("85");
    }
  }

  /**
   * A client that may write an estimate tries to write, one after another, each part of its document that only the
   * server writes (ServerOwnedRoots): each time it is refused (4403) and nothing of it reaches the document; a client
   * after it edits the estimate and gets the total the server computed, not a forged one.
   */
  @Test
  void collabSocket_refusesAClientsWritesToWhatOnlyTheServerWrites_andTheEstimateGoesOn() throws Exception {
    String token = login("Mona");
    JsonNode estimate = JSON.readTree(call("POST", "/api/estimates", token, "{\"title\":\"Porch\"}").body());
    String document = estimate.get("document").asText();
    JsonNode config = JSON.readTree(call("GET", "/api/config", null, null).body());
    String url = "ws://127.0.0.1:" + collab.port() + config.get("collabPath").asText();

    for (String root : ServerOwnedRoots.ROOTS) {
      JsonNode refused = node("estimate-client.mjs", "forge", url, document, token, root);
      assertThat(refused.get("code").asInt()).as(root).isEqualTo(CloseCodes.FORBIDDEN);
      assertThat(refused.get("reason").asText()).as(root).contains(root);
    }
    JsonNode edited = node("estimate-client.mjs", "edit", url, document, token, "85");
    assertThat(edited.get("totals").get("grand").asDouble()).isEqualTo(85.0);

    try (DocumentHandle handle = collab.openDocument(DocumentKey.of(PaintboxApplication.TENANT, document))
        .get(10, TimeUnit.SECONDS)) {
      for (String root : ServerOwnedRoots.ROOTS) {
        Object forged = handle.read(doc -> doc.getMap(root).get("by")).get(10, TimeUnit.SECONDS);
        assertThat(forged).as(root).isNull();
      }
      assertThat(handle.read(EstimateTotals::stored).get(10, TimeUnit.SECONDS).grand()).isEqualByComparingTo("85");
    }
  }

  @Test
  void collabSocket_refusesClientsWithoutAValidToken() throws Exception {
    String url = "ws://127.0.0.1:" + collab.port();
    assertThat(node("estimate-client.mjs", "refused", url, "estimate-0123456789", "").get("code").asInt())
        .isEqualTo(CloseCodes.UNAUTHORIZED);
    String forged = login("Mallory").replaceAll(".$", "A").replaceAll("\\.[^.]*$", ".AAAA");
    assertThat(node("estimate-client.mjs", "refused", url, "estimate-0123456789", forged).get("code").asInt())
        .isEqualTo(CloseCodes.UNAUTHORIZED);
  }

  @Test
  void collabSocket_refusesAnEstimateThatIsNotInTheList_andStoresNoDocument() throws Exception {
    String url = "ws://127.0.0.1:" + collab.port();
    String document = "estimate-0123456789"; // of the form of an estimate's, but nobody created it

    JsonNode refused = node("estimate-client.mjs", "refused", url, document, login("Nora"));

    assertThat(refused.get("code").asInt()).isEqualTo(CloseCodes.UNAUTHORIZED);
    assertThat(refused.get("reason").asText()).contains("no estimate 0123456789");
    assertThat(store.load(DocumentKey.of(PaintboxApplication.TENANT, document)).isEmpty()).isTrue();
  }

  @Test
  void hocuspocusAndCollabV1_openOnlyEstimatesInTheList_andStoreNothingUnderOthers() throws Exception {
    String ada = login("Ada");
    String listed = "estimate-" + JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Attic\"}").body())
        .get("id").asText();
    String deletedId = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Porch\"}").body())
        .get("id").asText();
    assertThat(call("DELETE", "/api/estimates/" + deletedId, ada, null).statusCode()).isEqualTo(204);
    String url = "ws://127.0.0.1:" + collab.port();

    try (YjsNodeClients js = YjsNodeClients.start()) {
      js.call("connect", "kind", "hocuspocus", "id", "listed", "url", url, "room", listed, "token", ada);
      for (String unlisted : List.of("estimate-0123456789", "estimate-" + deletedId)) {
        js.call("connect", "kind", "hocuspocus", "id", unlisted, "url", url, "room", unlisted, "token", ada,
            "waitSynced", false);
        await("Hocuspocus refused " + unlisted).atMost(30, TimeUnit.SECONDS)
            .until(() -> !((List<?>) js.status(unlisted).get("denied")).isEmpty());
        js.call("insert", "id", unlisted, "index", 0, "text", "stored?");
        assertThat(js.status(unlisted).get("synced")).isEqualTo(false);
      }
    }
    try (CollabClient client = CollabClient.newBuilder().uri(URI.create(url)).token(ada).build()) {
      client.connect().get(30, TimeUnit.SECONDS);
      client.open(listed).get(30, TimeUnit.SECONDS);
      for (String unlisted : List.of("estimate-0123456789", "estimate-" + deletedId)) {
        assertThatThrownBy(() -> client.open(unlisted).get(30, TimeUnit.SECONDS)).as("collab/1 opens %s", unlisted)
            .hasCauseInstanceOf(RefusedException.class)
            .satisfies(e -> assertThat(((RefusedException) e.getCause()).code()).isEqualTo(CloseCodes.FORBIDDEN));
      }
    }
    assertThat(store.load(DocumentKey.of(PaintboxApplication.TENANT, "estimate-0123456789")).isEmpty()).isTrue();
    // The delete's mark for open pages is stored after the erasure, and erased once the document unloads.
    DocumentKey deleted = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + deletedId);
    await("the deleted estimate's store is empty").atMost(60, TimeUnit.SECONDS)
        .until(() -> store.load(deleted).isEmpty());
  }

  /**
   * Paintbox serves its tenant's estimates, nothing else, on every protocol: another tenant's token signed with
   * Paintbox's key (accepted by the API, which shows it nothing) created that tenant's documents in Paintbox's
   * database, and any signed-in user documents that are no estimate's; nothing of Paintbox showed or removed them.
   */
  @Test
  void collabSocket_servesOnlyPaintboxsTenantsEstimates_andStoresNothingElse() throws Exception {
    String ada = login("Ada");
    String listed = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Loft\"}").body())
        .get("document").asText();
    Instant now = Instant.now();
    String eve = signed("Eve", "acme", now, now.plus(Duration.ofMinutes(10)));
    assertThat(call("GET", "/api/estimates", eve, null).body()).as("the API accepts it, and shows it nothing")
        .isEqualTo("[]");
    String url = "ws://127.0.0.1:" + collab.port();
    String otherTenant = "Paintbox serves the tenant paintbox only, and this token is for another tenant";
    String noEstimate = "Paintbox serves estimates only: /estimate-<id> with the id of an estimate in its list";

    for (String document : List.of(listed, "scratch")) {
      JsonNode refused = node("estimate-client.mjs", "refused", url, document, eve);
      assertThat(refused.get("code").asInt()).as(document).isEqualTo(CloseCodes.UNAUTHORIZED);
      assertThat(refused.get("reason").asText()).as(document).isEqualTo(otherTenant);
    }
    JsonNode scratch = node("estimate-client.mjs", "refused", url, "scratch", ada);
    assertThat(scratch.get("code").asInt()).isEqualTo(CloseCodes.UNAUTHORIZED);
    assertThat(scratch.get("reason").asText()).isEqualTo(noEstimate);
    try (YjsNodeClients js = YjsNodeClients.start()) {
      js.call("connect", "kind", "hocuspocus", "id", "eve", "url", url, "room", listed, "token", eve,
          "waitSynced", false);
      js.call("connect", "kind", "hocuspocus", "id", "scratch", "url", url, "room", "scratch", "token", ada,
          "waitSynced", false);
      for (String id : List.of("eve", "scratch")) {
        await("Hocuspocus refused " + id).atMost(30, TimeUnit.SECONDS)
            .until(() -> !((List<?>) js.status(id).get("denied")).isEmpty());
        js.call("insert", "id", id, "index", 0, "text", "stored?");
        assertThat(js.status(id).get("synced")).as(id).isEqualTo(false);
      }
    }
    try (CollabClient client = CollabClient.newBuilder().uri(URI.create(url)).token(ada).build()) {
      client.connect().get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> client.open("scratch").get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RefusedException.class)
          .satisfies(e -> assertThat(((RefusedException) e.getCause()).code()).isEqualTo(CloseCodes.FORBIDDEN));
    }
    try (CollabClient client = CollabClient.newBuilder().uri(URI.create(url)).token(eve).build()) {
      assertThatThrownBy(() -> client.connect().get(30, TimeUnit.SECONDS)).cause()
          .isInstanceOf(RefusedException.class).hasMessageContaining("4401");
    }
    for (DocumentKey key : List.of(DocumentKey.of("acme", listed), DocumentKey.of("acme", "scratch"),
        DocumentKey.of(PaintboxApplication.TENANT, "scratch"))) {
      assertThat(store.load(key).isEmpty()).as(key.toString()).isTrue();
    }
  }

  /**
   * What an outside client can do with a token that may only read an estimate (collab "read", or
   * {"estimate-<id>": "read"}): read it, and write nothing to it on any protocol, whatever it sends (a Yjs update
   * as it is over y-websocket and Hocuspocus, an edit over collab/1); and a client of one estimate never hears
   * the presence of another estimate's people, nor opens that estimate with a token for the other one only.
   */
  @Test
  void collabSocket_aReadOnlyTokenWritesNothingOnAnyProtocol_andPresenceStaysInItsEstimate() throws Exception {
    String ada = login("Ada");
    String attic = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Attic\"}").body())
        .get("document").asText();
    String cellar = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Cellar\"}").body())
        .get("document").asText();
    DevTokens tokens = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));
    Map<String, String> readers = Map.of("rita", tokens.issue("Rita", "read"),
        "rolf", tokens.issue("Rolf", Map.of(attic, "read")));
    String bea = tokens.issue("Bea", Map.of(cellar, "write"));
    String url = "ws://127.0.0.1:" + collab.port();
    Doc forger = Doc.create();
    forger.getText("t").insert(0, "forged ");
    byte[] forged = forger.encodeStateAsUpdate();

    try (YjsNodeClients js = YjsNodeClients.start()) {
      js.connect("ada", url, attic, ada);
      js.insert("ada", 0, "by Ada");
      // Bea's presence in the cellar, on both protocols, seen there by Ada's second client.
      js.connect("ada-cellar", url, cellar, ada);
      long beaWs = js.connect("bea", url, cellar, bea);
      long beaHp = ((Number) js.call("connect", "kind", "hocuspocus", "id", "bea-hp", "url", url, "room", cellar,
          "token", bea).get("clientId")).longValue();
      js.call("setAwareness", "id", "bea", "state", Map.of("name", "Bea"));
      js.call("setAwareness", "id", "bea-hp", "state", Map.of("name", "Bea"));
      js.waitAwareness("ada-cellar", beaWs, true, 30_000);
      js.waitAwareness("ada-cellar", beaHp, true, 30_000);

      for (Map.Entry<String, String> reader : readers.entrySet()) {
        for (String kind : List.of("y-websocket", "hocuspocus")) {
          String id = reader.getKey() + "-" + kind;
          long client = ((Number) js.call("connect", "kind", kind, "id", id, "url", url, "room", attic,
              "token", reader.getValue()).get("clientId")).longValue();
          js.waitText(id, "by Ada");
          js.sendRaw(id, 2, forged, kind.equals("hocuspocus") ? attic : null);
          js.insert(id, 0, "typed "); // what its provider sends of an edit
          // Sent after the writes on the same socket: once Ada sees it, the server has handled them.
          js.call("setAwareness", "id", id, "state", Map.of("name", reader.getKey()));
          js.waitAwareness("ada", client, true, 30_000);
        }
      }
      try (CollabClient rita = CollabClient.newBuilder().uri(URI.create(url)).token(readers.get("rita")).build()) {
        rita.connect().get(30, TimeUnit.SECONDS);
        ClientDocument doc = rita.open(attic).get(30, TimeUnit.SECONDS);
        assertThat(doc.readOnly()).isTrue();
        assertThat(doc.doc().getText("t").toString()).isEqualTo("by Ada");
        assertThatThrownBy(() -> doc.edit(txn -> txn.doc().getText("t").insert(0, "forged ")).get(30,
            TimeUnit.SECONDS)).as("collab/1 edit of a reader").hasCauseInstanceOf(RefusedException.class);
      }
      // A token for the cellar only opens no attic (and so hears nobody there).
      js.call("connect", "id", "bea-attic", "url", url, "room", attic, "token", bea, "waitSynced", false);
      await("the attic refused to Bea").atMost(30, TimeUnit.SECONDS)
          .until(() -> !js.closeCodes("bea-attic").isEmpty());
      assertThat(js.status("bea-attic").get("synced")).isEqualTo(false);

      js.waitText("ada", "by Ada");
      for (String id : List.of("ada", "rita-y-websocket", "rita-hocuspocus", "rolf-y-websocket", "rolf-hocuspocus")) {
        assertThat(js.call("awareness", "id", id).get("states").toString()).as("presence %s sees", id)
            .doesNotContain("Bea");
      }
    }
    DocumentKey key = DocumentKey.of(PaintboxApplication.TENANT, attic);
    try (DocumentHandle handle = collab.openDocument(key).get(10, TimeUnit.SECONDS)) {
      assertThat(handle.read(d -> d.getText("t").toString()).get(10, TimeUnit.SECONDS)).isEqualTo("by Ada");
    }
    await("the attic is stored").atMost(30, TimeUnit.SECONDS).until(() -> {
      Doc stored = Doc.create();
      store.load(key).updates().forEach(stored::applyUpdate);
      return stored.getText("t").toString().equals("by Ada");
    });
  }

  @Test
  void api_needsASignedInUser_andSaysWhyInWwwAuthenticate() throws Exception {
    HttpResponse<String> none = call("GET", "/api/estimates", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
    HttpResponse<String> invalid = call("POST", "/api/estimates", "not-a-token", "{\"title\":\"x\"}");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(invalid.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"invalid or expired token\"");
    assertThat(call("POST", "/api/login", null, "{\"name\":\"  \"}").statusCode()).isEqualTo(400);
    assertThat(call("POST", "/api/estimates", login("Ada"), "{\"title\":\"\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void api_saysWhyItRefusedAnInput_inTheBodysDetail() throws Exception {
    HttpResponse<String> noName = call("POST", "/api/login", null, "{\"name\":\"  \"}");
    assertThat(JSON.readTree(noName.body()).get("detail").asText()).isEqualTo("the name must have 1 to 40 characters");
    HttpResponse<String> create = call("POST", "/api/estimates", login("Ada"), "{\"title\":\"a\\tb\"}");
    assertThat(create.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(create.body()).get("detail").asText())
        .isEqualTo("the title may not contain control characters (line breaks, tabs)");
    HttpResponse<String> unauthorized = call("GET", "/api/estimates", "not-a-token", null);
    assertThat(JSON.readTree(unauthorized.body()).get("detail").asText())
        .isEqualTo("invalid or expired token; sign in again");
    assertThat(unauthorized.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"invalid or expired token\"");
  }

  @Test
  void rename_changesTheListsTitle_tellsTheOpenPages_refusesBadTitlesSayingWhy_andNeedsWriteAccess()
      throws Exception {
    String ada = login("Ada");
    String id = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Attic\"}").body()).get("id")
        .asText();
    String path = "/api/estimates/" + id;
    Map<String, String> refusals = Map.of(
        "{}", "an estimate needs a title",
        "{\"title\":\"   \"}", "an estimate needs a title",
        "{\"title\":\"" + "é".repeat(121) + "\"}", "the title has 121 characters; at most 120 fit",
        "{\"title\":\"a\\u0000b\"}", "the title may not contain control characters (line breaks, tabs)",
        "{\"title\":\"a\\nb\"}", "the title may not contain control characters (line breaks, tabs)",
        "{\"title\":\"a\\u2028b\"}", "the title may not contain control characters (line breaks, tabs)",
        "{\"title\":\"a\\ud800b\"}", "the title is not valid text (half of a character: a lone surrogate)");
    refusals.forEach((body, detail) -> {
      try {
        HttpResponse<String> refused = call("PATCH", path, ada, body);
        assertThat(refused.statusCode()).as(body).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("detail").asText()).as(body).isEqualTo(detail);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    DevTokens tokens = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));
    String rename = "{\"title\":\"Loft\"}";
    assertThat(call("PATCH", path, null, rename).statusCode()).isEqualTo(401);
    HttpResponse<String> reader = call("PATCH", path, tokens.issue("Rita", "read"), rename);
    assertThat(reader.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(reader.body()).get("detail").asText()).contains("renaming it needs write access");
    assertThat(call("PATCH", path, tokens.issue("Bea", Map.of("estimate-0123456789", "write")), rename)
        .statusCode()).as("a token that may not see it").isEqualTo(404);
    assertThat(call("PATCH", "/api/estimates/zzzzzzzzzz", ada, rename).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(call("GET", path, ada, null).body()).get("titleVersion").asLong()).isZero();

    HttpResponse<String> renamed = call("PATCH", path, ada, "{\"title\":\"  Attic and loft \"}");

    assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
    JsonNode estimate = JSON.readTree(renamed.body());
    assertThat(estimate.get("title").asText()).isEqualTo("Attic and loft");
    assertThat(estimate.get("titleVersion").asLong()).isOne();
    assertThat(JSON.readTree(call("GET", path, ada, null).body()).get("title").asText()).isEqualTo("Attic and loft");
    assertThat(call("GET", "/api/estimates", ada, null).body()).contains("Attic and loft");
    try (DocumentHandle handle = collab.openDocument(DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + id))
        .get(30, TimeUnit.SECONDS)) {
      Map<String, Object> renamedMark = handle.read(doc -> doc.getMap(EstimateController.RENAMED).toJson())
          .get(30, TimeUnit.SECONDS);
      assertThat(renamedMark).as("what tells the open pages to ask again").containsEntry("by", "Ada");
      assertThat(((Number) renamedMark.get("version")).longValue()).isOne();
    }
    assertThat(JSON.readTree(call("PATCH", path, ada, rename).body()).get("titleVersion").asLong()).isEqualTo(2);
    assertThat(call("DELETE", path, ada, null).statusCode()).isEqualTo(204);
    assertThat(call("PATCH", path, ada, rename).statusCode()).as("deleted").isEqualTo(404);
  }

  @Test
  void create_withContent_startsWithIt_withoutTheDeletedMark_andRefusesContentThatIsNoUpdate() throws Exception {
    String ada = login("Ada");
    Doc kept = Doc.create(); // what a page had of an estimate deleted under it
    EstimateTotalsTest.addRoom(kept, "shed", new Object[] {6, 2, 3});
    kept.getMap(EstimateController.DELETED).set("by", "Bob");
    String content = Base64.getEncoder().encodeToString(kept.encodeStateAsUpdate());
    int before = JSON.readTree(call("GET", "/api/estimates", ada, null).body()).size();
    for (String bad : List.of("not base64!", Base64.getEncoder().encodeToString(new byte[] {5}))) {
      HttpResponse<String> refused = call("POST", "/api/estimates", ada,
          "{\"title\":\"Shed (kept)\",\"content\":\"" + bad + "\"}");
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).get("detail").asText()).as(bad)
          .startsWith("the content is not a Yjs update (base64): ");
    }
    assertThat(JSON.readTree(call("GET", "/api/estimates", ada, null).body()).size()).as("nothing created")
        .isEqualTo(before);

    HttpResponse<String> created = call("POST", "/api/estimates", ada,
        "{\"title\":\"Shed (kept)\",\"content\":\"" + content + "\"}");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String document = JSON.readTree(created.body()).get("document").asText();
    try (DocumentHandle handle = collab.openDocument(DocumentKey.of(PaintboxApplication.TENANT, document))
        .get(30, TimeUnit.SECONDS)) {
      assertThat(handle.read(doc -> doc.getArray("rooms").length() + " room, deleted: "
          + doc.getMap(EstimateController.DELETED).toJson()).get(30, TimeUnit.SECONDS))
          .isEqualTo("1 room, deleted: {}");
    }
  }

  @Test
  void anAddressThatIsNoPage_answers404_withPaintboxsPageForABrowser_andJsonForTheApi() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/estimates/zzzzzzzzzz")).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).contains("No page here", "<a href=\"/\">Go to the estimates</a>")
        .doesNotContain("Whitelabel");
    HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/nothing")).header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(api.body()).get("status").asInt()).isEqualTo(404);
  }

  @Test
  void versions_refuseWhatTheyCannotKeep_andAnswer404ForWhatIsNotThere() throws Exception {
    String token = login("Ada");
    String id = JSON.readTree(call("POST", "/api/estimates", token, "{\"title\":\"Porch\"}").body()).get("id")
        .asText();
    String versions = "/api/estimates/" + id + "/versions";
    assertThat(call("GET", versions, token, null).body()).isEqualTo("[]");
    assertThat(call("POST", versions, token, "{\"label\":\"  \"}").statusCode()).isEqualTo(400);
    assertThat(call("POST", versions, token, "{\"label\":\"" + "x".repeat(201) + "\"}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> saved = call("POST", versions, token, "{\"label\":\"First visit\"}");
    assertThat(saved.statusCode()).isEqualTo(201);
    JsonNode version = JSON.readTree(saved.body());
    assertThat(version.get("author").asText()).isEqualTo("Ada");
    assertThat(call("GET", versions + "/" + version.get("id").asLong(), token, null).body())
        .contains("\"grand\":0", "\"rooms\":[]");
    assertThat(call("GET", versions + "/987654", token, null).statusCode()).isEqualTo(404);
    assertThat(call("POST", versions + "/987654/restore", token, "{}").statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/estimates/nosuchthin/versions", token, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", versions, null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void api_grantsWhatTheCollabSocketGrants_readOnlyAndPerEstimateTokens() throws Exception {
    String ada = login("Ada");
    String a = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Attic\"}").body()).get("id").asText();
    String b = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Basement\"}").body()).get("id")
        .asText();
    long version = JSON.readTree(call("POST", "/api/estimates/" + a + "/versions", ada, "{\"label\":\"v1\"}")
        .body()).get("id").asLong();
    // Tokens as the host's identity provider would issue them (README: collab "read", or per estimate).
    DevTokens tokens = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));
    String reader = tokens.issue("Rita", "read");
    String onlyB = tokens.issue("Bea", Map.of("estimate-" + b, "write"));

    assertThat(call("GET", "/api/estimates", reader, null).body()).contains("Attic", "Basement");
    assertThat(call("GET", "/api/estimates/" + a + "/versions", reader, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/estimates/" + a + "/versions/" + version, reader, null).statusCode())
        .isEqualTo(200);
    assertThat(call("POST", "/api/estimates/" + a + "/versions", reader, "{\"label\":\"mine\"}").statusCode())
        .isEqualTo(403);
    assertThat(call("POST", "/api/estimates/" + a + "/versions/" + version + "/restore", reader, "{}")
        .statusCode()).isEqualTo(403);
    assertThat(call("POST", "/api/estimates", reader, "{\"title\":\"Mine\"}").statusCode()).isEqualTo(403);
    // What the page asks before it offers "Create estimate": the same answer as creating one.
    assertThat(JSON.readTree(call("GET", "/api/me", ada, null).body()).toString())
        .isEqualTo("{\"name\":\"Ada\",\"mayCreate\":true}");
    assertThat(JSON.readTree(call("GET", "/api/me", reader, null).body()).get("mayCreate").asBoolean()).isFalse();
    assertThat(JSON.readTree(call("GET", "/api/me", onlyB, null).body()).get("mayCreate").asBoolean()).isFalse();
    assertThat(call("POST", "/api/estimates", onlyB, "{\"title\":\"Mine\"}").statusCode()).isEqualTo(403);
    assertThat(call("GET", "/api/me", null, null).statusCode()).isEqualTo(401);

    String seenByB = call("GET", "/api/estimates", onlyB, null).body();
    assertThat(seenByB).contains("Basement").doesNotContain("Attic");
    assertThat(call("GET", "/api/estimates/" + a, onlyB, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/estimates/" + a + "/versions", onlyB, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/estimates/" + a + "/versions/compare?from=" + version + "&to=" + version, onlyB,
        null).statusCode()).isEqualTo(404);
    assertThat(call("POST", "/api/estimates/" + a + "/versions/" + version + "/restore", onlyB, "{}")
        .statusCode()).isEqualTo(404);
    assertThat(call("POST", "/api/estimates/" + b + "/versions", onlyB, "{\"label\":\"mine\"}").statusCode())
        .isEqualTo(201);
    assertThat(call("GET", "/api/estimates/" + a + "/versions", ada, null).body()).contains("v1")
        .doesNotContain("mine", "Before restoring");
  }

  @Test
  void delete_takesTheEstimateOutOfTheListAndTheSocket_andErasesItsDocumentFromTheStore() throws Exception {
    String ada = login("Ada");
    String id = JSON.readTree(call("POST", "/api/estimates", ada, "{\"title\":\"Shed\"}").body()).get("id")
        .asText();
    DocumentKey key = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + id);
    try (DocumentHandle handle = collab.openDocument(key).get(30, TimeUnit.SECONDS)) {
      handle.edit(txn -> EstimateTotalsTest.addRoom(txn.doc(), "shed", new Object[] {6, 2, 3})).get(30,
          TimeUnit.SECONDS);
    }
    assertThat(call("POST", "/api/estimates/" + id + "/versions", ada, "{\"label\":\"v1\"}").statusCode())
        .isEqualTo(201);
    await("the room is stored").atMost(30, TimeUnit.SECONDS).until(() -> !store.load(key).isEmpty());
    DevTokens tokens = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));
    String path = "/api/estimates/" + id;

    assertThat(call("DELETE", path, null, null).statusCode()).isEqualTo(401);
    assertThat(call("DELETE", path, tokens.issue("Rita", "read"), null).statusCode()).isEqualTo(403);
    assertThat(call("DELETE", path, tokens.issue("Bea", Map.of("estimate-0123456789", "write")), null)
        .statusCode()).as("a token that may not see it").isEqualTo(404);
    assertThat(call("GET", path, ada, null).statusCode()).isEqualTo(200);

    assertThat(call("DELETE", path, ada, null).statusCode()).isEqualTo(204);

    assertThat(call("GET", path, ada, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/estimates", ada, null).body()).doesNotContain(id);
    assertThat(call("GET", path + "/versions", ada, null).statusCode()).isEqualTo(404);
    assertThat(call("DELETE", path, ada, null).statusCode()).isEqualTo(404);
    assertThat(node("estimate-client.mjs", "refused", "ws://127.0.0.1:" + collab.port(), key.name(), ada)
        .get("code").asInt()).isEqualTo(CloseCodes.UNAUTHORIZED);
    // The edit that told the open pages may be stored after the erasure: erased too once the document unloads.
    await("the store holds nothing of it").atMost(60, TimeUnit.SECONDS)
        .until(() -> store.load(key).isEmpty() && store.listVersions(key).isEmpty());
  }

  @Test
  void api_refusesTheTokensOfARevokedUser_asTheSocketDoes_andAcceptsOnesIssuedAfter() throws Exception {
    String cy = login("Cy");
    assertThat(call("GET", "/api/estimates", cy, null).statusCode()).isEqualTo(200);
    String document = JSON.readTree(call("POST", "/api/estimates", cy, "{\"title\":\"Before\"}").body())
        .get("document").asText();
    revokedUsers.revoke("Cy").get(10, TimeUnit.SECONDS);
    HttpResponse<String> revoked = call("GET", "/api/estimates", cy, null);
    assertThat(revoked.statusCode()).isEqualTo(401);
    // The page reads this to tell a revoked user (whom it must not sign in again) from an expired token.
    assertThat(revoked.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"access revoked\"");
    assertThat(call("POST", "/api/estimates", cy, "{\"title\":\"After\"}").statusCode()).isEqualTo(401);
    JsonNode socket = node("estimate-client.mjs", "refused", "ws://127.0.0.1:" + collab.port(), document, cy);
    assertThat(socket.get("code").asInt()).isEqualTo(CloseCodes.UNAUTHORIZED);
    assertThat(socket.get("reason").asText()).isEqualTo("access revoked");
    assertThat(call("GET", "/api/estimates", login("Dee"), null).statusCode()).as("another user").isEqualTo(200);
    Thread.sleep(1100); // a JWT's iat is in whole seconds: one issued in the revocation's second counts as before it
    assertThat(call("GET", "/api/estimates", login("Cy"), null).statusCode()).as("a token issued after")
        .isEqualTo(200);
  }

  /** A token of {@code user} signed with the development login's key, issued {@code issued}, expiring {@code expires}. */
  private static String signed(String user, Instant issued, Instant expires) throws Exception {
    return signed(user, PaintboxApplication.TENANT, issued, expires);
  }

  /** {@link #signed(String, Instant, Instant)} for a user of {@code tenant}. */
  private static String signed(String user, String tenant, Instant issued, Instant expires) throws Exception {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(user).issuer(DevTokens.ISSUER)
        .issueTime(Date.from(issued)).claim("tenant", tenant).claim("collab", "write");
    if (expires != null) {
      claims.expirationTime(Date.from(expires));
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(Base64.getDecoder().decode(Files.readString(dataDir.resolve("dev-login.key")).strip())));
    return jwt.serialize();
  }

  /** A revocation is kept only as long as a token can live: one that could live longer is refused, API and socket. */
  @Test
  void api_andSocket_refuseATokenThatCouldOutliveTheLongestTokenLifetime() throws Exception {
    String document = JSON.readTree(call("POST", "/api/estimates", login("Lu"), "{\"title\":\"Long\"}").body())
        .get("document").asText();
    Instant now = Instant.now();
    String forever = signed("Lu", now, null);
    String thirteenHours = signed("Lu", now, now.plus(Duration.ofHours(13)));
    for (String token : List.of(forever, thirteenHours)) {
      HttpResponse<String> refused = call("GET", "/api/estimates", token, null);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().allValues("WWW-Authenticate")).containsExactly(
          "Bearer error=\"invalid_token\", error_description=\"" + RevokedUsers.TOO_LONG + "\"");
    }
    JsonNode socket = node("estimate-client.mjs", "refused", "ws://127.0.0.1:" + collab.port(), document, forever);
    assertThat(socket.get("code").asInt()).isEqualTo(CloseCodes.UNAUTHORIZED);
    assertThat(socket.get("reason").asText()).isEqualTo(RevokedUsers.TOO_LONG);
    assertThat(call("GET", "/api/estimates", signed("Lu", now, now.plus(Duration.ofHours(12))), null).statusCode())
        .as("twelve hours, paintbox.max-token-lifetime").isEqualTo(200);
  }

  private JsonNode actuator(String path) throws Exception {
    HttpResponse<String> response = call("GET", "/actuator/" + path, null, null);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void actuatorHealth_hasTheCollabComponentUp() throws Exception {
    JsonNode health = actuator("health");
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("components").path("collab").path("status").asText()).isEqualTo("UP");
  }

  @Test
  void actuatorMetrics_haveTheCollabMeters_withLiveValues() throws Exception {
    try (DocumentHandle handle = collab.openDocument(DocumentKey.of("paintbox", "actuator-probe"))
        .get(30, TimeUnit.SECONDS)) {
      JsonNode loaded = actuator("metrics/collab.documents.loaded");
      assertThat(loaded.path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1.0);
    }
    assertThat(actuator("metrics").path("names").toString())
        .contains("\"collab.documents.loaded\"", "\"collab.store\"");
  }
}
