package ai.candlefish.collab.examples.paintbox;

import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who calls Paintbox's API: the bearer token checked by the same {@link JwtDecoder} as the collaboration socket's,
 * whoever issued it (the development login or the host's identity provider).
 *
 * <p>Thread-safe.
 */
@Component
public class Users {
  private static final List<String> COLORS = List.of("#d1495b", "#00798c", "#c77d12", "#30638e", "#6a4c93",
      "#2a9d8f", "#e76f51", "#3d405b");

  private final JwtDecoder decoder;

  public Users(JwtDecoder decoder) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  /**
   * The user of a request, from its {@code Authorization: Bearer} header.
   *
   * @throws ResponseStatusException 401 if there is no valid token
   */
  public String user(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "sign in first (Authorization: Bearer <token>)");
    }
    try {
      Jwt jwt = decoder.decode(authorization.substring(7).strip());
      if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
        throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "the token has no subject");
      }
      return jwt.getSubject();
    } catch (JwtException e) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "invalid or expired token; sign in again");
    }
  }

  /** The colour Paintbox shows a user in, the same for the same name. */
  public static String colorOf(String user) {
    return COLORS.get(Math.floorMod(user.hashCode(), COLORS.size()));
  }
}
