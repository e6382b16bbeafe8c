package ai.candlefish.collab.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides who a connecting client is. A y-websocket client passes its token as the {@code token} query parameter
 * ({@code new WebsocketProvider(url, name, doc, { params: { token } })}); other protocols send it in a message.
 *
 * <p>The server calls this once per connection on a worker thread (it may block: verify a JWT, ask a database),
 * with a time limit, before it serves the client anything. The returned {@link Principal} fixes the tenant and the
 * permission for each document.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * The principal that {@code token} stands for.
   *
   * @param token the token the client sent, or null if it sent none
   * @param connection the rest of the upgrade request (headers, for cookies; the remote address)
   * @return the principal; never null
   * @throws AuthenticationException to refuse the connection; its message is sent to the client
   */
  Principal authenticate(@Nullable String token, ConnectionInfo connection);

  /**
   * For development and tests only: lets every connection in, with or without a token, as principal
   * {@code "anonymous"} with {@link Permission#WRITE} on every document of {@code tenant}. A server must be told
   * explicitly to use it; there is no default authenticator.
   *
   * @throws IllegalArgumentException if {@code tenant} is not a valid tenant id (see {@link DocumentKey})
   */
  static Authenticator insecureAllowAll(String tenant) {
    Principal anonymous = Principal.of("anonymous", Objects.requireNonNull(tenant, "tenant"), Permission.WRITE);
    return (token, connection) -> anonymous;
  }
}
