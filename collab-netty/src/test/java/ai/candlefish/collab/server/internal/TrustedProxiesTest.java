package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private static InetAddress ip(String literal) {
    return TrustedProxies.literal(literal);
  }

  @Test
  void ranges_containTheirAddresses_only() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8", "172.16.0.0/12",
        "0.0.0.0/0"));
    assertThat(proxies.contains(ip("10.200.3.4"))).isTrue();
    assertThat(proxies.contains(ip("192.168.1.7"))).isTrue();
    assertThat(proxies.contains(ip("fd12::1"))).isTrue();
    assertThat(proxies.contains(ip("172.31.255.255"))).isTrue();
    assertThat(proxies.contains(ip("2001:db8::1"))).isFalse();

    TrustedProxies narrow = TrustedProxies.of(List.of("172.16.0.0/12", "192.168.1.7", "fd00::/8"));
    assertThat(narrow.contains(ip("172.32.0.1"))).as("one past /12").isFalse();
    assertThat(narrow.contains(ip("172.15.255.255"))).isFalse();
    assertThat(narrow.contains(ip("192.168.1.8"))).isFalse();
    assertThat(narrow.contains(ip("fe00::1"))).isFalse();
    assertThat(narrow.contains(ip("11.0.0.0"))).isFalse();
    assertThat(TrustedProxies.NONE.contains(ip("127.0.0.1"))).isFalse();
  }

  @Test
  void wrongRanges_areRefusedNamingThem() {
    for (String wrong : List.of("proxy.example.com", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/x", "",
        "[::1]", "10.0.0")) {
      assertThatThrownBy(() -> TrustedProxies.of(List.of(wrong))).as(wrong)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + wrong + "'");
    }
  }

  @Test
  void client_isTheRightmostEntryThatIsNoTrustedProxy() {
    TrustedProxies proxies = TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8"));
    InetAddress peer = ip("127.0.0.1");
    assertThat(proxies.client(peer, List.of())).as("no header: the proxy itself").isEqualTo(peer);
    assertThat(proxies.client(peer, List.of("203.0.113.7"))).isEqualTo(ip("203.0.113.7"));
    // What the client wrote itself sits left of what the proxies appended: never believed.
    assertThat(proxies.client(peer, List.of("1.1.1.1, 203.0.113.7"))).isEqualTo(ip("203.0.113.7"));
    assertThat(proxies.client(peer, List.of("1.1.1.1, 203.0.113.7, 10.1.2.3"))).isEqualTo(ip("203.0.113.7"));
    assertThat(proxies.client(peer, List.of("1.1.1.1", "203.0.113.7,10.1.2.3"))).as("several headers, in order")
        .isEqualTo(ip("203.0.113.7"));
    assertThat(proxies.client(peer, List.of("10.9.9.9, 10.1.2.3"))).as("only proxies: the leftmost")
        .isEqualTo(ip("10.9.9.9"));
    assertThat(proxies.client(peer, List.of("203.0.113.7:4711"))).isEqualTo(ip("203.0.113.7"));
    assertThat(proxies.client(peer, List.of("[2001:db8::1]:4711"))).isEqualTo(ip("2001:db8::1"));
    assertThat(proxies.client(peer, List.of("2001:db8::1"))).isEqualTo(ip("2001:db8::1"));
    // No DNS, no guessing: what is no address ends the walk at the last trusted one.
    assertThat(proxies.client(peer, List.of("unknown"))).isEqualTo(peer);
    assertThat(proxies.client(peer, List.of("203.0.113.7, evil.example, 10.1.2.3"))).isEqualTo(ip("10.1.2.3"));
    assertThat(proxies.client(peer, List.of(""))).isEqualTo(peer);
    assertThat(proxies.client(peer, List.of("203.0.113.7,"))).isEqualTo(peer);
  }
}
