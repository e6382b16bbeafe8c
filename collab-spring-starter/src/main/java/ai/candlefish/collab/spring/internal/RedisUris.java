package ai.candlefish.collab.spring.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The Redis URI that Spring Boot's own {@code spring.data.redis.*} properties describe, so that the cluster uses the
 * application's Redis as Boot's Lettuce client does: {@code spring.data.redis.url} when set, else {@code host},
 * {@code port}, {@code username}, {@code password}, {@code database} and {@code ssl.enabled} (Boot's defaults:
 * {@code localhost:6379}, database 0, no TLS).
 */
public final class RedisUris {
  private RedisUris() {}

  /** The URI ({@code redis://} or {@code rediss://}) from {@code env}'s {@code spring.data.redis.*}. */
  public static String fromSpringProperties(Environment env) {
    String url = env.getProperty("spring.data.redis.url");
    if (StringUtils.hasText(url)) {
      return url.trim();
    }
    boolean ssl = env.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
    String host = env.getProperty("spring.data.redis.host", "localhost");
    int port = env.getProperty("spring.data.redis.port", Integer.class, 6379);
    int database = env.getProperty("spring.data.redis.database", Integer.class, 0);
    String user = env.getProperty("spring.data.redis.username");
    String password = env.getProperty("spring.data.redis.password");
    StringBuilder uri = new StringBuilder(ssl ? "rediss://" : "redis://");
    if (StringUtils.hasText(password)) {
      if (StringUtils.hasText(user)) {
        uri.append(encode(user));
      }
      uri.append(':').append(encode(password)).append('@');
    }
    uri.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host).append(':').append(port);
    if (database != 0) {
      uri.append('/').append(database);
    }
    return uri.toString();
  }

  /** Percent-encoding for the user-info part (URLEncoder's {@code +} for space is not valid there). */
  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The URI without its password, for messages and health details. */
  public static String redacted(String uri) {
    int at = uri.lastIndexOf('@');
    int scheme = uri.indexOf("://");
    return at < 0 || scheme < 0 ? uri : uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1);
  }
}
