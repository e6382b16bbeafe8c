package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.server.ResponseStatusException;

/** The development login hands out tokens on this machine only, unless told otherwise. */
class DevLoginControllerTest {
  @TempDir
  Path dataDir;

  private DevLoginController controller(boolean allowRemote) {
    PaintboxProperties properties = new PaintboxProperties(dataDir,
        new PaintboxProperties.DevLogin(true, null, Duration.ofHours(1), allowRemote), List.of(), Duration.ofHours(12));
    return new DevLoginController(DevTokens.fromSettings(null, dataDir, Duration.ofHours(1)), properties);
  }

  private static MockHttpServletRequest from(String address) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/login");
    request.setRemoteAddr(address);
    return request;
  }

  @Test
  void login_fromLoopback_givesAToken() {
    for (String address : new String[] {"127.0.0.1", "127.0.1.1", "::1"}) {
      assertThat(controller(false).login(new DevLoginController.LoginRequest("Ada"), from(address)).token())
          .isNotBlank();
    }
  }

  @Test
  void login_fromAnotherMachine_isForbiddenByDefault() {
    for (String address : new String[] {"192.168.1.20", "203.0.113.5", "2001:db8::1"}) {
      assertThatThrownBy(() -> controller(false).login(new DevLoginController.LoginRequest("Mallory"), from(address)))
          .isInstanceOf(ResponseStatusException.class).hasMessageContaining("403")
          .hasMessageContaining("paintbox.dev-login.allow-remote");
    }
  }

  @Test
  void login_fromAnotherMachine_isAllowedWhenAllowRemote() {
    assertThat(controller(true).login(new DevLoginController.LoginRequest("Ada"), from("203.0.113.5")).token())
        .isNotBlank();
  }
}
