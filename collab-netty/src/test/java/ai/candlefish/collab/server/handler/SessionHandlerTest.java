package ai.candlefish.collab.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionHandlerTest {
  @Test
  void headers_leaveOutTheHandshakesOwn_andKeepEverythingElseInOrder() {
    HttpHeaders request = new DefaultHttpHeaders()
        .add("Host", "example.com")
        .add("Upgrade", "websocket")
        .add("Connection", "Upgrade")
        .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .add("Sec-WebSocket-Version", "13")
        .add("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
        .add("Sec-WebSocket-Protocol", "collab.v1")
        .add("Cookie", "a=1")
        .add("Cookie", "b=2");

    assertThat(SessionHandler.headers(request)).containsExactly(
        entry("Host", List.of("example.com")),
        entry("Sec-WebSocket-Protocol", List.of("collab.v1")),
        entry("Cookie", List.of("a=1", "b=2")));
  }
}
