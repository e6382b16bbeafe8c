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
  void escape_alsoHidesNoText_andCutsWhatIsNotBounded() {
    // Valid document names (no control characters) that a reader would see otherwise: a line separator, a
    // bidirectional override ("invoice-exe.pdf"), a zero-width space inside a principal id.
    assertThat(Slf4jAuditLog.escape("a\u2028event=exported")).isEqualTo("\"a\\u2028event=exported\"");
    assertThat(Slf4jAuditLog.escape("invoice-\u202Efdp.exe")).isEqualTo("\"invoice-\\u202efdp.exe\"");
    assertThat(Slf4jAuditLog.escape("ad\u200Bmin")).isEqualTo("\"ad\\u200bmin\"");
    // A principal id has no length limit (a token's subject): one audit line per write must not carry megabytes.
    assertThat(Slf4jAuditLog.escape("u".repeat(1 << 20))).hasSizeLessThan(1100).endsWith(" more characters)\"");
    // Every document name is written whole.
    assertThat(Slf4jAuditLog.escape("d".repeat(DocumentKey.MAX_NAME_LENGTH))).hasSize(DocumentKey.MAX_NAME_LENGTH + 2);
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
