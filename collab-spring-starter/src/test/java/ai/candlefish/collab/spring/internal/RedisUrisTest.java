package ai.candlefish.collab.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Boot's {@code spring.data.redis.*} as the URI that Lettuce parses back to the same settings. */
class RedisUrisTest {
  @Test
  void bootsDefaults_areLocalhost6379() {
    assertThat(RedisUris.fromSpringProperties(new MockEnvironment())).isEqualTo("redis://localhost:6379");
  }

  @Test
  void theUrl_winsOverTheParts() {
    MockEnvironment env = new MockEnvironment().withProperty("spring.data.redis.url", "rediss://u:p@cache:6380/2")
        .withProperty("spring.data.redis.host", "ignored");
    assertThat(RedisUris.fromSpringProperties(env)).isEqualTo("rediss://u:p@cache:6380/2");
  }

  @Test
  void theParts_withCredentialsThatNeedEscaping_reachLettuceUnchanged() {
    MockEnvironment env = new MockEnvironment().withProperty("spring.data.redis.host", "cache.internal")
        .withProperty("spring.data.redis.port", "6390").withProperty("spring.data.redis.database", "3")
        .withProperty("spring.data.redis.username", "app user")
        .withProperty("spring.data.redis.password", "p@ss:w/rd %+")
        .withProperty("spring.data.redis.ssl.enabled", "true");
    String uri = RedisUris.fromSpringProperties(env);

    RedisURI parsed = RedisURI.create(uri);
    assertThat(parsed.getHost()).isEqualTo("cache.internal");
    assertThat(parsed.getPort()).isEqualTo(6390);
    assertThat(parsed.getDatabase()).isEqualTo(3);
    assertThat(parsed.isSsl()).isTrue();
    RedisCredentials credentials = parsed.getCredentialsProvider().resolveCredentials().block();
    assertThat(credentials.getUsername()).isEqualTo("app user");
    assertThat(new String(credentials.getPassword())).isEqualTo("p@ss:w/rd %+");
    assertThat(RedisUris.redacted(uri)).isEqualTo("rediss://***@cache.internal:6390/3").doesNotContain("w/rd");
  }

  @Test
  void aPasswordWithoutUser_isRedisLegacyAuth() {
    MockEnvironment env = new MockEnvironment().withProperty("spring.data.redis.password", "secret");
    RedisURI parsed = RedisURI.create(RedisUris.fromSpringProperties(env));
    RedisCredentials credentials = parsed.getCredentialsProvider().resolveCredentials().block();
    assertThat(credentials.getUsername()).isNull();
    assertThat(new String(credentials.getPassword())).isEqualTo("secret");
  }
}
