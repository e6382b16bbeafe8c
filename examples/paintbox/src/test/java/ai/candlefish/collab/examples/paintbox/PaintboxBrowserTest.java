package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.VersionInfo;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Paintbox as two people use it: two headless Debian Chromiums driven by playwright-core
 * ({@code src/test/js/paintbox-browser.mjs}) sign in as Alice and Bob and edit the same estimate at the same time
 * (rooms, surfaces, the Lexical notes). Both pages must show the same content and the same total, computed by the
 * server (and the server's copy must hold it); each must see the other. Then the application is restarted on the
 * same data directory and a third person must find the estimate in the list. Screenshots go to
 * {@code target/screenshots}.
 *
 * <p>Then undo/redo and versions ({@code src/test/js/paintbox-history.mjs}): each person's undo takes back only their
 * own edits, on both pages; a version saved, viewed, compared and restored reaches both pages, and the restore can
 * itself be undone; a user of another tenant gets 404 from the versions API.
 */
class PaintboxBrowserTest {
  @TempDir
  Path dataDir;

  /** The development login's key in these tests, so that a test can sign a token of another tenant with it. */
  private static final String SECRET = "paintbox-browser-test-secret-0123456789";

  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(PaintboxApplication.class).run(
        "--server.port=0", "--server.address=127.0.0.1", "--candlefish.collab.port=0",
        "--candlefish.collab.host=127.0.0.1", "--paintbox.data-dir=" + dataDir,
        "--paintbox.dev-login.secret=" + SECRET);
  }

  private static String baseUrl(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort() + "/";
  }

  @Test
  void twoPeople_editOneEstimateAtOnce_seeTheSameServerTotal_andTheEstimateOutlivesARestart() throws Exception {
    String shots = System.getProperty("screenshot.dir", "target/screenshots");
    String estimateId;
    try (ConfigurableApplicationContext app = start()) {
      JsonNode seen = PaintboxApplicationTest.node("paintbox-browser.mjs", "edit", baseUrl(app), shots);

      estimateId = seen.get("id").asText();
      assertThat(seen.get("grandText").asText()).isEqualTo("€335.00");
      assertThat(seen.get("notes").asText()).contains("Access via the back door.", "Alice: hall first.",
          "Bob: keep the tiles.");
      assertThat(seen.get("people").get(0).toString()).contains("Alice (you)", "Bob");
      assertThat(seen.get("people").get(1).toString()).contains("Alice", "Bob (you)");

      CollabServer server = app.getBean(CollabServer.class);
      try (DocumentHandle handle = server.openDocument(DocumentKey.of(PaintboxApplication.TENANT,
          "estimate-" + estimateId)).get(10, TimeUnit.SECONDS)) {
        EstimateTotals stored = handle.read(EstimateTotals::stored).get(10, TimeUnit.SECONDS);
        assertThat(stored.grand()).as("the server's copy").isEqualByComparingTo("335");
        assertThat(stored.rooms()).hasSize(2);
      }
    }

    try (ConfigurableApplicationContext app = start()) {
      JsonNode after = PaintboxApplicationTest.node("paintbox-browser.mjs", "reopen", baseUrl(app), shots,
          estimateId);

      assertThat(after.get("title").asText()).isEqualTo("Flat in Elm Street");
      // The documents are in the same H2 database (collab-jdbc), stored when the first application stopped.
      assertThat(after.get("grandText").asText()).isEqualTo("€335.00");
      assertThat(after.get("rooms").asInt()).isEqualTo(2);
      assertThat(after.get("notes").asText()).contains("Alice: hall first.", "Bob: keep the tiles.");
    }
  }

  @Test
  void twoPeople_undoOnlyTheirOwnEdits_andRestoreAVersionThatBothPagesReceive_whileOtherTenantsSeeNothing()
      throws Exception {
    String shots = System.getProperty("screenshot.dir", "target/screenshots");
    try (ConfigurableApplicationContext app = start()) {
      JsonNode seen = PaintboxApplicationTest.node("paintbox-history.mjs", baseUrl(app), shots);

      // The script checked both pages at every step; here what the server holds.
      String id = seen.get("id").asText();
      assertThat(seen.get("comparison").get("changes").toString()).contains("Added room “Hall” with 1 surface(s)",
          "Lounge, Wall: price 3 → 5");
      DocumentKey key = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + id);
      CollabServer server = app.getBean(CollabServer.class);
      List<VersionInfo> versions = server.versions().list(key).get(10, TimeUnit.SECONDS);
      assertThat(versions).extracting(VersionInfo::label).containsExactly("As sent to the customer", "Hall added",
          "Before restoring “As sent to the customer”");
      assertThat(versions).extracting(VersionInfo::author).containsExactly("Alice", "Bob", "Alice");
      try (DocumentHandle handle = server.openDocument(key).get(10, TimeUnit.SECONDS)) {
        EstimateTotals totals = handle.read(EstimateTotals::compute).get(10, TimeUnit.SECONDS);
        assertThat(totals.grand()).as("the restore undone: the later content").isEqualByComparingTo("220");
      }

      // A user of another tenant, with a token the application accepts, finds neither the estimate's versions nor
      // a way to change them.
      String base = baseUrl(app) + "api/estimates/" + id + "/versions";
      String other = token("Eve", "acme");
      long first = versions.get(0).id();
      assertThat(status("GET", base, other, null)).isEqualTo(404);
      assertThat(status("GET", base + "/" + first, other, null)).isEqualTo(404);
      assertThat(status("GET", base + "/compare?from=" + first + "&to=" + versions.get(1).id(), other, null))
          .isEqualTo(404);
      assertThat(status("POST", base, other, "{\"label\":\"mine now\"}")).isEqualTo(404);
      assertThat(status("POST", base + "/" + first + "/restore", other, "{}")).isEqualTo(404);
      assertThat(status("GET", base, null, null)).isEqualTo(401);
      // Nor the estimate itself.
      String estimates = baseUrl(app) + "api/estimates";
      assertThat(status("GET", estimates + "/" + id, other, null)).isEqualTo(404);
      assertThat(get(estimates, other)).isEqualTo("[]");
      assertThat(get(estimates, token("Eve", PaintboxApplication.TENANT))).contains(id);
      assertThat(status("POST", estimates, other, "{\"title\":\"Elsewhere\"}")).isEqualTo(403);
      // The same requests with a token of Paintbox's tenant are answered: the 404s above are the tenant's doing.
      assertThat(status("GET", base, token("Eve", PaintboxApplication.TENANT), null)).isEqualTo(200);
      assertThat(server.versions().list(key).get(10, TimeUnit.SECONDS)).hasSize(3);
      try (DocumentHandle handle = server.openDocument(key).get(10, TimeUnit.SECONDS)) {
        assertThat(handle.read(EstimateTotals::compute).get(10, TimeUnit.SECONDS).grand())
            .isEqualByComparingTo("220");
      }
    }
  }

  /** A token signed with the application's key, as the development login signs them, for {@code tenant}. */
  private static String token(String user, String tenant) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(user).issuer(DevTokens.ISSUER)
        .expirationTime(Date.from(Instant.now().plusSeconds(600))).claim("tenant", tenant).claim("collab", "write")
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private String get(String url, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private int status(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
