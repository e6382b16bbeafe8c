package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class ListedEstimatesAuthenticatorTest {
  private static final ConnectionInfo HOCUSPOCUS =
      new ConnectionInfo(1, new InetSocketAddress("127.0.0.1", 1000), "hocuspocus", "/", Map.of(), Map.of());
  private static final Instant EXPIRES = Instant.parse("2026-12-06T21:00:00Z");
  private static final Instant ISSUED = Instant.parse("2026-12-06T20:00:00Z");

  private Estimates estimates;
  private String listed;

  @BeforeEach
  void createList() {
    JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(
        "jdbc:h2:mem:auth-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1"));
    jdbc.sql("CREATE TABLE paintbox_estimate (id VARCHAR(16) PRIMARY KEY, title VARCHAR(120) NOT NULL, "
        + "created TIMESTAMP WITH TIME ZONE NOT NULL)").update();
    estimates = new Estimates(jdbc);
    listed = estimates.create("Hall", id -> {}).id();
  }

  private static Permission permission(Principal p, String document) {
    return p.permission(p.documentKey(document));
  }

  @Test
  void authenticate_grantsNoEstimateThatIsNotInTheList_andTheRestAsTheDelegateDoes() {
    Principal ada = Principal.of("Ada", PaintboxApplication.TENANT, Permission.WRITE).expiringAt(EXPIRES)
        .issuedAt(ISSUED);
    Principal p = new ListedEstimatesAuthenticator((token, c) -> ada, estimates).authenticate("t", HOCUSPOCUS);

    assertThat(permission(p, "estimate-" + listed)).isEqualTo(Permission.WRITE);
    assertThat(permission(p, "estimate-0123456789")).isEqualTo(Permission.NONE);
    assertThat(permission(p, "notes")).as("not an estimate's document").isEqualTo(Permission.WRITE);
    assertThat(p.id()).isEqualTo("Ada");
    assertThat(p.expiresAt()).isEqualTo(EXPIRES);
    assertThat(p.issuedAt()).isEqualTo(ISSUED);
  }

  @Test
  void authenticate_readsTheListAgain_forEstimatesCreatedOrDeletedMeanwhile() {
    Authenticator auth = new ListedEstimatesAuthenticator(
        (token, c) -> Principal.of("Ada", PaintboxApplication.TENANT, Permission.READ), estimates);
    Principal before = auth.authenticate("t", HOCUSPOCUS);
    String added = estimates.create("Attic", id -> {}).id();
    estimates.delete(listed);

    auth.authenticate("t", HOCUSPOCUS);

    assertThat(permission(before, "estimate-" + added)).isEqualTo(Permission.READ);
    assertThat(permission(before, "estimate-" + listed)).isEqualTo(Permission.NONE);
  }

  @Test
  void authenticate_leavesAnotherTenantsPrincipalAsItIs() {
    Principal other = Principal.of("Ada", "other-tenant", Permission.WRITE);
    Principal p = new ListedEstimatesAuthenticator((token, c) -> other, estimates).authenticate("t", HOCUSPOCUS);

    assertThat(p).isSameAs(other);
    assertThat(p.permission(DocumentKey.of("other-tenant", "estimate-0123456789"))).isEqualTo(Permission.WRITE);
  }
}
