package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spring.security.JwtAuthenticator;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTokensTest {
  private static final ConnectionInfo CONNECTION = new ConnectionInfo(1, new InetSocketAddress("127.0.0.1", 1),
      "y-websocket", "/estimate-0123456789", Map.of(), Map.of());

  @TempDir
  Path dataDir;

  @Test
  void issue_givesATokenTheStartersAuthenticatorAccepts() {
    DevTokens tokens = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));
    JwtAuthenticator authenticator = new JwtAuthenticator(tokens.decoder(), "tenant", "collab");

    Principal principal = authenticator.authenticate(tokens.issue("Ada"), CONNECTION);

    assertThat(principal.id()).isEqualTo("Ada");
    assertThat(principal.tenant()).isEqualTo(PaintboxApplication.TENANT);
    assertThat(principal.permission(DocumentKey.of(PaintboxApplication.TENANT, "estimate-0123456789")))
        .isEqualTo(Permission.WRITE);
  }

  @Test
  void fromSettings_keepsTheKeyInTheDataDirectory_soTokensOutliveARestart() throws Exception {
    String token = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1)).issue("Ada");
    assertThat(dataDir.resolve("dev-login.key")).exists();

    DevTokens afterRestart = DevTokens.fromSettings(null, dataDir, Duration.ofHours(1));

    assertThat(afterRestart.decoder().decode(token).getSubject()).isEqualTo("Ada");
    assertThat(Files.getPosixFilePermissions(dataDir.resolve("dev-login.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void decoder_rejectsTokensOfAnotherKey_andExpiredOnes() {
    DevTokens ours = DevTokens.fromSettings("a secret of at least thirty-two characters", dataDir,
        Duration.ofHours(1));
    DevTokens theirs = DevTokens.fromSettings("another secret of thirty-two characters!", dataDir,
        Duration.ofHours(1));
    DevTokens expired = DevTokens.fromSettings("a secret of at least thirty-two characters", dataDir,
        Duration.ofMinutes(-5));
    JwtAuthenticator authenticator = new JwtAuthenticator(ours.decoder(), "tenant", "collab");

    assertThatThrownBy(() -> authenticator.authenticate(theirs.issue("Mallory"), CONNECTION))
        .isInstanceOf(AuthenticationException.class);
    assertThatThrownBy(() -> authenticator.authenticate(expired.issue("Ada"), CONNECTION))
        .isInstanceOf(AuthenticationException.class);
    assertThat(authenticator.authenticate(ours.issue("Ada"), CONNECTION).id()).isEqualTo("Ada");
  }

  @Test
  void fromSettings_refusesAShortSecret() {
    assertThatThrownBy(() -> DevTokens.fromSettings("too short", dataDir, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("paintbox.dev-login.secret");
  }
}
