package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Paintbox's settings refuse what the page could not use, naming the setting. */
class PaintboxPropertiesTest {
  private static PaintboxProperties withFallbacks(List<String> urls) {
    return new PaintboxProperties(Path.of("data"), new PaintboxProperties.DevLogin(true, null, Duration.ofHours(1),
        false), urls, Duration.ofHours(12));
  }

  @Test
  void collabFallbackUrls_takeWebSocketUrls() {
    assertThat(withFallbacks(List.of("ws://127.0.0.1:1235", "wss://paint.example.com/collab")).collabFallbackUrls())
        .containsExactly("ws://127.0.0.1:1235", "wss://paint.example.com/collab");
    assertThat(withFallbacks(null).collabFallbackUrls()).isEmpty();
  }

  @Test
  void collabFallbackUrls_refuseWhatIsNotAWebSocketUrl() {
    for (String url : List.of("http://127.0.0.1:1235", "localhost:1235", "ws:///collab", "ws://host:1235/?token=a",
        "ws://host name")) {
      assertThatThrownBy(() -> withFallbacks(List.of(url))).as(url).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("paintbox.collab-fallback-urls: " + url).hasMessageContaining("ws://host:port");
    }
  }

  @Test
  void maxTokenLifetime_isAtLeastTheDevelopmentLoginsTokenLifetime() {
    assertThatThrownBy(() -> new PaintboxProperties(Path.of("data"),
        new PaintboxProperties.DevLogin(true, null, Duration.ofHours(24), false), List.of(), Duration.ofHours(12)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("paintbox.dev-login.token-lifetime (PT24H)")
        .hasMessageContaining("raise paintbox.max-token-lifetime");
    assertThat(new PaintboxProperties(Path.of("data"),
        new PaintboxProperties.DevLogin(false, null, Duration.ofHours(24), false), List.of(), Duration.ofHours(12))
        .maxTokenLifetime()).as("the login is off: its lifetime does not count").isEqualTo(Duration.ofHours(12));
    assertThatThrownBy(() -> new PaintboxProperties(Path.of("data"),
        new PaintboxProperties.DevLogin(true, null, Duration.ofHours(1), false), List.of(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("paintbox.max-token-lifetime must be positive");
  }
}
