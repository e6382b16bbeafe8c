package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  @Test
  void permission_forAnotherTenant_isNone_withoutAskingTheLookup() {
    AtomicInteger asked = new AtomicInteger();
    Principal p = Principal.of("ann", "acme", name -> {
      asked.incrementAndGet();
      return Permission.WRITE;
    });
    assertThat(p.permission(DocumentKey.of("evil", "plans"))).isEqualTo(Permission.NONE);
    assertThat(asked).hasValue(0);
    assertThat(p.permission(DocumentKey.of("acme", "plans"))).isEqualTo(Permission.WRITE);
    assertThat(asked).hasValue(1);
  }

  @Test
  void permission_nullOrThrowingLookup_isNone() {
    assertThat(Principal.of("a", "t", name -> null).permission(DocumentKey.of("t", "x"))).isEqualTo(Permission.NONE);
    Principal failing = Principal.of("a", "t", name -> {
      throw new IllegalStateException("lookup down");
    });
    assertThat(failing.permission(DocumentKey.of("t", "x"))).isEqualTo(Permission.NONE);
  }

  @Test
  void expiringAt_keepsIdTenantAndPermissions_andIsTheSamePrincipal() {
    Principal forever = Principal.of("ann", "acme", name -> name.equals("plans") ? Permission.WRITE : null);
    Instant at = Instant.parse("2026-12-04T13:00:00Z");
    Principal expiring = forever.expiringAt(at);
    assertThat(forever.expiresAt()).isNull();
    assertThat(expiring.expiresAt()).isEqualTo(at);
    assertThat(expiring.permission(DocumentKey.of("acme", "plans"))).isEqualTo(Permission.WRITE);
    assertThat(expiring.permission(DocumentKey.of("acme", "other"))).isEqualTo(Permission.NONE);
    assertThat(expiring.isSameAs(forever)).isTrue();
    assertThat(expiring.expiringAt(null).expiresAt()).isNull();
    assertThat(expiring).hasToString("Principal[id=ann, tenant=acme, expiresAt=2026-12-04T13:00:00Z]");
  }

  @Test
  void issuedAt_keepsEverythingElse_andExpiryKeepsIt() {
    Instant issued = Instant.parse("2026-12-04T12:00:00Z");
    Instant expires = Instant.parse("2026-12-04T13:00:00Z");
    Principal ann = Principal.of("ann", "acme", Permission.READ).issuedAt(issued).expiringAt(expires);
    assertThat(ann.issuedAt()).isEqualTo(issued);
    assertThat(ann.expiresAt()).isEqualTo(expires);
    assertThat(ann.permission(DocumentKey.of("acme", "plans"))).isEqualTo(Permission.READ);
    assertThat(ann.expiringAt(null).issuedAt()).isEqualTo(issued);
    assertThat(Principal.of("ann", "acme", Permission.READ).issuedAt()).isNull();
  }

  @Test
  void id_withALoneSurrogate_isRefused_becauseAStoreWouldKeepItAsAnotherId() {
    // "x\uD800" and "x\uDC00" would both be stored as "x?", the owner of each other's client ids.
    assertThatThrownBy(() -> Principal.of("x\uD800", "acme", Permission.WRITE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("principal id must not contain a lone surrogate (found U+D800 at index 1)");
    assertThatThrownBy(() -> Principal.of("\uDC00x", "acme", name -> Permission.READ))
        .hasMessageStartingWith("principal id must not contain a lone surrogate (found U+DC00 at index 0)");
    assertThat(Principal.of("ann \uD83D\uDE00", "acme", Permission.READ).id()).isEqualTo("ann \uD83D\uDE00");
  }

  @Test
  void isSameAs_needsTheSameIdAndTenant() {
    Principal ann = Principal.of("ann", "acme", Permission.WRITE);
    assertThat(ann.isSameAs(Principal.of("ann", "acme", Permission.READ))).isTrue();
    assertThat(ann.isSameAs(Principal.of("ann", "globex", Permission.WRITE))).isFalse();
    assertThat(ann.isSameAs(Principal.of("bob", "acme", Permission.WRITE))).isFalse();
    assertThat(ann.isSameAs(null)).isFalse();
  }

  @Test
  void of_samePermissionEverywhereInTheTenant() {
    Principal reader = Principal.of("r", "acme", Permission.READ);
    assertThat(reader.permission(reader.documentKey("any"))).isEqualTo(Permission.READ);
    assertThat(reader.documentKey("any")).isEqualTo(DocumentKey.of("acme", "any"));
    assertThat(reader).hasToString("Principal[id=r, tenant=acme]");
  }

  @Test
  void of_invalidTenant_failsAtOnce() {
    assertThatThrownBy(() -> Principal.of("a", "", Permission.READ)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenant");
  }

  @Test
  void permission_canReadCanWrite() {
    assertThat(Permission.NONE.canRead()).isFalse();
    assertThat(Permission.READ.canRead()).isTrue();
    assertThat(Permission.READ.canWrite()).isFalse();
    assertThat(Permission.WRITE.canWrite()).isTrue();
  }

  @Test
  void toString_escapesAnIdThatCouldForgeALogLine() {
    // The id is whatever the token's subject says: a user name with a line break reached log lines as it was.
    Principal p = Principal.of("mallory\n2026-12-06 INFO event=connected principal=admin", "acme", Permission.READ);
    assertThat(p.toString()).doesNotContain("\n").contains("mallory\\u000a2026-12-06");
  }
}
