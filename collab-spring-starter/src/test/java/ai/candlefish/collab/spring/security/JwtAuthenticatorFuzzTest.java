package ai.candlefish.collab.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Principal;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Coverage-guided fuzzing of {@link JwtAuthenticator}'s reading of claims, the part of a token an attacker with a
 * signing key of the identity provider (or a decoder that checks little) chooses freely. {@code mvn test} replays the
 * saved inputs (src/test/resources/.../JwtAuthenticatorFuzzTestInputs); {@code JAZZER_FUZZ=1 ./mvnw test -pl
 * collab-spring-starter -Dtest=JwtAuthenticatorFuzzTest} fuzzes for real. Whatever the claims: a principal of a
 * tenant, or a refusal that says only what every refusal says; never another exception (the server would close the
 * connection as its own internal error, and log it as one).
 */
class JwtAuthenticatorFuzzTest {
  private static final byte[] SECRET = "a 256-bit secret for the fuzzed tokens, no more".getBytes(StandardCharsets.UTF_8);
  private static final JwtDecoder NIMBUS =
      NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build();
  private static final List<String> CLAIMS = List.of("sub", "tenant", "collab", "aud", "exp", "iat", "nbf");

  /** Claims of any JSON-like type (and instants) as a decoder that converts nothing passes them on. */
  @FuzzTest(maxDuration = "30s")
  void claimsAsTheyCame(FuzzedDataProvider data) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("jti", "fuzz"); // a Jwt needs one claim at least
    for (String claim : CLAIMS) {
      if (data.consumeBoolean()) {
        claims.put(claim, value(data, 0));
      }
    }
    String audience = data.consumeBoolean() ? "collab-server" : null;
    JwtDecoder passing = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), claims);
    check(new JwtAuthenticator(passing, "tenant", "collab", audience), "t");
  }

  /** Any payload, signed with the key Spring's own decoder checks, so that its conversions run too. */
  @FuzzTest(maxDuration = "30s")
  void signedPayload(byte[] payload) throws JOSEException {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
    jws.sign(new MACSigner(SECRET));
    check(new JwtAuthenticator(NIMBUS, "tenant", "collab", "collab-server"), jws.serialize());
    check(new JwtAuthenticator(NIMBUS, "tenant", "collab"), jws.serialize());
  }

  private static void check(JwtAuthenticator authenticator, String token) {
    Principal principal;
    try {
      principal = authenticator.authenticate(token, null);
    } catch (AuthenticationException e) {
      assertThat(e.getMessage()).isEqualTo(JwtAuthenticator.REFUSED);
      return;
    }
    assertThat(principal.tenant()).isNotBlank();
    assertThat(principal.id()).isNotBlank();
  }

  private static Object value(FuzzedDataProvider data, int depth) {
    int kind = data.consumeInt(0, depth < 3 ? 8 : 6);
    return switch (kind) {
      case 0 -> null;
      case 1 -> data.consumeString(24);
      case 2 -> data.consumeLong();
      case 3 -> data.consumeDouble();
      case 4 -> data.consumeBoolean();
      case 5 -> Instant.ofEpochSecond(data.consumeLong(-1L << 40, 1L << 40));
      case 6 -> data.pickValue(List.of("read", "write", "none", "collab-server", "acme", ""));
      case 7 -> {
        List<Object> list = new ArrayList<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
          list.add(value(data, depth + 1));
        }
        yield list;
      }
      default -> {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
          map.put(data.consumeBoolean() ? data.consumeString(8) : value(data, depth + 1), value(data, depth + 1));
        }
        yield map;
      }
    };
  }
}
