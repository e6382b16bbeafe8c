package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.Principal;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A token the server accepted on one connection, the principal it stands for, and the documents opened with it:
 * when the principal's {@link Principal#expiresAt() expiry} passes, the connection ends them ({@link
 * Connection#grantExpired}) unless the client refreshed the grant with a fresh token for the same principal first.
 * Shortly before that the connection may ask the client for a fresh token ({@link Connection#grantExpiring}, at
 * {@link #EXPIRING_LEAD} before the expiry, or half the time left if that is shorter). A grant that ended (expired or
 * revoked) lets nothing more in: its token is checked by the authenticator again.
 *
 * <p>Event loop only.
 */
final class Grant {
  /** How long before its expiry a grant is about to expire, at most. */
  static final Duration EXPIRING_LEAD = Duration.ofSeconds(30);

  /** Whose grant this is: its timers run on the connection's event loop. */
  private final Connection connection;
  private String token;
  private Principal principal;
  private ScheduledFuture<?> timer;
  private boolean ended;

  Grant(String token, Principal principal, Connection connection) {
    this.connection = connection;
    this.token = token;
    this.principal = principal;
    schedule();
  }

  String token() {
    return token;
  }

  Principal principal() {
    return principal;
  }

  /** Whether the grant still lets the client in: neither ended nor past its expiry. */
  boolean isValid() {
    Instant expiresAt = principal.expiresAt();
    return !ended && (expiresAt == null || Instant.now().isBefore(expiresAt));
  }

  /** A fresh token for the same principal: its expiry replaces the old one. */
  void refresh(String freshToken, Principal fresh) {
    cancelTimer();
    token = freshToken;
    principal = fresh;
    schedule();
  }

  /** Ends the grant (revoked, or its documents are gone): no timer, and {@link #isValid} is false from now on. */
  void end() {
    ended = true;
    cancelTimer();
  }

  private void schedule() {
    Instant expiresAt = principal.expiresAt();
    if (expiresAt == null) {
      return;
    }
    long left = Math.max(0, expiresAt.toEpochMilli() - System.currentTimeMillis());
    long lead = Math.min(EXPIRING_LEAD.toMillis(), left / 2);
    if (lead < 1) {
      scheduleExpiry(left);
      return;
    }
    timer = connection.channel().eventLoop().schedule(() -> {
      timer = null;
      if (!ended) {
        scheduleExpiry(lead);
        connection.grantExpiring(this);
      }
    }, left - lead, TimeUnit.MILLISECONDS);
  }

  private void scheduleExpiry(long millis) {
    timer = connection.channel().eventLoop().schedule(() -> {
      timer = null;
      if (!ended) {
        ended = true;
        connection.grantExpired(this);
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
