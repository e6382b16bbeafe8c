package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.spi.Revocation;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevocationRelayTest {
  private static final Instant AT = Instant.parse("2026-12-07T01:00:00.123Z");
  private static final Instant UNTIL = AT.plusSeconds(3600);

  @Test
  void parse_readsWhatMemberWrote_whateverTheNamesHold() {
    Revocation r = new Revocation("te:n/ant", "al:ice:7:", AT, UNTIL);

    assertThat(RevocationRelay.parse(RevocationRelay.member(r), UNTIL.toEpochMilli())).isEqualTo(r);
  }

  @Test
  void parse_malformed_throws() {
    assertThatThrownBy(() -> RevocationRelay.parse("12:9:short", UNTIL.toEpochMilli()))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> RevocationRelay.parse("x:1:ab", UNTIL.toEpochMilli()))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> RevocationRelay.parse("", UNTIL.toEpochMilli())).isInstanceOf(RuntimeException.class);
  }
}
