package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who calls Paintbox's API: the bearer token checked by the collaboration server's own {@link Authenticator} (the
 * starter's {@code JwtAuthenticator} on the application's {@code JwtDecoder}, or the host's own), so that the API
 * grants exactly what the collaboration socket grants: the same tenant, the same permission per estimate (the
 * token's {@code collab} claim: {@code "read"}, {@code "write"}, or per document name), the same audience check.
 * Before, the API read only the token's tenant, and a token with read access, or with access to one estimate only,
 * could save and restore versions of every estimate through it. A token issued before its user was revoked
 * ({@link RevokedUsers}, on any instance; or {@link CollabServer#revoke} on this one), or one that lives longer than
 * {@code paintbox.max-token-lifetime}, is refused here as on the socket.
 *
 * <p>Thread-safe.
 */
@Component
public class Users {
  private static final List<String> COLORS = List.of("#d1495b", "#00798c", "#c77d12", "#30638e", "#6a4c93",
      "#2a9d8f", "#e76f51", "#3d405b");
  /** The refused token's description for a token that is not valid (a wrong signature, expired). */
  static final String INVALID_TOKEN = "invalid or expired token";
  /**
   * The refused token's description for a user whose access the host revoked, the reason with which the socket
   * refuses such a user (4401) too.
   */
  static final String ACCESS_REVOKED = "access revoked";
  /** Numbers the API's requests for the authenticator (which may log them), apart from the socket's connections. */
  private static final AtomicLong REQUESTS = new AtomicLong();

  private final Authenticator authenticator;
  private final CollabServer server;
  private final RevokedUsers revoked;

  Users(Authenticator authenticator, CollabServer server, RevokedUsers revoked) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.server = Objects.requireNonNull(server, "server");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
  }

  /**
   * Who signed a request, as the collaboration server sees the same token.
   *
   * @param principal the user (its id is the token's subject), its tenant and its permissions
   */
  public record Caller(Principal principal) {
    /** The user's name (the token's subject). */
    public String name() {
      return principal.id();
    }

    /** The key of estimate {@code id}'s document, if this caller is of Paintbox's tenant; null if not. */
    public DocumentKey estimate(String id) {
      return isOfPaintbox() ? DocumentKey.of(PaintboxApplication.TENANT, Estimates.DOCUMENT_PREFIX + id) : null;
    }

    /**
     * What this caller may do with estimate {@code id}: {@link Permission#NONE} for a token of another tenant, and
     * for an id that is none (from a URL: anything).
     */
    public Permission permission(String id) {
      DocumentKey key = Estimates.isEstimateDocument(Estimates.DOCUMENT_PREFIX + id) ? estimate(id) : null;
      return key == null ? Permission.NONE : principal.permission(key);
    }

    /** Whether the caller's token is of the tenant of every Paintbox estimate. */
    public boolean isOfPaintbox() {
      return PaintboxApplication.TENANT.equals(principal.tenant());
    }
  }

  /**
   * The user of a request, from its {@code Authorization: Bearer} header.
   *
   * @throws Unauthorized 401 if there is no valid token
   */
  public Caller caller(String authorization, HttpServletRequest request) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Unauthorized(null, "sign in first (Authorization: Bearer <token>)");
    }
    Principal principal;
    try {
      principal = authenticator.authenticate(authorization.substring(7).strip(), connection(request));
    } catch (AuthenticationException e) {
      throw new Unauthorized(INVALID_TOKEN, INVALID_TOKEN + "; sign in again");
    }
    // Refused as the socket refuses it: the host revoked the user after this token was issued, or it lives too long.
    String refusal = server.isRevoked(principal) ? ACCESS_REVOKED : revoked.refusal(principal);
    if (refusal != null) {
      throw new Unauthorized(refusal, refusal + "; sign in again");
    }
    return new Caller(principal);
  }

  /**
   * A 401 whose {@code WWW-Authenticate} header says why (RFC 6750: {@code Bearer error="invalid_token",
   * error_description="access revoked"}): Spring's error response drops the reason from its body but keeps the header.
   * The page tells a token that expired (it signs in again for the user) from a user whose access was revoked (it must
   * not: that would undo the revocation) by it.
   */
  static final class Unauthorized extends ResponseStatusException {
    private final String challenge;

    /**
     * {@code description}: why the token was refused ({@link #INVALID_TOKEN}, {@link #ACCESS_REVOKED}), null if
     * there was none.
     */
    Unauthorized(String description, String reason) {
      super(HttpStatus.UNAUTHORIZED, reason);
      this.challenge = description == null ? "Bearer"
          : "Bearer error=\"invalid_token\", error_description=\"" + description + "\"";
    }

    @Override
    public HttpHeaders getHeaders() {
      HttpHeaders headers = new HttpHeaders();
      headers.set(HttpHeaders.WWW_AUTHENTICATE, challenge);
      return headers;
    }
  }

  /** The request as an authenticator sees a connection: its address, path and headers (not the token's). */
  private static ConnectionInfo connection(HttpServletRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      if (!name.equalsIgnoreCase("Authorization")) {
        headers.put(name, new ArrayList<>(Collections.list(request.getHeaders(name))));
      }
    }
    return new ConnectionInfo(REQUESTS.incrementAndGet(),
        InetSocketAddress.createUnresolved(request.getRemoteAddr(), request.getRemotePort()), "http",
        request.getRequestURI(), Map.of(), headers);
  }

  /** The colour Paintbox shows a user in, the same for the same name. */
  public static String colorOf(String user) {
    return COLORS.get(Math.floorMod(user.hashCode(), COLORS.size()));
  }
}
