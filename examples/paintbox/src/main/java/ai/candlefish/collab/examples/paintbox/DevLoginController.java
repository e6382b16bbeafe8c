package ai.candlefish.collab.examples.paintbox;

import java.time.Instant;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code POST /api/login {"name": "Ada"}}: the development login. No password: for development only. */
@RestController
@ConditionalOnBooleanProperty(name = "paintbox.dev-login.enabled", matchIfMissing = true)
class DevLoginController {
  private static final int MAX_NAME = 40;

  /** What the page sends. */
  record LoginRequest(String name) {}

  /** What it gets: the token for the collaboration socket and the API, and the user's colour. */
  record LoginResponse(String token, String name, String color, Instant expires) {}

  private final DevTokens tokens;

  DevLoginController(DevTokens tokens) {
    this.tokens = tokens;
  }

  @PostMapping("/api/login")
  LoginResponse login(@RequestBody LoginRequest request) {
    String name = request == null || request.name() == null ? "" : request.name().strip();
    if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the name must have 1 to " + MAX_NAME
          + " characters");
    }
    return new LoginResponse(tokens.issue(name), name, Users.colorOf(name), Instant.now().plus(tokens.lifetime()));
  }
}
