package ai.candlefish.collab.testkit;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;

/** The tokens every server test uses; any other token (the tests say "mallory") is unknown. */
public final class TestTokens {
  private TestTokens() {}

  /**
   * "alice", "bob", "carol" write in tenant acme; "reader" reads in acme; "guest" may read acme's documents named
   * public-*; "limited" may write acme's documents whose names start with "public"; "eve" writes in tenant evil,
   * "zed" in tenant globex.
   */
  public static final Authenticator TOKENS = (token, connection) -> {
    if (token == null) {
      throw new AuthenticationException("a token is required");
    }
    return switch (token) {
      case "alice", "bob", "carol" -> Principal.of(token, "acme", Permission.WRITE);
      case "reader" -> Principal.of(token, "acme", Permission.READ);
      case "guest" -> Principal.of(token, "acme", name -> name.startsWith("public-") ? Permission.READ : null);
      case "limited" -> Principal.of(token, "acme", name -> name.startsWith("public") ? Permission.WRITE
          : Permission.NONE);
      case "eve" -> Principal.of(token, "evil", Permission.WRITE);
      case "zed" -> Principal.of(token, "globex", Permission.WRITE);
      default -> throw new AuthenticationException("unknown token");
    };
  };
}
