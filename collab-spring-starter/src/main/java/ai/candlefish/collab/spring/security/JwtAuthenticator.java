package ai.candlefish.collab.spring.security;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.security.oauth2.jwt.Jwt;
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
 * <p>Thread-safe if the decoder is.
 */
public final class JwtAuthenticator implements Authenticator {
  private static final String OTHERS = "*";

  private final JwtDecoder decoder;
  private final String tenantClaim;
  private final String permissionsClaim;

  public JwtAuthenticator(JwtDecoder decoder, String tenantClaim, String permissionsClaim) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.tenantClaim = Objects.requireNonNull(tenantClaim, "tenantClaim");
    this.permissionsClaim = Objects.requireNonNull(permissionsClaim, "permissionsClaim");
  }

  @Override
  public Principal authenticate(String token, ConnectionInfo connection) {
    if (token == null || token.isBlank()) {
      throw new AuthenticationException("a token is required");
    }
    Jwt jwt;
    try {
      jwt = decoder.decode(token);
    } catch (JwtException e) {
      throw new AuthenticationException("invalid token: " + e.getMessage());
    }
    String subject = jwt.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new AuthenticationException("the token has no subject");
    }
    Object tenant = jwt.getClaims().get(tenantClaim);
    if (!(tenant instanceof String t) || t.isBlank()) {
      throw new AuthenticationException("the token has no '" + tenantClaim + "' claim (the tenant)");
    }
    try {
      return Principal.of(subject, t, permissions(jwt.getClaims().get(permissionsClaim)));
    } catch (IllegalArgumentException e) {
      throw new AuthenticationException("the token's claims are invalid: " + e.getMessage());
    }
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
