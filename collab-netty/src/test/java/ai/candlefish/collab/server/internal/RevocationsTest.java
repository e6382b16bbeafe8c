package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.Revocation;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevocationsTest {
  private static final Instant REVOKED = Instant.parse("2026-12-04T12:00:00Z");
  private static final Principal ALICE = Principal.of("alice", "acme", Permission.WRITE);

  @Test
  void isRevoked_tokensIssuedBefore_orWithoutIssueTime_untilTheTtl() {
    Revocations revocations = new Revocations(Duration.ofHours(1), 10);
    revocations.revoke("acme", "alice", REVOKED);

    assertThat(revocations.isRevoked(ALICE, REVOKED.plusSeconds(1))).isTrue();
    assertThat(revocations.isRevoked(ALICE.issuedAt(REVOKED.minusSeconds(1)), REVOKED.plusSeconds(1))).isTrue();
    assertThat(revocations.isRevoked(ALICE.issuedAt(REVOKED), REVOKED.plusSeconds(1))).isTrue();
    assertThat(revocations.isRevoked(ALICE.issuedAt(REVOKED.plusMillis(1)), REVOKED.plusSeconds(1))).isFalse();
    assertThat(revocations.isRevoked(Principal.of("alice", "other", Permission.WRITE), REVOKED)).isFalse();
    assertThat(revocations.isRevoked(Principal.of("bob", "acme", Permission.WRITE), REVOKED)).isFalse();

    assertThat(revocations.isRevoked(ALICE, REVOKED.plus(Duration.ofHours(1)))).isFalse();
    assertThat(revocations.size()).isZero();
  }

  @Test
  void isRevoked_untilTheRevokedTokensExpire_whenThatIsLaterThanTheTtl() {
    Revocations revocations = new Revocations(Duration.ofHours(1), 10);
    revocations.revoke("acme", "alice", REVOKED);
    revocations.coverUntil(ALICE.expiringAt(REVOKED.plus(Duration.ofHours(3))));
    assertThat(revocations.isRevoked(ALICE, REVOKED.plus(Duration.ofHours(2)))).isTrue();

    // A token issued before it, seen later, that lives longer still extends it.
    assertThat(revocations.isRevoked(ALICE.issuedAt(REVOKED.minusSeconds(60))
        .expiringAt(REVOKED.plus(Duration.ofHours(5))), REVOKED.plus(Duration.ofHours(2)))).isTrue();
    assertThat(revocations.isRevoked(ALICE, REVOKED.plus(Duration.ofHours(4)))).isTrue();
    assertThat(revocations.isRevoked(ALICE, REVOKED.plus(Duration.ofHours(5)))).isFalse();
  }

  /**
   * A token without an issue time fails closed, but only while the revocation is remembered (the time to live, or the
   * revoked live sessions' tokens): seeing one, fresh and long-lived, never keeps it longer. Before, each refused one
   * kept the revocation until its expiry, so a principal whose tokens carry no iat stayed refused for as long as it
   * kept signing in.
   */
  @Test
  void isRevoked_tokenWithoutIssueTime_isRefusedUntilTheRevocationIsForgotten_andNeverProlongsIt() {
    Revocations revocations = new Revocations(Duration.ofHours(1), 10);
    revocations.revoke("acme", "alice", REVOKED);
    revocations.coverUntil(ALICE.expiringAt(REVOKED.plus(Duration.ofHours(2)))); // a live session's token

    for (int hour = 0; hour < 2; hour++) {
      Instant now = REVOKED.plus(Duration.ofHours(hour)).plusSeconds(1);
      assertThat(revocations.isRevoked(ALICE.expiringAt(now.plus(Duration.ofDays(30))), now)).as("hour " + hour)
          .isTrue();
    }
    assertThat(revocations.isRevoked(ALICE.expiringAt(REVOKED.plus(Duration.ofDays(31))),
        REVOKED.plus(Duration.ofHours(2)))).isFalse();
    assertThat(revocations.isRevoked(ALICE, REVOKED.plus(Duration.ofHours(2)))).isFalse();
  }

  @Test
  void revoke_beyondTheMaximum_forgetsTheOldestFirst() {
    Revocations revocations = new Revocations(Duration.ofHours(1), 3);
    for (int i = 0; i < 5; i++) {
      revocations.revoke("acme", "user" + i, REVOKED.plusSeconds(i));
    }
    assertThat(revocations.size()).isEqualTo(3);
    Instant now = REVOKED.plusSeconds(10);
    assertThat(revocations.isRevoked(Principal.of("user0", "acme", Permission.READ), now)).isFalse();
    assertThat(revocations.isRevoked(Principal.of("user1", "acme", Permission.READ), now)).isFalse();
    assertThat(revocations.isRevoked(Principal.of("user2", "acme", Permission.READ), now)).isTrue();
    assertThat(revocations.isRevoked(Principal.of("user4", "acme", Permission.READ), now)).isTrue();
  }

  @Test
  void remember_anotherNodesRevocation_keepsTheNewerOne_forAtLeastTheTtl() {
    Revocations revocations = new Revocations(Duration.ofHours(1), 10);
    Instant later = REVOKED.plusSeconds(60);
    revocations.revoke("acme", "alice", later);
    revocations.remember(new Revocation("acme", "alice", REVOKED, REVOKED.plusSeconds(1)), later);

    assertThat(revocations.isRevoked(ALICE.issuedAt(REVOKED.plusSeconds(30)), later)).as("the newer one holds")
        .isTrue();
    revocations.remember(new Revocation("acme", "bob", REVOKED, REVOKED.plus(Duration.ofHours(3))), later);
    Principal bob = Principal.of("bob", "acme", Permission.WRITE);
    assertThat(revocations.isRevoked(bob, REVOKED.plus(Duration.ofHours(2)))).as("as long as it says").isTrue();
    revocations.remember(new Revocation("acme", "carol", REVOKED, REVOKED.plusSeconds(1)), later);
    Principal carol = Principal.of("carol", "acme", Permission.WRITE);
    assertThat(revocations.isRevoked(carol, REVOKED.plusSeconds(120))).as("at least the ttl").isTrue();
    assertThat(revocations.isRevoked(carol, REVOKED.plus(Duration.ofHours(1)))).isFalse();
  }
}
