package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Paintbox's page when an estimate stops being there for a person (deleted by somebody else, their access revoked),
 * in one Chromium: {@code src/test/js/paintbox-access.mjs} runs the scenarios (its header says what each does and
 * expects); the test revokes the user of the second once the server has him on the estimate, the user of the third
 * once she went back to the list, and checks the store after the first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaintboxAccessBrowserTest {
  @TempDir
  static Path dataDir; // static: used before the tests

  private NodeScenarios scenarios;
  private boolean deletedDocumentErased;

  @BeforeAll
  void runScenarios() throws Exception {
    try (ConfigurableApplicationContext app = LocalPaintbox.start(dataDir)) {
      String base = LocalPaintbox.base(app);
      CollabServer server = app.getBean(CollabServer.class);
      PresenceHooks presence = app.getBean(PresenceHooks.class);
      RevokedUsers revokedUsers = app.getBean(RevokedUsers.class);
      // Vic's access is revoked once he has an estimate open (PresenceHooks: who has which estimate open) and has
      // named a room in it.
      CompletableFuture<Integer> revoked = CompletableFuture.supplyAsync(() -> {
        String[] id = {null};
        await("Vic has an estimate open").atMost(180, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
            .until(() -> (id[0] = presence.viewers().entrySet().stream().filter(e -> e.getValue().contains("Vic"))
                .map(Map.Entry::getKey).findFirst().orElse(null)) != null);
        try (DocumentHandle estimate = server.openDocument(
            DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + id[0])).join()) {
          await("Vic named a room").atMost(60, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
              .until(() -> estimate.read(doc -> EstimateContent.read(doc, null).rooms().stream()
                  .anyMatch(room -> "Porch".equals(room.get("name")))).join());
        }
        return revokedUsers.revoke("Vic").join();
      });
      // Wendy's once she has named a room of her estimate "Attic" and gone back to the list (her socket closed:
      // PresenceHooks no longer has her on it), where nothing but the API's answers can tell her page.
      Estimates estimates = app.getBean(Estimates.class);
      CompletableFuture<Integer> revokedOnTheList = CompletableFuture.supplyAsync(() -> {
        String[] id = {null};
        await("Wendy's estimate is listed").atMost(300, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
            .until(() -> (id[0] = estimates.list().stream().filter(e -> e.title().equals("Attic"))
                .map(Estimates.Estimate::id).findFirst().orElse(null)) != null);
        try (DocumentHandle estimate = server.openDocument(
            DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + id[0])).join()) {
          await("Wendy named a room and went back to the list").atMost(60, TimeUnit.SECONDS)
              .pollInterval(200, TimeUnit.MILLISECONDS)
              .until(() -> estimate.read(doc -> EstimateContent.read(doc, null).rooms().stream()
                  .anyMatch(room -> "Loft".equals(room.get("name")))).join()
                  && !presence.viewers().getOrDefault(id[0], List.of()).contains("Wendy"));
        }
        return revokedUsers.revoke("Wendy").join();
      });
      scenarios = NodeScenarios.run("paintbox-access.mjs", "scenario", List.of(base,
          LocalPaintbox.shots("access"), "delete", "forged-marks", "revoke",
          "revoke-on-the-list"), Map.of());
      assertThat(revoked.get(10, TimeUnit.SECONDS)).as("connections whose sessions the revocation ended").isOne();
      assertThat(revokedOnTheList.get(10, TimeUnit.SECONDS)).as("Wendy had no socket open").isZero();
      JsonNode deleted = scenarios.passed("delete");
      DocumentKey key = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + deleted.get("id").asText());
      DocumentStore store = app.getBean(DocumentStore.class);
      // What the open pages sent until they heard of it is erased too, once the document leaves memory.
      await("the deleted estimate's document is erased").atMost(60, TimeUnit.SECONDS)
          .until(() -> store.load(key).isEmpty());
      deletedDocumentErased = true;
    }
  }

  @Test
  void anEstimateDeletedWhileOthersHaveItOpen_orOffline_saysSoOnTheirPages_showsWhatTheyHad_andIsErased() {
    JsonNode seen = scenarios.passed("delete");

    assertThat(seen.get("bob").asText()).startsWith("This estimate was deleted by Alice.");
    assertThat(seen.get("carol").asText()).startsWith("This estimate was deleted.");
    assertThat(seen.get("kept").toString()).as("the rooms Bob's and Carol's pages still show")
        .isEqualTo("[[\"Shed\"],[\"Shed, renamed offline\"]]");
    assertThat(seen.get("keptAs").get("rooms").toString()).as("Carol's page, kept as a new estimate")
        .isEqualTo("[\"Shed, renamed offline\"]");
    assertThat(deletedDocumentErased).isTrue();
  }

  /**
   * What only the server writes (the totals, a restore, a deletion: {@link ServerOwnedRoots}) a page cannot write:
   * the server refuses it, and no other page ever sees it. The refused page says so, and starts again from the saved
   * estimate when its user asks.
   */
  @Test
  void aPageThatWritesWhatOnlyTheServerWrites_isRefused_saysWhy_andTheOtherPagesNeverSeeIt() {
    JsonNode seen = scenarios.passed("forged-marks");

    assertThat(seen.get("bob").get("code").asInt()).isEqualTo(4403);
    assertThat(seen.get("bob").get("reason").asText()).contains("is written by the server only");
    assertThat(seen.get("refused").asText()).startsWith("The server stopped taking this page's changes: '")
        .contains("is written by the server only (4403)");
    assertThat(seen.get("rooms").toString()).isEqualTo("[\"Hall and stairs\"]");
  }

  @Test
  void aUserWhoseAccessIsRevokedMidSession_isToldSo_andThePageStopsWithoutRetrying() {
    JsonNode seen = scenarios.passed("revoke");

    assertThat(seen.get("vic").asText()).startsWith("Your access was revoked");
  }

  @Test
  void aUserRevokedWhileOnTheEstimateList_isToldSo_andNotSignedInAgain() {
    JsonNode seen = scenarios.passed("revoke-on-the-list");

    assertThat(seen.get("wendy").asText()).startsWith("Your access was revoked");
  }
}
