package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class ListedEstimatesHooksTest {

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private Estimates estimates;
  private String listed;

  @BeforeEach
  void createList() {
    JdbcClient jdbc = PaintboxDatabases.fresh("listed");
    estimates = new Estimates(jdbc);
    listed = estimates.create("Hall", id -> {}).id();
  }

  @Test
  void onUnload_erasesTheDocumentOfAnEstimateNoLongerListed_andNoOtherDocument() throws Exception {
    String deleted = estimates.create("Attic", id -> {}).id();
    assertThat(estimates.delete(deleted)).isTrue();
    DocumentKey gone = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + deleted);
    DocumentKey kept = DocumentKey.of(PaintboxApplication.TENANT, "estimate-" + listed);
    DocumentKey otherTenant = DocumentKey.of("other-tenant", "estimate-" + deleted);
    DocumentKey scratch = DocumentKey.of(PaintboxApplication.TENANT, "scratch");
    byte[] update = update();
    for (DocumentKey key : new DocumentKey[] {gone, kept, otherTenant, scratch}) {
      store.append(key, update);
    }
    ListedEstimatesHooks hooks = new ListedEstimatesHooks(estimates, store);

    for (DocumentKey key : new DocumentKey[] {gone, kept, otherTenant, scratch}) {
      hooks.onUnload(key);
    }
    hooks.close(); // once the erasures asked for are done

    assertThat(store.load(gone).isEmpty()).as("the deleted estimate's document").isTrue();
    for (DocumentKey key : new DocumentKey[] {kept, otherTenant, scratch}) {
      assertThat(store.load(key).isEmpty()).as("%s", key).isFalse();
    }
    assertThat(estimates.delete(deleted)).as("deleted twice").isFalse();
  }

  private static byte[] update() {
    Doc doc = Doc.create();
    doc.getArray("rooms").push(List.of("Hall"));
    return doc.encodeStateAsUpdate();
  }
}
