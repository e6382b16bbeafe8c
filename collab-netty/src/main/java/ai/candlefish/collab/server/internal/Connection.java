package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the WebSocket upgrade, whatever its protocol: authentication, the documents it has
 * open, its limits, and the way back to the client.
 *
 * <p>Life: {@link #start} hands the token to the authenticator on the blocking pool; until it answers, messages
 * wait here, limited in count, bytes and time. Then the client's documents open ({@link ClientMessage.Open}) and its
 * other messages go to their document's executor. Reading pauses (TCP pushes back) while the client exceeds its
 * message rate or has too many messages waiting in documents; nothing is dropped.
 *
 * <p>Threads: the state is confined to the channel's event loop, except {@link #send}, {@link #sendInitial} and
 * {@link #close}, which any thread may call.
 */
public final class Connection implements Peer {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** Messages handed to documents and not handled yet, above which reading pauses (and resumes at half). */
  static final int MAX_IN_FLIGHT = 64;
  /** How long a client may take to answer the server's close frame before its connection is dropped. */
  static final long CLOSE_ANSWER_MILLIS = 3000;
  private static final int PAUSED_BY_RATE = 1;
  private static final int PAUSED_BY_IN_FLIGHT = 2;
  private static final int PAUSED_BY_SHUTDOWN = 4;

  private final Channel channel;
  private final ServerRuntime runtime;
  private final ServerConfig config;
  private final ConnectionInfo info;
  private final RateLimiter rate;
  private final AtomicLong unsentBytes = new AtomicLong();
  private final AtomicLong unsentInitialBytes = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private volatile boolean closing;

  private Principal principal;
  private final ArrayDeque<ClientMessage> waiting = new ArrayDeque<>();
  private int unauthenticatedMessages;
  private long unauthenticatedBytes;
  private final Map<String, DocumentSession> sessions = new HashMap<>();
  private ScheduledFuture<?> authenticationTimeout;
  private ScheduledFuture<?> rateResume;
  private int pauses;
  private boolean closed;

  public Connection(Channel channel, ServerRuntime runtime, ConnectionInfo info) {
    this.channel = channel;
    this.runtime = runtime;
    this.config = runtime.config();
    this.info = info;
    this.rate = new RateLimiter(config.messagesPerSecond(), config.messageBurst(), System.nanoTime());
  }

  public ConnectionInfo info() {
    return info;
  }

  // --------------------------------------------------------------------------------------------- authentication

  /**
   * Authenticates {@code token} off the event loop; {@code implicit} (what connecting means in the client's
   * protocol, such as opening its document) is handled once that succeeds.
   */
  public void start(String token, List<ClientMessage> implicit) {
    waiting.addAll(implicit);
    authenticationTimeout = channel.eventLoop().schedule(() -> {
      if (principal == null) {
        close(CloseCodes.UNAVAILABLE, "authentication timed out, try again later");
      }
    }, config.authenticationTimeout().toNanos(), TimeUnit.NANOSECONDS);
    try {
      CompletableFuture.supplyAsync(() -> authenticate(token), runtime.blockingPool())
          .whenComplete((p, e) -> channel.eventLoop().execute(() -> authenticated(p, e)));
    } catch (RejectedExecutionException e) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
    }
  }

  private Principal authenticate(String token) {
    refusingHook("onConnect", () -> config.hooks().onConnect(info));
    Principal p = config.authenticator().authenticate(token, info);
    if (p == null) {
      throw new IllegalStateException("the authenticator returned null instead of throwing");
    }
    refusingHook("onAuthenticate", () -> config.hooks().onAuthenticate(info, p));
    return p;
  }

  /** Runs a hook that may refuse the connection by throwing {@link AuthenticationException}. */
  private static void refusingHook(String name, Runnable hook) {
    try {
      hook.run();
    } catch (AuthenticationException e) {
      throw e;
    } catch (RuntimeException e) {
      log.warn("hook {} threw; ignored", name, e);
    }
  }

  private void authenticated(Principal p, Throwable error) {
    if (authenticationTimeout != null) {
      authenticationTimeout.cancel(false);
    }
    if (closing) {
      return;
    }
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof AuthenticationException) {
        log.debug("connection {} refused: {}", info.id(), cause.getMessage());
        String reason = cause.getMessage() == null ? "unauthorized" : cause.getMessage();
        deny(CloseCodes.UNAUTHORIZED, reason);
      } else {
        log.warn("authenticating connection {} failed", info.id(), cause);
        close(CloseCodes.UNAVAILABLE, "authentication unavailable, try again later");
      }
      return;
    }
    principal = p;
    while (!waiting.isEmpty() && !closing) {
      dispatch(waiting.poll());
    }
  }

  // ----------------------------------------------------------------------------------------------- messages

  /** A message from the client (on the event loop). */
  public void receive(ClientMessage message) {
    if (closing) {
      return;
    }
    long wait = rate.take(System.nanoTime());
    if (wait > 0) {
      pauseFor(wait);
    }
    if (principal == null) {
      waiting.add(message);
      unauthenticatedMessages++;
      unauthenticatedBytes += message.size();
      if (unauthenticatedMessages > config.maxUnauthenticatedMessages()
          || unauthenticatedBytes > config.maxUnauthenticatedBytes()) {
        close(CloseCodes.POLICY_VIOLATION, "too much data before authentication");
      }
      return;
    }
    dispatch(message);
  }

  private void dispatch(ClientMessage message) {
    if (message instanceof ClientMessage.Open open) {
      open(open.document());
      return;
    }
    DocumentSession session = sessions.get(message.document());
    if (session == null) {
      close(CloseCodes.PROTOCOL_ERROR, "document not open");
      return;
    }
    if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) {
      pause(PAUSED_BY_IN_FLIGHT);
    }
    session.document().submit(session, message, this::handled);
  }

  private void handled() {
    if (inFlight.decrementAndGet() == MAX_IN_FLIGHT / 2) {
      channel.eventLoop().execute(() -> resume(PAUSED_BY_IN_FLIGHT));
    }
  }

  private void open(String name) {
    if (sessions.containsKey(name)) {
      return;
    }
    if (sessions.size() >= config.maxDocumentsPerConnection()) {
      close(CloseCodes.POLICY_VIOLATION, "too many documents open on one connection");
      return;
    }
    DocumentKey key;
    try {
      key = principal.documentKey(name);
    } catch (IllegalArgumentException e) {
      close(CloseCodes.PROTOCOL_ERROR, "invalid document name");
      return;
    }
    Permission permission = principal.permission(key);
    if (!permission.canRead()) {
      log.debug("connection {}: principal {} may not open {}", info.id(), principal.id(), key);
      deny(CloseCodes.FORBIDDEN, "no access to this document");
      return;
    }
    SharedDocument document;
    try {
      document = runtime.registry().acquire(key);
    } catch (IllegalStateException e) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
      return;
    }
    DocumentSession session = new DocumentSession(this, document, permission);
    sessions.put(name, session);
    document.attach(session);
  }

  /** Tells the client why it is refused (y-websocket clients log it), then closes. */
  private void deny(int code, String reason) {
    send(new ServerMessage.PermissionDenied("", reason));
    close(code, reason);
  }

  // ------------------------------------------------------------------------------------------------- reading

  private void pause(int reason) {
    if (pauses == 0) {
      channel.config().setAutoRead(false);
    }
    pauses |= reason;
  }

  private void resume(int reason) {
    if (pauses == 0) {
      return;
    }
    pauses &= ~reason;
    if (pauses == 0 && !closing) {
      channel.config().setAutoRead(true);
    }
  }

  /**
   * Stops reading for good (the server is closing and about to store everything); on any thread. When the returned
   * future is done, every message read before has been handed to its document.
   */
  public Future<?> stopReading() {
    return channel.eventLoop().submit(() -> pause(PAUSED_BY_SHUTDOWN));
  }

  /** Pauses reading for {@code nanos}: the debt only grows within one read, so the latest pause is the longest. */
  private void pauseFor(long nanos) {
    pause(PAUSED_BY_RATE);
    if (rateResume != null) {
      rateResume.cancel(false);
    }
    rateResume = channel.eventLoop().schedule(() -> {
      rateResume = null;
      resume(PAUSED_BY_RATE);
    }, nanos, TimeUnit.NANOSECONDS);
  }

  // ------------------------------------------------------------------------------------------------- writing

  @Override
  public void send(ServerMessage message) {
    if (closing) {
      return;
    }
    if (unsentBytes.get() - unsentInitialBytes.get() > config.outboundBufferLimit()) {
      close(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound buffer full");
      return;
    }
    write(message, false);
  }

  @Override
  public void sendInitial(ServerMessage message) {
    if (!closing) {
      write(message, true);
    }
  }

  private void write(ServerMessage message, boolean initial) {
    int size = message.size();
    unsentBytes.addAndGet(size);
    if (initial) {
      unsentInitialBytes.addAndGet(size);
    }
    channel.writeAndFlush(message).addListener(new Written(size, initial));
  }

  /** Gives back a written (or failed) message's bytes to the outbound budget. */
  private final class Written implements ChannelFutureListener {
    private final int size;
    private final boolean initial;

    Written(int size, boolean initial) {
      this.size = size;
      this.initial = initial;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      unsentBytes.addAndGet(-size);
      if (initial) {
        unsentInitialBytes.addAndGet(-size);
      }
    }
  }

  @Override
  public void close(int code, String reason) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    if (channel.eventLoop().inEventLoop()) {
      sendClose(code, reason);
    } else {
      channel.eventLoop().execute(() -> sendClose(code, reason));
    }
  }

  private void sendClose(int code, String reason) {
    log.debug("closing connection {}: {} {}", info.id(), code, reason);
    // Read on (messages are dropped now) until the client answers with its close frame, which closes the channel:
    // closing a socket with unread input resets it, and the client could lose our close frame and its reason.
    channel.config().setAutoRead(true);
    channel.writeAndFlush(new CloseWebSocketFrame(code, closeReason(reason)));
    ScheduledFuture<?> unanswered = channel.eventLoop().schedule(() -> channel.close(), CLOSE_ANSWER_MILLIS,
        TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> unanswered.cancel(false));
  }

  /** A close reason fits in a control frame: at most 123 bytes of UTF-8. */
  static String closeReason(String reason) {
    String r = reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  /** The channel closed (on the event loop): leaves every document. */
  public void closed() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    closeRequested.set(true);
    if (authenticationTimeout != null) {
      authenticationTimeout.cancel(false);
    }
    if (rateResume != null) {
      rateResume.cancel(false);
    }
    for (DocumentSession session : sessions.values()) {
      session.document().detach(session);
    }
    sessions.clear();
    waiting.clear();
    Principal who = principal;
    try {
      runtime.blockingPool().execute(() -> runtime.hook("onDisconnect", h -> h.onDisconnect(info, who)));
    } catch (RejectedExecutionException e) {
      log.debug("connection {}: onDisconnect skipped, the server is shut down", info.id());
    }
  }

  @Override
  public String toString() {
    return "Connection[" + info.id() + "]";
  }
}
