package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.spring.CollabProperties;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who calls Paintbox's API: the bearer token checked by the same {@link JwtDecoder} as the collaboration socket's,
 * whoever issued it (the development login or the host's identity provider), and its tenant read from the same claim.
 *
 * <p>Thread-safe.
 */
@Component
public class Users {
  private static final List<String> COLORS = List.of("#d1495b", "#00798c", "#c77d12", "#30638e", "#6a4c93",
      "#2a9d8f", "#e76f51", "#3d405b");

  private final JwtDecoder decoder;
  private final String tenantClaim;

  /**
   * @param tenantClaim the claim that names the tenant: the socket's ({@code candlefish.collab.security.tenant-claim})
   */
  public Users(JwtDecoder decoder, String tenantClaim) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.tenantClaim = Objects.requireNonNull(tenantClaim, "tenantClaim");
  }

  @Autowired
  Users(JwtDecoder decoder, CollabProperties collab) {
    this(decoder, collab.security().tenantClaim());
  }

  /**
   * Who signed a request: the user and the tenant of its token.
   *
   * @param name the user (the token's subject)
   * @param tenant the tenant (the claim {@code tenant}; null if the token has none)
   */
  public record Caller(String name, String tenant) {}

  /**
   * The user of a request, from its {@code Authorization: Bearer} header.
   *
   * @throws ResponseStatusException 401 if there is no valid token
   */
  public String user(String authorization) {
    return caller(authorization).name();
  }

  /**
   * The user and tenant of a request, from its {@code Authorization: Bearer} header.
   *
   * @throws ResponseStatusException 401 if there is no valid token
   */
  public Caller caller(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "sign in first (Authorization: Bearer <token>)");
    }
    Jwt jwt;
    try {
      jwt = decoder.decode(authorization.substring(7).strip());
    } catch (JwtException e) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "invalid or expired token; sign in again");
    }
    if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "the token has no subject");
    }
    return new Caller(jwt.getSubject(), jwt.getClaimAsString(tenantClaim));
  }

  /** The colour Paintbox shows a user in, the same for the same name. */
  public static String colorOf(String user) {
    return COLORS.get(Math.floorMod(user.hashCode(), COLORS.size()));
  }
}
