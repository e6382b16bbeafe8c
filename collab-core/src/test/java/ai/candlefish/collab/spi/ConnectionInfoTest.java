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
  void headers_mergeNamesThatDifferInCaseOnly_inOrder() {
    Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
    headers.put("Host", List.of("a"));
    headers.put("Cookie", List.of("x=1"));
    headers.put("host", List.of("b", "c"));
    ConnectionInfo many = new ConnectionInfo(1, new InetSocketAddress(0), "y-websocket", "/", Map.of(), headers);
    assertThat(many.headers()).isEqualTo(Map.of("host", List.of("a", "b", "c"), "cookie", List.of("x=1")));
    assertThat(many.headers().keySet()).containsExactly("host", "cookie");
    assertThat(many.header("HOST")).isEqualTo("a");
  }

  @Test
  void toString_leavesHeadersAndParametersOut() {
    assertThat(info.toString()).doesNotContain("session").contains("id=7").contains("/doc");
  }

  @Test
  void toString_escapesAndCutsThePath() {
    // A collab/1 client chooses any path (percent-decoded: line breaks too), up to 16 KiB.
    ConnectionInfo hostile = new ConnectionInfo(8, new InetSocketAddress("127.0.0.1", 9), "collab/1",
        "/collab/\r\nFORGED" + "x".repeat(16_000), Map.of(), Map.of());
    assertThat(hostile.toString()).doesNotContain("\r", "\n").contains("/collab/\\u000d\\u000aFORGED")
        .hasSizeLessThan(1200);
  }
}
