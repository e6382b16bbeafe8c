package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link RevokedUsers} on a real H2 database (Paintbox's schema) and a real {@link CollabServer}; a second
 * {@code RevokedUsers} on the same database stands for another instance.
 */
class RevokedUsersTest {
  private static final ConnectionInfo LOGIN =
      new ConnectionInfo(1, new InetSocketAddress("127.0.0.1", 1000), "y-websocket", "/", Map.of(), Map.of());

  private JdbcClient jdbc;
  private CollabServer server;
  private RevokedUsers here;
  private RevokedUsers otherInstance;

  @BeforeEach
  void start() {
    jdbc = PaintboxDatabases.fresh("revoked");
    server = CollabServer.newBuilder().port(0).host("127.0.0.1")
        .authenticator(Authenticator.insecureAllowAll(PaintboxApplication.TENANT)).build().start();
    here = new RevokedUsers(jdbc, () -> server);
    otherInstance = new RevokedUsers(jdbc, () -> {
      throw new AssertionError("the other instance's server is not asked");
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Principal issued(String user, Instant at) {
    return Principal.of(user, PaintboxApplication.TENANT, Permission.WRITE).issuedAt(at);
  }

  @Test
  void revoke_refusesTheUsersTokensIssuedUntilThen_onEveryInstance_andNoOthers() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
    assertThat(here.revoke("Cy").get(10, TimeUnit.SECONDS)).as("connections of Cy's").isZero();
    Instant after = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);

    for (RevokedUsers instance : new RevokedUsers[] {here, otherInstance}) {
      assertThat(instance.isRevoked(issued("Cy", before))).isTrue();
      assertThat(instance.isRevoked(Principal.of("Cy", PaintboxApplication.TENANT, Permission.WRITE)))
          .as("a token without an issue time").isTrue();
      assertThat(instance.isRevoked(issued("Cy", after))).as("a token issued after").isFalse();
      assertThat(instance.isRevoked(issued("Dee", before))).as("another user").isFalse();
      assertThat(instance.isRevoked(Principal.of("Cy", "other-tenant", Permission.WRITE).issuedAt(before)))
          .as("another tenant's Cy").isFalse();
    }
  }

  @Test
  void revoke_again_refusesTheTokensIssuedBetween() throws Exception {
    here.revoke("Cy").get(10, TimeUnit.SECONDS);
    Instant between = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    assertThat(otherInstance.isRevoked(issued("Cy", between))).isFalse();
    jdbc.sql("INSERT INTO paintbox_revocation (user_name, revoked) VALUES ('Cy', ?)")
        .param(java.sql.Timestamp.from(between.plusSeconds(1))).update(); // a later revocation, by another instance

    assertThat(here.isRevoked(issued("Cy", between))).isTrue();
  }

  @Test
  void onAuthenticate_refusesARevokedUsersLogin_asAccessRevoked() throws Exception {
    Instant before = Instant.now().minusSeconds(60);
    assertThatCode(() -> otherInstance.onAuthenticate(LOGIN, issued("Cy", before))).doesNotThrowAnyException();
    here.revoke("Cy").get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> otherInstance.onAuthenticate(LOGIN, issued("Cy", before)))
        .isInstanceOf(AuthenticationException.class).hasMessage(Users.ACCESS_REVOKED);
    assertThatCode(() -> otherInstance.onAuthenticate(LOGIN, issued("Dee", before))).doesNotThrowAnyException();
  }

  @Test
  void revoke_refusesABlankUser() {
    assertThatThrownBy(() -> here.revoke(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
  }
}
