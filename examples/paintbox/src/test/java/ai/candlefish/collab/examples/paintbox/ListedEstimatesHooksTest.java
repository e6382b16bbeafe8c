package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class ListedEstimatesHooksTest {
  private static final Principal ADA = Principal.of("Ada", PaintboxApplication.TENANT, Permission.WRITE);

  private final InMemoryDocumentStore store = new InMemoryDocumentStore();
  private Estimates estimates;
  private String listed;

  @BeforeEach
  void createList() {
    JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(
        "jdbc:h2:mem:listed-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1"));
    jdbc.sql("CREATE TABLE paintbox_estimate (id VARCHAR(16) PRIMARY KEY, title VARCHAR(120) NOT NULL, "
        + "created TIMESTAMP WITH TIME ZONE NOT NULL)").update();
    estimates = new Estimates(jdbc);
    listed = estimates.create("Hall", id -> {}).id();
  }

  private static ConnectionInfo connection(String path) {
    return new ConnectionInfo(1, new InetSocketAddress("127.0.0.1", 1000), "y-websocket", path, Map.of(), Map.of());
  }

  @Test
  void onAuthenticate_refusesAnEstimateThatIsNotInTheList() {
    ListedEstimatesHooks hooks = new ListedEstimatesHooks(estimates, store, "/collab");

    assertThatThrownBy(() -> hooks.onAuthenticate(connection("/collab/estimate-0123456789"), ADA))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("no estimate 0123456789");
    assertThatCode(() -> hooks.onAuthenticate(connection("/collab/estimate-" + listed), ADA))
        .doesNotThrowAnyException();
  }

  @Test
  void onAuthenticate_letsOtherDocumentsAndOtherTenantsBe() {
    ListedEstimatesHooks hooks = new ListedEstimatesHooks(estimates, store, "");

    for (String path : new String[] {"/scratch", "/estimate-SHOUTING12", "/notes/estimate-0123456789", "/"}) {
      assertThatCode(() -> hooks.onAuthenticate(connection(path), ADA)).as(path).doesNotThrowAnyException();
    }
    assertThatCode(() -> hooks.onAuthenticate(connection("/estimate-0123456789"),
        Principal.of("Ada", "other-tenant", Permission.WRITE))).doesNotThrowAnyException();
    assertThat(estimates.list()).hasSize(1);
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
    ListedEstimatesHooks hooks = new ListedEstimatesHooks(estimates, store, "");

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
