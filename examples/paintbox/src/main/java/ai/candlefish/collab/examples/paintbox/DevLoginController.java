package ai.candlefish.collab.examples.paintbox;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/login {"name": "Ada"}}: the development login. No password: for development only. It answers
 * only requests from this machine (a loopback address), so that a Paintbox reachable from a network does not hand
 * out write tokens to whoever asks; {@code paintbox.dev-login.allow-remote=true} opens it for a demo on a trusted
 * network.
 */
@RestController
@ConditionalOnBooleanProperty(name = "paintbox.dev-login.enabled", matchIfMissing = true)
class DevLoginController {
  private static final int MAX_NAME = 40;

  /** What the page sends. */
  record LoginRequest(String name) {}

  /** What it gets: the token for the collaboration socket and the API, and the user's colour. */
  record LoginResponse(String token, String name, String color, Instant expires) {}

  private final DevTokens tokens;
  private final boolean allowRemote;

  DevLoginController(DevTokens tokens, PaintboxProperties properties) {
    this.tokens = tokens;
    this.allowRemote = properties.devLogin().allowRemote();
  }

  @PostMapping("/api/login")
  LoginResponse login(@RequestBody LoginRequest request, HttpServletRequest http) {
    if (!allowRemote && !isLoopback(http.getRemoteAddr())) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "the development login answers only on this machine "
          + "(localhost); sign in through the application's identity provider, or set "
          + "paintbox.dev-login.allow-remote=true on a trusted network");
    }
    String name = request == null || request.name() == null ? "" : request.name().strip();
    if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the name must have 1 to " + MAX_NAME
          + " characters");
    }
    return new LoginResponse(tokens.issue(name), name, Users.colorOf(name), Instant.now().plus(tokens.lifetime()));
  }

  private static boolean isLoopback(String address) {
    try {
      // A literal address from the servlet container: no name lookup happens.
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
