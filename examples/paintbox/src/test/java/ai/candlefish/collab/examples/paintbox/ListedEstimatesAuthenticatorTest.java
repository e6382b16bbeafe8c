package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link ListedEstimatesAuthenticator} on a real H2 database with Paintbox's schema. */
class ListedEstimatesAuthenticatorTest {
  private static final ConnectionInfo HOCUSPOCUS = connection("hocuspocus", "/");
  private static final Instant EXPIRES = Instant.parse("2026-12-06T21:00:00Z");
  private static final Instant ISSUED = Instant.parse("2026-12-06T20:00:00Z");
  private static final Principal ADA = Principal.of("Ada", PaintboxApplication.TENANT, Permission.WRITE);

  /** How often the list's ids were read. */
  private final AtomicInteger idReads = new AtomicInteger();
  private Estimates estimates;
  private String listed;

  @BeforeEach
  void createList() {
    JdbcClient jdbc = PaintboxDatabases.fresh("auth");
    estimates = new Estimates(jdbc) {
      @Override
      public Set<String> ids() {
        idReads.incrementAndGet();
        return super.ids();
      }
    };
    listed = estimates.create("Hall", id -> {}).id();
  }

  private static ConnectionInfo connection(String protocol, String path) {
    return new ConnectionInfo(1, new InetSocketAddress("127.0.0.1", 1000), protocol, path, Map.of(), Map.of());
  }

  private Authenticator authenticator(Principal principal, String serverPath) {
    return new ListedEstimatesAuthenticator((token, c) -> principal, estimates, serverPath);
  }

  private static Permission permission(Principal p, String document) {
    return p.permission(p.documentKey(document));
  }

  @Test
  void authenticate_grantsNoEstimateThatIsNotInTheList_andTheRestAsTheDelegateDoes() {
    Principal ada = ADA.expiringAt(EXPIRES).issuedAt(ISSUED);
    Principal p = authenticator(ada, "").authenticate("t", HOCUSPOCUS);

    assertThat(permission(p, "estimate-" + listed)).isEqualTo(Permission.WRITE);
    assertThat(permission(p, "estimate-0123456789")).isEqualTo(Permission.NONE);
    assertThat(permission(p, "notes")).as("not an estimate's document").isEqualTo(Permission.NONE);
    assertThat(permission(p, "estimate-SHOUTING12")).as("not an estimate's document").isEqualTo(Permission.NONE);
    assertThat(p.id()).isEqualTo("Ada");
    assertThat(p.expiresAt()).isEqualTo(EXPIRES);
    assertThat(p.issuedAt()).isEqualTo(ISSUED);
  }

  @Test
  void authenticate_readsTheListAgain_forEstimatesCreatedOrDeletedMeanwhile() {
    Authenticator auth = authenticator(Principal.of("Ada", PaintboxApplication.TENANT, Permission.READ), "");
    Principal before = auth.authenticate("t", HOCUSPOCUS);
    String added = estimates.create("Attic", id -> {}).id();
    estimates.delete(listed);

    auth.authenticate("t", HOCUSPOCUS);

    assertThat(permission(before, "estimate-" + added)).isEqualTo(Permission.READ);
    assertThat(permission(before, "estimate-" + listed)).isEqualTo(Permission.NONE);
  }

  @Test
  void authenticate_readsTheListsIdsOnlyAfterTheListChanged() {
    Authenticator auth = authenticator(ADA, "");
    for (int i = 0; i < 3; i++) {
      auth.authenticate("t", HOCUSPOCUS);
      auth.authenticate("t", connection("collab/1", "/"));
    }
    assertThat(idReads).as("six logins, no change").hasValue(1);

    String added = estimates.create("Attic", id -> {}).id();
    Principal p = auth.authenticate("t", HOCUSPOCUS);
    auth.authenticate("t", HOCUSPOCUS);

    assertThat(idReads).as("read again once after a creation").hasValue(2);
    assertThat(permission(p, "estimate-" + added)).isEqualTo(Permission.WRITE);
  }

  @Test
  void authenticate_ofAYWebsocketConnection_looksUpTheOneEstimateItsPathNames_andGrantsNoOther() {
    String other = estimates.create("Attic", id -> {}).id();
    Principal p = authenticator(ADA, "/collab").authenticate("t", connection("y-websocket", "/collab/estimate-"
        + listed));

    assertThat(permission(p, "estimate-" + listed)).isEqualTo(Permission.WRITE);
    assertThat(permission(p, "estimate-" + other)).as("not the document it serves").isEqualTo(Permission.NONE);
    assertThat(idReads).as("the list's ids").hasValue(0);
  }

  @Test
  void authenticate_refusesAYWebsocketConnectionToAnEstimateThatIsNotInTheList() {
    assertThatThrownBy(() -> authenticator(ADA, "/collab")
        .authenticate("t", connection("y-websocket", "/collab/estimate-0123456789")))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("no estimate 0123456789");
  }

  @Test
  void authenticate_refusesAYWebsocketConnectionToADocumentThatIsNoEstimates() {
    for (String path : new String[] {"/collab/scratch", "/collab/estimate-SHOUTING12",
        "/collab/notes/estimate-" + listed, "/collab/", "/estimate-" + listed}) {
      assertThatThrownBy(() -> authenticator(ADA, "/collab").authenticate("t", connection("y-websocket", path)))
          .as(path).isInstanceOf(AuthenticationException.class)
          .hasMessage("Paintbox serves estimates only: /collab/estimate-<id> with the id of an estimate in its list");
    }
    assertThat(estimates.list()).hasSize(1);
  }

  @Test
  void authenticate_refusesAnotherTenantsPrincipal_onEveryProtocol() {
    Principal other = Principal.of("Ada", "other-tenant", Permission.WRITE);
    for (ConnectionInfo c : new ConnectionInfo[] {connection("y-websocket", "/estimate-" + listed), HOCUSPOCUS,
        connection("collab.v1", "/")}) {
      assertThatThrownBy(() -> authenticator(other, "").authenticate("t", c)).as(c.protocol())
          .isInstanceOf(AuthenticationException.class)
          .hasMessage("Paintbox serves the tenant paintbox only, and this token is for another tenant");
    }
  }
}
