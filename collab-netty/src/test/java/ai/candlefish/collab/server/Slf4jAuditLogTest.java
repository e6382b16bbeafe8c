package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Slf4jAuditLogTest {
  @Test
  void escape_quotesValues_andEscapesWhatCouldForgeALine() {
    assertThat(Slf4jAuditLog.escape("Ada Lovelace")).isEqualTo("\"Ada Lovelace\"");
    assertThat(Slf4jAuditLog.escape("x\nevent=connected principal=\"root\\")).isEqualTo(
        "\"x\\u000aevent=connected principal=\\\"root\\\\\"");
    assertThat(Slf4jAuditLog.escape(null)).isEqualTo("-");
  }

  @Test
  void everyEvent_isWrittenWithoutFailing() {
    AuditLog log = new Slf4jAuditLog();
    ConnectionInfo c = new ConnectionInfo(7, new InetSocketAddress("127.0.0.1", 9), "y-websocket", "/d", Map.of(),
        Map.of());
    Principal p = Principal.of("ada", "acme", Permission.WRITE);
    DocumentKey key = DocumentKey.of("acme", "d");
    log.connected(c, p);
    log.opened(c, p, key, Permission.WRITE);
    log.wrote(c, p, key, 12);
    log.refused(c, null, null, 4401, "invalid token");
    log.disconnected(c, p);
    log.revoked("acme", "ada", 2);
    log.exported(key);
  }
}
