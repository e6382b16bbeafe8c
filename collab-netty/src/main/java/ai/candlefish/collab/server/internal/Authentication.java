package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.LogContext;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.Principal;
import io.netty.channel.ChannelPipeline;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.MDC;

/**
 * Who one connection's client is: its authenticator calls (on the authentication pool; the {@link ReadThrottle}
 * holds token messages past the connection's authentication rate), the deadline for its first accepted token, and what it may send before that
 * (the unauthenticated budget, counted in messages and bytes here and in raw bytes by {@link UnauthenticatedBudget}).
 *
 * <p>Event loop only (the authenticator itself runs on the authentication pool); {@link #principal} may be read on
 * any thread.
 */
final class Authentication {
  /** The refusal of an expired token (ours, or an authenticator's in the same words). */
  private static final String TOKEN_EXPIRED = "token expired";
  /** The refusal of a token issued before its principal was revoked. */
  private static final String ACCESS_REVOKED = "access revoked";
  /**
   * The most principals besides the first that the audit log hears connect and disconnect on one connection: a
   * client holding tokens of many users cannot grow the list for ever (later ones are audited as they open documents).
   */
  static final int MAX_OTHER_PRINCIPALS = 256;

  /** Whose client this is; its channel, runtime and info are asked of it, not kept here (10,000s of connections). */
  private final Connection connection;

  /** The first principal the client authenticated as (for other threads; {@link #grant} has it too). */
  private volatile Principal principal;
  /** The first token accepted: the connection's grant; later documents with that token reuse it while it is valid. */
  private Grant grant;
  /**
   * Other principals whose tokens were accepted on this connection (a Hocuspocus socket shared by providers of
   * several users), each once, at most {@link #MAX_OTHER_PRINCIPALS}; null until there is one.
   */
  private List<Principal> others;
  private boolean connectionTokenChecked;
  private int unauthenticatedMessages;
  private long unauthenticatedBytes;
  private ScheduledFuture<?> deadline;

  Authentication(Connection connection) {
    this.connection = connection;
  }

  /** Starts the clock: a client not authenticated within the authentication timeout is closed. */
  void startDeadline() {
    scheduleDeadline(connection.runtime().config().authenticationTimeout().toNanos());
  }

  /**
   * The channel moved to another event loop: the deadline, if still running, is scheduled there again with the time
   * it had left (on the new loop).
   */
  void moved() {
    if (deadline != null && !deadline.isDone()) {
      long left = Math.max(0, deadline.getDelay(TimeUnit.NANOSECONDS));
      deadline.cancel(false);
      scheduleDeadline(left);
    }
  }

  private void scheduleDeadline(long nanos) {
    ServerRuntime runtime = connection.runtime();
    deadline = connection.channel().eventLoop().schedule(() -> {
      if (principal == null) {
        runtime.metrics().connectionRefused("authentication-timeout");
        connection.close(CloseCodes.UNAVAILABLE, "authentication timed out, try again later");
      }
    }, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Every principal the audit log heard connect on this connection, the first first (empty if none); on the event
   * loop.
   */
  List<Principal> principals() {
    if (principal == null) {
      return List.of();
    }
    if (others == null) {
      return List.of(principal);
    }
    List<Principal> all = new ArrayList<>(others.size() + 1);
    all.add(principal);
    all.addAll(others);
    return all;
  }

  /** The principal the client authenticated as first, or null before. */
  Principal principal() {
    return principal;
  }

  boolean isAuthenticated() {
    return principal != null;
  }

  /** The grant of the first accepted token, or null before. */
  Grant grant() {
    return grant;
  }

  /**
   * Whether {@code candidate} is the token the client first authenticated with and still valid (so needs no second
   * check).
   */
  boolean isConnectionToken(String candidate) {
    return grant != null && grant.isValid() && Objects.equals(grant.token(), candidate);
  }

  /** Whether a connection-wide token was sent (and accepted, or still being checked): a second one is an error. */
  boolean connectionTokenChecked() {
    return principal != null || connectionTokenChecked;
  }

  void connectionTokenSent() {
    connectionTokenChecked = true;
  }

  /**
   * Counts a message that arrived before authentication; returns false (and the caller closes) past the
   * unauthenticated budget.
   */
  boolean withinBudget(ClientMessage message) {
    unauthenticatedMessages++;
    unauthenticatedBytes += message.size();
    ServerConfig config = connection.config();
    return unauthenticatedMessages <= config.maxUnauthenticatedMessages()
        && unauthenticatedBytes <= config.maxUnauthenticatedBytes();
  }

  /**
   * Authenticates {@code candidate} off the event loop and calls {@code then} on it with the principal or the
   * error (unless the connection closed meanwhile). A principal that has expired already is refused.
   */
  void check(String candidate, BiConsumer<Principal, Throwable> then) {
    ServerRuntime runtime = connection.runtime();
    ConnectionInfo info = connection.info();
    ServerObservations.Observed observed =
        runtime.observations().start(ServerObservations.Work.AUTHENTICATE, info.protocol(), null, info.id());
    try {
      String connectionId = Long.toString(info.id());
      CompletableFuture.supplyAsync(() -> {
        try (MDC.MDCCloseable c = MDC.putCloseable(LogContext.CONNECTION, connectionId)) {
          return authenticate(runtime, info, candidate);
        }
      }, runtime.authenticationPool())
          .whenComplete((p, e) -> connection.channel().eventLoop().execute(() -> {
            Throwable error = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            Principal accepted = p;
            if (error == null && runtime.revocations().isRevoked(p, Instant.now())) {
              // Revoked after the check above and before this: CollabServer.revoke has passed this connection
              // already (it found nothing of the principal here), so nothing would end what the token opens.
              error = new AuthenticationException(ACCESS_REVOKED);
              accepted = null;
            }
            String result = result(error);
            runtime.metrics().authenticated(result);
            observed.stop(result, result.equals("error") ? error : null);
            if (!connection.isClosing()) {
              then.accept(accepted, error);
            }
          }));
    } catch (RejectedExecutionException e) {
      observed.stop("busy", null);
      if (runtime.authenticationPool().isShutdown()) {
        connection.close(CloseCodes.GOING_AWAY, "server shutting down");
      } else {
        connection.close(CloseCodes.SERVER_BUSY, "too many authentications at once, try again later");
      }
    }
  }

  /** How an authenticator call ended, for metrics: never the principal or the token. */
  private static String result(Throwable error) {
    if (error == null) {
      return "success";
    }
    if (error instanceof AuthenticationException refused) {
      return TOKEN_EXPIRED.equals(refused.getMessage()) ? "expired"
          : ACCESS_REVOKED.equals(refused.getMessage()) ? "revoked" : "refused";
    }
    return "error";
  }

  private static Principal authenticate(ServerRuntime runtime, ConnectionInfo info, String candidate) {
    runtime.hooks().onConnect(info);
    Principal p = runtime.config().authenticator().authenticate(candidate, info);
    if (p == null) {
      throw new IllegalStateException("the authenticator returned null instead of throwing");
    }
    Instant now = Instant.now();
    if (p.expiresAt() != null && !now.isBefore(p.expiresAt())) {
      throw new AuthenticationException(TOKEN_EXPIRED);
    }
    if (runtime.revocations().isRevoked(p, now)) {
      // The host revoked the principal after this token was issued: the authenticator may not know yet.
      throw new AuthenticationException(ACCESS_REVOKED);
    }
    runtime.hooks().onAuthenticate(info, p);
    return p;
  }

  /**
   * Token {@code accepted} was accepted as {@code p}: the first one makes the client authenticated and becomes the
   * connection's grant, which is returned; a later one gets a grant of its own.
   */
  Grant accepted(Principal p, String accepted) {
    if (grant != null) {
      if (!p.isSameAs(principal) && (others == null || others.stream().noneMatch(p::isSameAs))
          && (others == null || others.size() < MAX_OTHER_PRINCIPALS)) {
        // Another user on the same socket: the audit log hears of them connecting (and disconnecting) as well.
        if (others == null) {
          others = new ArrayList<>(2);
        }
        others.add(p);
        ConnectionInfo info = connection.info();
        connection.runtime().audit(a -> a.connected(info, p));
      }
      return new Grant(accepted, p, connection);
    }
    principal = p;
    grant = new Grant(accepted, p, connection);
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null; // a cancelled task is 100 bytes, and a server holds 10,000s of connections
    }
    ChannelPipeline pipeline = connection.channel().pipeline();
    if (pipeline.get(UnauthenticatedBudget.NAME) != null) {
      pipeline.remove(UnauthenticatedBudget.NAME);
    }
    ConnectionInfo info = connection.info();
    connection.runtime().audit(a -> a.connected(info, p));
    return grant;
  }

  /** The channel closed: no more timers. */
  void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    if (grant != null) {
      grant.end();
    }
  }
}
