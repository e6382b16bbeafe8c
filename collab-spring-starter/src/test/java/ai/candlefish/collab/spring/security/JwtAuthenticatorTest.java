package ai.candlefish.collab.spring.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.CollidingKeys;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Tokens an attacker makes, against Spring's own decoder for an identity provider that signs with RSA (what Spring
 * Boot builds from {@code spring.security.oauth2.resourceserver.jwt.public-key-location}): each is refused with the
 * one message every refusal has, and the tenant and permissions come only from a token the provider signed.
 */
class JwtAuthenticatorTest {
  private static final RSAKey PROVIDER = generate();
  private static final RSAKey OTHER = generate();
  private final JwtAuthenticator authenticator = new JwtAuthenticator(
      NimbusJwtDecoder.withPublicKey(rsaPublic(PROVIDER)).build(), "tenant", "collab", "collab-server");

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.security.interfaces.RSAPublicKey rsaPublic(RSAKey key) {
    try {
      return key.toRSAPublicKey();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
    Instant now = Instant.now();
    return change.apply(new JWTClaimsSet.Builder().subject("alice").audience("collab-server")
        .claim("tenant", "acme").claim("collab", Map.of("plans", "write", "*", "read"))
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))).build();
  }

  private static String signed(RSAKey key, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private void assertRefused(String token) {
    assertThatThrownBy(() -> authenticator.authenticate(token, null)).isInstanceOf(AuthenticationException.class)
        .hasMessage(JwtAuthenticator.REFUSED);
  }

  @Test
  void authenticate_aTokenTheProviderSigned_givesItsTenantAndPermissions() throws JOSEException {
    Principal p = authenticator.authenticate(signed(PROVIDER, claims(c -> c)), null);
    assertThat(p.id()).isEqualTo("alice");
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.permission(DocumentKey.of("acme", "plans"))).isEqualTo(Permission.WRITE);
    assertThat(p.permission(DocumentKey.of("acme", "anything else"))).isEqualTo(Permission.READ);
    assertThat(p.permission(DocumentKey.of("evil", "plans"))).as("another tenant's").isEqualTo(Permission.NONE);
    assertThat(p.expiresAt()).isNotNull();
  }

  @Test
  void authenticate_anUnsignedToken_algNone_isRefused() {
    assertRefused(new PlainJWT(claims(c -> c)).serialize());
    // The provider's signature kept, the header changed to none: the signature no longer matches anything.
    String[] parts = assertDoesNotThrow(() -> signed(PROVIDER, claims(c -> c))).split("\\.");
    assertRefused(new PlainJWT(claims(c -> c)).serialize().split("\\.")[0] + "." + parts[1] + "." + parts[2]);
  }

  @Test
  void authenticate_hs256SignedWithTheProvidersPublicKey_isRefused() throws JOSEException {
    // The old trick: a verifier that takes the algorithm from the header checks an HMAC with the public key's bytes.
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(c -> c));
    jwt.sign(new MACSigner(rsaPublic(PROVIDER).getEncoded()));
    assertRefused(jwt.serialize());
  }

  @Test
  void authenticate_aTokenSignedByAnotherKey_isRefused() throws JOSEException {
    assertRefused(signed(OTHER, claims(c -> c)));
  }

  @Test
  void authenticate_anExpiredToken_isRefused() throws JOSEException {
    // Past the decoder's default 60 s of clock skew.
    assertRefused(signed(PROVIDER, claims(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(120))))));
  }

  @Test
  void authenticate_aTokenForAnotherAudience_isRefused() throws JOSEException {
    assertRefused(signed(PROVIDER, claims(c -> c.audience("billing"))));
  }

  @Test
  void authenticate_aSignedTokenWithoutATenantOrSubject_orWithClaimsOfTheWrongType_isRefused()
      throws JOSEException {
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", null))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", " "))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", 42))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", Map.of("acme", true)))));
    assertRefused(signed(PROVIDER, claims(c -> c.subject(null))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("collab", Map.of("plans", 1)))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("collab", "admin"))));
  }

  /**
   * Tenants and names built to collide ({@link CollidingKeys}: separators, case, normalisation, trailing spaces, the
   * longest) are taken as the token has them: a token of one tenant has no permission on another's documents, and a
   * permission named for one document grants nothing on a name that differs from it; a tenant that no document key
   * can hold is refused.
   */
  @Test
  void authenticate_tenantsAndNamesBuiltToCollide_grantOnlyWhatTheTokenNamesExactly() throws JOSEException {
    for (DocumentKey mine : CollidingKeys.ALL) {
      Principal p = authenticator.authenticate(signed(PROVIDER, claims(c -> c.claim("tenant", mine.tenant())
          .claim("collab", Map.of(mine.name(), "write")))), null);
      assertThat(p.tenant()).isEqualTo(mine.tenant());
      for (DocumentKey other : CollidingKeys.ALL) {
        assertThat(p.permission(other)).as(mine + " on " + other)
            .isEqualTo(other.equals(mine) ? Permission.WRITE : Permission.NONE);
      }
    }
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", "acme\0"))));
    assertRefused(signed(PROVIDER, claims(c -> c.claim("tenant", "a".repeat(DocumentKey.MAX_TENANT_LENGTH + 1)))));
  }

  @Test
  void authenticate_malformedTokens_areRefused() {
    for (String token : new String[] {"abc", "a.b.c", "a.b", "...", "eyJhbGciOiJub25lIn0..", "x".repeat(100_000),
        "\0.\0.\0", "e30.e30.e30"}) {
      assertRefused(token);
    }
    assertThatThrownBy(() -> authenticator.authenticate("", null)).isInstanceOf(AuthenticationException.class)
        .hasMessage("a token is required");
  }

  private static <T> T assertDoesNotThrow(java.util.concurrent.Callable<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
