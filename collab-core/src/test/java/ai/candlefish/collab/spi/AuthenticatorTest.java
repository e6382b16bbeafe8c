package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  @Test
  void insecureAllowAll_letsEveryoneWriteInItsTenantOnly() {
    ConnectionInfo info = new ConnectionInfo(1, new InetSocketAddress(0), "y-websocket", "/d", Map.of(), Map.of());
    Principal p = Authenticator.insecureAllowAll("dev").authenticate(null, info);
    assertThat(p.permission(DocumentKey.of("dev", "d"))).isEqualTo(Permission.WRITE);
    assertThat(p.permission(DocumentKey.of("prod", "d"))).isEqualTo(Permission.NONE);
  }
}
