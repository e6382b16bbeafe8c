package ai.candlefish.collab.server;

import ai.candlefish.collab.core.internal.text.LogText;
import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AuditLog} that writes one INFO line per event, {@code key=value} pairs, on a logger per kind so that each
 * can be routed or silenced on its own: {@code ai.candlefish.collab.audit.connect} (connected, disconnected),
 * {@code .open}, {@code .write} (one line per accepted update: the busiest), {@code .refuse} (WARN: refusals and
 * revocations), {@code .export}.
 * Values that come from clients or hosts (principal ids, document names, reasons) have their control and format
 * characters escaped, so that a hostile value cannot forge a line or hide text, and are cut past
 * {@link LogText#MAX_CHARS} characters (a principal id has no length limit). Stateless and thread-safe.
 */
public final class Slf4jAuditLog implements AuditLog {
  private static final String PREFIX = "ai.candlefish.collab.audit.";
  private static final Logger connect = LoggerFactory.getLogger(PREFIX + "connect");
  private static final Logger open = LoggerFactory.getLogger(PREFIX + "open");
  private static final Logger write = LoggerFactory.getLogger(PREFIX + "write");
  private static final Logger refuse = LoggerFactory.getLogger(PREFIX + "refuse");
  private static final Logger export = LoggerFactory.getLogger(PREFIX + "export");

  /** Pass it to {@link CollabServer.Builder#auditLog}. */
  public Slf4jAuditLog() {}

  @Override
  public void connected(ConnectionInfo connection, Principal principal) {
    if (connect.isInfoEnabled()) {
      connect.info("event=connected {} {}", who(connection), who(principal));
    }
  }

  @Override
  public void opened(ConnectionInfo connection, Principal principal, DocumentKey key, Permission permission) {
    if (open.isInfoEnabled()) {
      open.info("event=opened {} {} document={} permission={}", who(connection), who(principal), escape(key.name()),
          permission);
    }
  }

  @Override
  public void wrote(ConnectionInfo connection, Principal principal, DocumentKey key, long bytes) {
    if (write.isInfoEnabled()) {
      write.info("event=wrote {} {} document={} bytes={}", who(connection), who(principal), escape(key.name()),
          bytes);
    }
  }

  @Override
  public void refused(ConnectionInfo connection, @Nullable Principal principal, @Nullable DocumentKey key, int code,
      String reason) {
    if (refuse.isWarnEnabled()) {
      refuse.warn("event=refused {} {} document={} code={} reason={}", who(connection), who(principal),
          key == null ? "-" : escape(key.name()), code, escape(reason));
    }
  }

  @Override
  public void disconnected(ConnectionInfo connection, @Nullable Principal principal) {
    if (connect.isInfoEnabled()) {
      connect.info("event=disconnected {} {}", who(connection), who(principal));
    }
  }

  @Override
  public void revoked(String tenant, String principalId, int connections) {
    if (refuse.isWarnEnabled()) {
      refuse.warn("event=revoked tenant={} principal={} connections={}", escape(tenant), escape(principalId),
          connections);
    }
  }

  @Override
  public void exported(DocumentKey key) {
    if (export.isInfoEnabled()) {
      export.info("event=exported tenant={} document={}", escape(key.tenant()), escape(key.name()));
    }
  }

  private static String who(ConnectionInfo c) {
    return "connection=" + c.id() + " remote=" + c.remoteAddress() + " protocol=" + c.protocol();
  }

  private static String who(Principal p) {
    return p == null ? "tenant=- principal=-" : "tenant=" + escape(p.tenant()) + " principal=" + escape(p.id());
  }

  /**
   * {@code s} in double quotes, with what could forge a line or hide text escaped (control and format characters,
   * line separators, lone surrogates; quotes and backslashes) and cut past {@link LogText#MAX_CHARS} characters;
   * {@code -} for null.
   */
  static String escape(String s) {
    return LogText.quoted(s);
  }
}
