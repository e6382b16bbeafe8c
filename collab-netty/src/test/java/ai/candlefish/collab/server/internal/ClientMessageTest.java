package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientMessageTest {
  @Test
  void aTokenMessage_keepsItsTokenOutOfItsString() {
    // A record writes every field: a debug line or an exception naming the message would have carried the token.
    assertThat(new ClientMessage.Authenticate("notes\n", "eyJhbGciOiJIUzI1NiJ9.secret").toString())
        .isEqualTo("Authenticate[document=notes\\u000a, token=(hidden)]");
  }
}
