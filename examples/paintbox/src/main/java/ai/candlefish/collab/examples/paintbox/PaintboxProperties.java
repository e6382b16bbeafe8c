package ai.candlefish.collab.examples.paintbox;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Paintbox's own settings, under {@code paintbox}.
 *
 * @param dataDir where Paintbox keeps its data: the H2 database ({@code spring.datasource.url} points into it by
 *     default) and the development login's signing key
 * @param devLogin the development login
 * @param collabFallbackUrls the collaboration sockets of the cluster's other instances ({@code ws://host:1235}, with
 *     {@code candlefish.collab.path} if one is set), which the page tries in turn when a connection to the one it
 *     uses cannot be opened: a page whose instance died goes on through another. Their instances must allow this
 *     one's pages ({@code candlefish.collab.allowed-origins}). Empty (the default): the page waits for its own.
 * @param maxTokenLifetime the longest a token Paintbox accepts may live, from its {@code iat} to its {@code exp}:
 *     Paintbox refuses a token that could live longer (one without {@code exp} too), and keeps a user's revocation
 *     this long ({@link RevokedUsers}). At least the development login's {@code token-lifetime}; raise it for an
 *     identity provider whose tokens live longer.
 */
@ConfigurationProperties("paintbox")
public record PaintboxProperties(@DefaultValue("./paintbox-data") Path dataDir, @DefaultValue DevLogin devLogin,
    @DefaultValue List<String> collabFallbackUrls, @DefaultValue("12h") Duration maxTokenLifetime) {

  /**
   * @throws IllegalArgumentException if a fallback URL is not a {@code ws:} or {@code wss:} URL with a host, or if
   *     {@code maxTokenLifetime} is not positive or shorter than the development login's token lifetime
   */
  public PaintboxProperties {
    if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()) {
      throw new IllegalArgumentException("paintbox.max-token-lifetime must be positive but is " + maxTokenLifetime);
    }
    if (devLogin.enabled() && devLogin.tokenLifetime().compareTo(maxTokenLifetime) > 0) {
      throw new IllegalArgumentException("paintbox.dev-login.token-lifetime (" + devLogin.tokenLifetime()
          + ") is longer than paintbox.max-token-lifetime (" + maxTokenLifetime + "), so Paintbox would refuse the "
          + "login's tokens; raise paintbox.max-token-lifetime or shorten the login's tokens");
    }
    collabFallbackUrls = List.copyOf(collabFallbackUrls == null ? List.of() : collabFallbackUrls);
    for (String url : collabFallbackUrls) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null || !("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getQuery() != null || uri.getFragment() != null) {
        throw new IllegalArgumentException("paintbox.collab-fallback-urls: " + url + " is not the URL of another "
            + "instance's collaboration socket; write it as ws://host:port or wss://host:port, with the path of "
            + "candlefish.collab.path if one is set");
      }
    }
  }

  /**
   * The development login: anybody may sign in with just a name and gets a JWT (HMAC-SHA256) that the
   * collaboration server checks. Replace it with the host's identity provider in production (README).
   *
   * @param enabled whether to offer it ({@code false}: tokens come from elsewhere, and a {@code JwtDecoder} bean
   *     must check them, for example Spring Boot's resource server with {@code spring.security.oauth2.resourceserver.jwt.*})
   * @param secret the HMAC key (at least 32 characters); empty: a random key kept in {@code <data-dir>/dev-login.key}
   * @param tokenLifetime how long a token is valid (at most {@code paintbox.max-token-lifetime})
   * @param allowRemote whether the login answers requests from other machines too; by default only requests from a
   *     loopback address get a token, so that a Paintbox reachable from a network does not give write tokens to
   *     anybody who asks
   */
  public record DevLogin(
      @DefaultValue("true") boolean enabled,
      String secret,
      @DefaultValue("12h") Duration tokenLifetime,
      @DefaultValue("false") boolean allowRemote) {}
}
