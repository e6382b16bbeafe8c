package ai.candlefish.collab.spring.security;

import ai.candlefish.collab.core.internal.text.LogText;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Authenticates clients by a JWT, checked by the application's Spring Security {@link JwtDecoder} (signature,
 * expiry, issuer: whatever the application configured). The principal is the token's subject; its tenant and its
 * permissions come from two claims:
 *
 * <ul>
 *   <li>the tenant claim (default {@code tenant}): a string, required;
 *   <li>the permissions claim (default {@code collab}): {@code "read"} or {@code "write"} for every document of the
 *       tenant, or an object from document name to {@code "read"}/{@code "write"}/{@code "none"}, where key
 *       {@code "*"} stands for every other document. Missing: no access to any document.
 * </ul>
 *
 * <p><b>Audience.</b> A token meant for another service of the same identity provider must not open documents: either
 * give this authenticator the audience the collaboration server expects ({@code candlefish.collab.security.audience},
 * checked against the token's {@code aud} claim here), or let the decoder check it (Spring Boot:
 * {@code spring.security.oauth2.resourceserver.jwt.audiences}; by hand: a {@code JwtClaimValidator} on {@code aud}).
 * Without either, any token the decoder accepts that carries the tenant claim is accepted.
 *
 * <p><b>Expiry.</b> The principal expires at the token's {@code exp} ({@link Principal#expiresAt()}): the server ends
 * the session then, unless the client sent a fresh token (Hocuspocus: the provider's {@code sendToken()}; collab/1:
 * {@code CollabClient.refreshToken}). A token without {@code exp} never expires. Both {@code exp} and {@code iat} are
 * read from the claims too, not only from the fields a decoder fills in: a decoder that leaves
 * {@link Jwt#getExpiresAt()} null does not make its tokens immortal (of two differing values, the earlier counts).
 *
 * <p><b>Refusals</b> say only {@value #REFUSED} (or that a token is required): what exactly was wrong (the decoder's
 * error, a missing claim) helps an attacker probe, so it is logged at debug level instead, without the token.
 *
 * <p>Thread-safe if the decoder is.
 */
public final class JwtAuthenticator implements Authenticator {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final String OTHERS = "*";
  /** What every refused token is told. */
  static final String REFUSED = "invalid token";

  private final JwtDecoder decoder;
  private final String tenantClaim;
  private final String permissionsClaim;
  private final @Nullable String audience;

  /** An authenticator that leaves the audience to the decoder. */
  public JwtAuthenticator(JwtDecoder decoder, String tenantClaim, String permissionsClaim) {
    this(decoder, tenantClaim, permissionsClaim, null);
  }

  /**
   * An authenticator that also requires {@code audience} among the token's {@code aud} values.
   *
   * @param audience the audience the token must name, or null (or empty) to leave the check to the decoder
   */
  public JwtAuthenticator(JwtDecoder decoder, String tenantClaim, String permissionsClaim,
      @Nullable String audience) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.tenantClaim = Objects.requireNonNull(tenantClaim, "tenantClaim");
    this.permissionsClaim = Objects.requireNonNull(permissionsClaim, "permissionsClaim");
    this.audience = audience == null || audience.isBlank() ? null : audience;
  }

  @Override
  public Principal authenticate(@Nullable String token, ConnectionInfo connection) {
    if (token == null || token.isBlank()) {
      throw new AuthenticationException("a token is required");
    }
    Jwt jwt;
    try {
      jwt = decoder.decode(token);
    } catch (JwtException e) {
      throw refused(connection, "the decoder refused it: " + e.getMessage());
    }
    try {
      return principal(jwt, connection);
    } catch (AuthenticationException e) {
      throw e;
    } catch (RuntimeException e) {
      // Claims of a type the accessors cannot convert (an audience that is an object, an exp that is a word; a
      // decoder that does not normalise them lets them through): the token is malformed, not the server.
      throw refused(connection, "its claims are invalid: " + e.getMessage());
    }
  }

  private Principal principal(Jwt jwt, ConnectionInfo connection) {
    List<String> audiences = jwt.getAudience();
    if (audience != null && (audiences == null || !audiences.contains(audience))) {
      throw refused(connection, "its audience " + audiences + " does not include " + audience);
    }
    String subject = jwt.getSubject();
    if (subject == null || subject.isBlank()) {
      throw refused(connection, "it has no subject");
    }
    Object tenant = jwt.getClaims().get(tenantClaim);
    if (!(tenant instanceof String t) || t.isBlank()) {
      throw refused(connection, "it has no '" + tenantClaim + "' claim (the tenant)");
    }
    // The session ends at exp unless the client sends a fresh token first (Principal.expiresAt); after a
    // revocation, only tokens issued later are accepted (Principal.issuedAt). A Jwt carries both twice, as claims
    // and as fields its maker fills in: a custom decoder that leaves the fields null must not make its tokens
    // immortal, so the earlier of the two counts.
    return Principal.of(subject, t, permissions(jwt.getClaims().get(permissionsClaim)))
        .expiringAt(earlier(jwt.getExpiresAt(), jwt.getClaimAsInstant(JwtClaimNames.EXP)))
        .issuedAt(earlier(jwt.getIssuedAt(), jwt.getClaimAsInstant(JwtClaimNames.IAT)));
  }

  private static @Nullable Instant earlier(@Nullable Instant field, @Nullable Instant claim) {
    if (field == null || claim == null) {
      return field == null ? claim : field;
    }
    return field.isBefore(claim) ? field : claim;
  }

  private static AuthenticationException refused(ConnectionInfo connection, String why) {
    // The decoder's message and the claims quoted in it come from the token: escaped, a line of its own at most.
    log.debug("connection {}: token refused, {}", connection == null ? "-" : connection.id(), LogText.safe(why));
    return new AuthenticationException(REFUSED);
  }

  private Function<String, Permission> permissions(Object claim) {
    if (claim == null) {
      return name -> Permission.NONE;
    }
    if (claim instanceof String s) {
      Permission all = permission(s);
      return name -> all;
    }
    if (claim instanceof Map<?, ?> map) {
      Map<String, Permission> byName = new HashMap<>();
      map.forEach((name, value) -> {
        if (!(name instanceof String n) || !(value instanceof String v)) {
          throw new IllegalArgumentException("'" + permissionsClaim + "' must map document names to permissions");
        }
        byName.put(n, permission(v));
      });
      Permission others = byName.getOrDefault(OTHERS, Permission.NONE);
      return name -> byName.getOrDefault(name, others);
    }
    throw new IllegalArgumentException("'" + permissionsClaim + "' must be \"read\", \"write\" or an object");
  }

  private Permission permission(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "read" -> Permission.READ;
      case "write" -> Permission.WRITE;
      case "none" -> Permission.NONE;
      default -> throw new IllegalArgumentException("'" + permissionsClaim + "' has unknown permission '" + value
          + "' (read, write or none)");
    };
  }
}
