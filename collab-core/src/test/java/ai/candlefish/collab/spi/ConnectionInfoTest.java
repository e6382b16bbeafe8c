package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionInfoTest {
  private final ConnectionInfo info = new ConnectionInfo(7, new InetSocketAddress("127.0.0.1", 5000), "y-websocket",
      "/doc", Map.of("lang", List.of("en")), Map.of("Cookie", List.of("session=abc"), "X-Forwarded-For",
      List.of("10.0.0.1")));

  @Test
  void header_ignoresCase_andParameterReadsTheQuery() {
    assertThat(info.header("cookie")).isEqualTo("session=abc");
    assertThat(info.header("x-forwarded-for")).isEqualTo("10.0.0.1");
    assertThat(info.headers()).containsOnlyKeys("cookie", "x-forwarded-for");
    assertThat(info.parameter("lang")).isEqualTo("en");
    assertThat(info.parameter("token")).isNull();
  }

  @Test
  void toString_leavesHeadersAndParametersOut() {
    assertThat(info.toString()).doesNotContain("session").contains("id=7").contains("/doc");
  }
}
