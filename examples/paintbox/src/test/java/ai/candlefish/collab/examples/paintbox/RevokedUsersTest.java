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
import java.sql.Timestamp;
import java.time.Duration;
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
  private static final Duration LIFETIME = Duration.ofHours(12);
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
    here = new RevokedUsers(jdbc, () -> server, LIFETIME);
    otherInstance = new RevokedUsers(jdbc, () -> {
      throw new AssertionError("the other instance's server is not asked");
    }, LIFETIME);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A token of {@code user} issued {@code at}, valid for an hour. */
  private static Principal issued(String user, Instant at) {
    return Principal.of(user, PaintboxApplication.TENANT, Permission.WRITE).issuedAt(at)
        .expiringAt(at.plusSeconds(3600));
  }

  /** A token of {@code user} without an issue time, valid until {@code expires}. */
  private static Principal expiring(String user, Instant expires) {
    return Principal.of(user, PaintboxApplication.TENANT, Permission.WRITE).expiringAt(expires);
  }

  private void revokedAt(String user, Instant at) {
    jdbc.sql("INSERT INTO paintbox_revocation (user_name, revoked) VALUES (?, ?)").params(user, Timestamp.from(at))
        .update();
  }

  private int rows(String user) {
    return jdbc.sql("SELECT COUNT(*) FROM paintbox_revocation WHERE user_name = ?").param(user).query(Integer.class)
        .single();
  }

  @Test
  void revoke_refusesTheUsersTokensIssuedUntilThen_onEveryInstance_andNoOthers() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
    assertThat(here.revoke("Cy").get(10, TimeUnit.SECONDS)).as("connections of Cy's").isZero();
    Instant after = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);

    for (RevokedUsers instance : new RevokedUsers[] {here, otherInstance}) {
      assertThat(instance.refusal(issued("Cy", before))).isEqualTo(Users.ACCESS_REVOKED);
      assertThat(instance.refusal(expiring("Cy", Instant.now().plusSeconds(3600))))
          .as("a token without an issue time, which may have been issued 12 h before it expires")
          .isEqualTo(Users.ACCESS_REVOKED);
      assertThat(instance.refusal(issued("Cy", after))).as("a token issued after").isNull();
      assertThat(instance.refusal(issued("Dee", before))).as("another user").isNull();
      assertThat(instance.refusal(Principal.of("Cy", "other-tenant", Permission.WRITE).issuedAt(before)))
          .as("another tenant's Cy").isNull();
    }
  }

  @Test
  void refusal_ofATokenWithoutIssueTime_countsItIssuedTheLongestLifetimeBeforeItExpires() {
    Instant now = Instant.now();
    revokedAt("Cy", now.minus(Duration.ofHours(6)));

    assertThat(here.refusal(expiring("Cy", now.plus(Duration.ofHours(5)))))
        .as("expires 5 h from now: may have been issued 7 h ago, before the revocation")
        .isEqualTo(Users.ACCESS_REVOKED);
    assertThat(here.refusal(expiring("Cy", now.plus(Duration.ofHours(7)))))
        .as("expires 7 h from now: issued 5 h ago at the earliest, after the revocation").isNull();
  }

  @Test
  void refusal_ofATokenThatCouldLiveLongerThanTheLongestLifetime() {
    Instant issued = Instant.now().minusSeconds(60);
    Principal cy = Principal.of("Cy", PaintboxApplication.TENANT, Permission.WRITE);

    assertThat(here.refusal(cy.issuedAt(issued))).as("no exp").isEqualTo(RevokedUsers.TOO_LONG);
    assertThat(here.refusal(cy)).as("neither iat nor exp").isEqualTo(RevokedUsers.TOO_LONG);
    assertThat(here.refusal(cy.issuedAt(issued).expiringAt(issued.plus(LIFETIME).plusSeconds(1))))
        .isEqualTo(RevokedUsers.TOO_LONG);
    assertThat(here.refusal(cy.issuedAt(issued).expiringAt(issued.plus(LIFETIME)))).isNull();
    assertThat(here.refusal(expiring("Cy", Instant.now().plus(LIFETIME).plusSeconds(60))))
        .as("no iat, and exp further than the lifetime from now").isEqualTo(RevokedUsers.TOO_LONG);
    assertThat(here.refusal(Principal.of("Cy", "other-tenant", Permission.WRITE)))
        .as("another tenant's token sees no estimate anyway").isNull();
  }

  @Test
  void revoke_deletesTheRevocationsThatCanNoLongerRefuseAValidToken() throws Exception {
    Instant now = Instant.now();
    Instant old = now.minus(LIFETIME).minus(RevokedUsers.CLOCK_SKEW).minusSeconds(60);
    Instant recent = now.minus(LIFETIME).minus(RevokedUsers.CLOCK_SKEW).plusSeconds(60);
    revokedAt("Old", old);
    revokedAt("Recent", recent);

    here.revoke("Cy").get(10, TimeUnit.SECONDS);

    assertThat(rows("Old")).as("every token issued before it has expired").isZero();
    assertThat(rows("Recent")).isOne();
    assertThat(rows("Cy")).isOne();
    // A token issued just before the recent one, with the longest lifetime, expired 4 minutes ago: a decoder that
    // allows for clock skew may still take it, so it is still refused.
    Principal beforeRecent = Principal.of("Recent", PaintboxApplication.TENANT, Permission.WRITE)
        .issuedAt(recent.minusSeconds(1)).expiringAt(recent.minusSeconds(1).plus(LIFETIME));
    assertThat(here.refusal(beforeRecent)).isEqualTo(Users.ACCESS_REVOKED);
  }

  @Test
  void revoke_again_refusesTheTokensIssuedBetween() throws Exception {
    here.revoke("Cy").get(10, TimeUnit.SECONDS);
    Instant between = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    assertThat(otherInstance.refusal(issued("Cy", between))).isNull();
    revokedAt("Cy", between.plusSeconds(1)); // a later revocation, by another instance

    assertThat(here.refusal(issued("Cy", between))).isEqualTo(Users.ACCESS_REVOKED);
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
