package ai.candlefish.collab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentExport;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.VersionInfo;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CollabServer#export}: what a data subject's access request gets, from a real server a real client edits. */
class DocumentExportTest {
  private static final DocumentKey ACME_PLANS = DocumentKey.of("acme", "plans");

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private CollabServer server;
  private CollabClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void export_holdsTheCurrentState_unstoredEditsIncluded_andEveryVersion() throws Exception {
    // A long debounce: the last edit is not stored when the export is taken, and must be in it all the same.
    server = TestServers.server(store, 0).storeDebounce(Duration.ofMinutes(1)).storeMaxWait(Duration.ofMinutes(1))
        .build().start();
    client = CollabClient.newBuilder().uri(TestServers.uri(server)).token("alice").build();
    client.connect().get(10, TimeUnit.SECONDS);
    ClientDocument plans = client.open("plans").get(10, TimeUnit.SECONDS);
    plans.edit(txn -> {
      plans.doc().getText("notes").insert(0, "two coats");
      plans.doc().getMap("estimate").set("rooms", 3);
    }).get(10, TimeUnit.SECONDS);
    VersionInfo sent = server.versions().save(ACME_PLANS, "sent to the customer", "alice").get(10, TimeUnit.SECONDS);
    plans.edit(txn -> plans.doc().getText("notes").insert(9, " of white")); // not acknowledged: stored later
    await().atMost(Duration.ofSeconds(10)).until(() -> server.openDocument(ACME_PLANS)
        .thenCompose(h -> h.read(d -> d.getText("notes").toString()).whenComplete((t, e) -> h.close()))
        .join().equals("two coats of white"));

    DocumentExport export = server.export(ACME_PLANS).get(10, TimeUnit.SECONDS);

    assertThat(export.key()).isEqualTo(ACME_PLANS);
    assertThat(export.toDoc().getText("notes").toString()).isEqualTo("two coats of white");
    assertThat(export.versions()).extracting(v -> v.info().label()).containsExactly("sent to the customer");
    assertThat(export.versions().get(0).info().id()).isEqualTo(sent.id());

    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) Json.parse(export.toJson(doc -> {
      doc.getText("notes");
      doc.getMap("estimate");
    }));
    assertThat(json).containsEntry("tenant", "acme").containsEntry("name", "plans");
    assertThat(json.get("content")).isEqualTo(Map.of("notes", "two coats of white", "estimate", Map.of("rooms", 3)));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> versions = (List<Map<String, Object>>) json.get("versions");
    assertThat(versions).hasSize(1);
    assertThat(versions.get(0)).containsEntry("label", "sent to the customer").containsEntry("author", "alice")
        .containsEntry("content", Map.of("notes", "two coats", "estimate", Map.of("rooms", 3)));
    assertThat(Base64.getDecoder().decode((String) json.get("state"))).isEqualTo(export.state());
  }

  @Test
  void export_ofAParentOfSubdocuments_holdsTheReferences_andEachSubdocumentIsExportedByItsGuid() throws Exception {
    server = TestServers.server(store, 0).build().start();
    client = CollabClient.newBuilder().uri(TestServers.uri(server)).token("alice").build();
    client.connect().get(10, TimeUnit.SECONDS);
    ClientDocument plans = client.open("plans").get(10, TimeUnit.SECONDS);
    Doc room = Doc.newBuilder().guid("plans/room-1").build();
    plans.edit(txn -> txn.doc().getMap("rooms").set("room-1", room)).get(10, TimeUnit.SECONDS);
    plans.openSubdocument(room).get(10, TimeUnit.SECONDS)
        .edit(txn -> txn.doc().getText("notes").insert(0, "north wall")).get(10, TimeUnit.SECONDS);

    DocumentExport parent = server.export(ACME_PLANS).get(10, TimeUnit.SECONDS);
    assertThat(parent.toDoc().getSubdocGuids()).containsExactly("plans/room-1");
    assertThat(Json.parse(parent.toJson(doc -> doc.getMap("rooms")))).extracting(j -> ((Map<?, ?>) j).get("content"))
        .as("a subdocument is not loaded in the parent: {} as Yjs's JSON.stringify gives")
        .isEqualTo(Map.of("rooms", Map.of("room-1", Map.of())));
    DocumentExport child = server.export(DocumentKey.of("acme", "plans/room-1")).get(10, TimeUnit.SECONDS);
    assertThat(child.toDoc().getText("notes").toString()).isEqualTo("north wall");
  }

  @Test
  void export_ofADocumentNobodyHasOpen_loadsItFromTheStore() throws Exception {
    server = TestServers.server(store, 0).build().start();
    try (var handle = server.openDocument(ACME_PLANS).get(10, TimeUnit.SECONDS)) {
      handle.edit(txn -> txn.doc().getText("notes").insert(0, "stored")).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> server.loadedDocumentCount() == 0);

    DocumentExport export = server.export(ACME_PLANS).get(10, TimeUnit.SECONDS);

    assertThat(export.toDoc().getText("notes").toString()).isEqualTo("stored");
    assertThat(export.versions()).isEmpty();
  }
}
