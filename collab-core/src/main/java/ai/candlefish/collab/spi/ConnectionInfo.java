package ai.candlefish.collab.spi;

import ai.candlefish.collab.core.internal.text.LogText;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a server knows about a connection when it asks the {@link Authenticator} and calls {@link CollabHooks}:
 * everything from the WebSocket upgrade request except the token.
 *
 * <p>Immutable; the maps and lists are unmodifiable copies (compact ones: a server keeps one per connection). Header
 * names are lower case.
 *
 * @param id the server's id for the connection, unique within one server's lifetime (for correlating hooks)
 * @param remoteAddress the peer's address; behind a proxy the proxy's (see the {@code x-forwarded-for} header),
 *     or, if the server trusts that proxy, the client's address it names (port 0)
 * @param protocol the wire protocol the client speaks, for example {@code "y-websocket"}
 * @param path the decoded request path, for example {@code "/collab/my-document"}
 * @param parameters the query parameters, without the token
 * @param headers the request headers, by lower-case name
 */
public record ConnectionInfo(long id, SocketAddress remoteAddress, String protocol, String path,
    Map<String, List<String>> parameters, Map<String, List<String>> headers) {
  /** @throws NullPointerException if an argument is null */
  public ConnectionInfo {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(path, "path");
    parameters = copy(Objects.requireNonNull(parameters, "parameters"), false);
    headers = copy(Objects.requireNonNull(headers, "headers"), true);
  }

  /** The first value of header {@code name} (any case), or null if the request had none. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of query parameter {@code name}, or null if the request had none. */
  public @Nullable String parameter(String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> map, boolean lowerCaseKeys) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.merge(lowerCaseKeys ? k.toLowerCase(Locale.ROOT) : k, List.copyOf(v), (a, b) -> {
      List<String> both = new ArrayList<>(a);
      both.addAll(b);
      return List.copyOf(both);
    }));
    return CompactMultiMap.copyOf(out); // a server holds one per connection
  }

  @Override
  public String toString() {
    // Headers and parameters may hold cookies and other secrets: they stay out of logs. The path is the client's
    // (percent-decoded, up to 16 KiB): escaped and cut for logs.
    return "ConnectionInfo[id=" + id + ", remoteAddress=" + remoteAddress + ", protocol=" + protocol + ", path="
        + LogText.safe(path) + "]";
  }
}
