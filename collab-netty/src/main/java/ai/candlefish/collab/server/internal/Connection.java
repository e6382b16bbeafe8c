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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the WebSocket upgrade, whatever its protocol: authentication, the documents it has
 * open, its limits, and the way back to the client.
 *
 * <p>Life: {@link #start} hands the URL's token to the authenticator on the blocking pool (a multi-document
 * protocol sends its tokens in {@link ClientMessage.Authenticate} messages instead); until the first one is
 * accepted, messages wait here, limited in count, bytes and time. Then the client's documents open
 * ({@link ClientMessage.Open}, or an accepted token for a document) and its other messages go to their document's
 * executor; a multi-document client's messages about a document whose token is still being checked wait for it
 * (a token sent again meanwhile, as when a provider closes and reopens the document at once, included), and are
 * dropped if it is refused, up to the next token for that document.
 * Reading pauses (TCP pushes back) while the client exceeds its message rate or has too many messages waiting in
 * documents; nothing is dropped.
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
  /** Authenticator calls and document opens of this connection: slowed down past their rates. */
  private final RateLimiter authenticationRate;
  private final RateLimiter openRate;
  private final AtomicLong unsentBytes = new AtomicLong();
  private final AtomicLong unsentInitialBytes = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private volatile boolean closing;

  private final WireProtocol protocol;
  private final boolean multiplexed;
  /** The first principal the client authenticated as, and its token; later documents with that token reuse it. */
  private Principal principal;
  private String principalToken;
  private boolean authenticating;
  /** Messages that wait for the first authentication. */
  private final ArrayDeque<ClientMessage> waiting = new ArrayDeque<>();
  /** Documents whose own token is being authenticated, with the messages about them that wait for it. */
  private final Map<String, ArrayDeque<ClientMessage>> authenticatingDocuments = new HashMap<>();
  private int unauthenticatedMessages;
  private long unauthenticatedBytes;
  private final Map<String, DocumentSession> sessions = new HashMap<>();
  private ScheduledFuture<?> authenticationTimeout;
  private ScheduledFuture<?> rateResume;
  private int pauses;
  private boolean closed;

  public Connection(Channel channel, ServerRuntime runtime, ConnectionInfo info, WireProtocol protocol) {
    this.channel = channel;
    this.protocol = protocol;
    this.multiplexed = protocol.multiplexed();
    this.runtime = runtime;
    this.config = runtime.config();
    this.info = info;
    long now = System.nanoTime();
    this.rate = new RateLimiter(config.messagesPerSecond(), config.messageBurst(), now);
    this.authenticationRate = new RateLimiter(config.authenticationsPerSecond(), config.authenticationBurst(), now);
    this.openRate = new RateLimiter(config.documentOpensPerSecond(), config.documentOpenBurst(), now);
  }

  public ConnectionInfo info() {
    return info;
  }

  /** The principal the client authenticated as, or null before (read on any thread: may lag a little). */
  public Principal principal() {
    return principal;
  }

  // --------------------------------------------------------------------------------------------- authentication

  /**
   * Starts the connection. A single-document protocol authenticates {@code token} (from the URL) at once and then
   * handles {@code implicit} (what connecting means, such as opening its document); a multi-document protocol waits
   * for {@link ClientMessage.Authenticate} messages. Either way the client has the authentication timeout to
   * become authenticated.
   */
  public void start(String token, List<ClientMessage> implicit) {
    waiting.addAll(implicit);
    authenticationTimeout = channel.eventLoop().schedule(() -> {
      if (principal == null) {
        close(CloseCodes.UNAVAILABLE, "authentication timed out, try again later");
      }
    }, config.authenticationTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (!multiplexed) {
      authenticateConnection(token);
    }
  }

  private void authenticateConnection(String token) {
    authenticating = true;
    authenticateAsync(token, (p, error) -> {
      authenticating = false;
      if (error != null) {
        refused("", error, true);
        return;
      }
      becomeAuthenticated(p, token);
      if (multiplexed) {
        send(new ServerMessage.Authenticated("", false));
      }
      drainWaiting();
    });
  }

  /** Authenticates {@code token} off the event loop and calls {@code then} on it (unless the connection closed). */
  private void authenticateAsync(String token, BiConsumer<Principal, Throwable> then) {
    long wait = authenticationRate.take(System.nanoTime());
    if (wait > 0) {
      pauseFor(wait);
    }
    try {
      CompletableFuture.supplyAsync(() -> authenticate(token), runtime.authenticationPool())
          .whenComplete((p, e) -> channel.eventLoop().execute(() -> {
            if (!closing) {
              then.accept(p, e);
            }
          }));
    } catch (RejectedExecutionException e) {
      if (runtime.authenticationPool().isShutdown()) {
        close(CloseCodes.GOING_AWAY, "server shutting down");
      } else {
        close(CloseCodes.SERVER_BUSY, "too many authentications at once, try again later");
      }
    }
  }

  private Principal authenticate(String token) {
    runtime.hooks().onConnect(info);
    Principal p = config.authenticator().authenticate(token, info);
    if (p == null) {
      throw new IllegalStateException("the authenticator returned null instead of throwing");
    }
    runtime.hooks().onAuthenticate(info, p);
    return p;
  }

  private void becomeAuthenticated(Principal p, String token) {
    if (principal != null) {
      return;
    }
    principal = p;
    principalToken = token;
    if (authenticationTimeout != null) {
      authenticationTimeout.cancel(false);
    }
    if (channel.pipeline().get(UnauthenticatedBudget.NAME) != null) {
      channel.pipeline().remove(UnauthenticatedBudget.NAME);
    }
    runtime.audit(a -> a.connected(info, p));
  }

  /**
   * Answers a failed authentication for {@code document} ("" for the connection): a refused token closes a
   * single-document connection and refuses the document of a multi-document one.
   */
  private void refused(String document, Throwable error, boolean wholeConnection) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    int code;
    String reason;
    if (cause instanceof AuthenticationException) {
      log.debug("connection {} refused: {}", info.id(), cause.getMessage());
      code = CloseCodes.UNAUTHORIZED;
      reason = cause.getMessage() == null ? "unauthorized" : cause.getMessage();
    } else {
      log.warn("authenticating connection {} failed", info.id(), cause);
      code = CloseCodes.UNAVAILABLE;
      reason = "authentication unavailable, try again later";
    }
    runtime.audit(a -> a.refused(info, principal, null, code, reason));
    if (wholeConnection) {
      deny(code, reason);
    } else {
      send(new ServerMessage.Refused(document, 0, code, reason));
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
      unauthenticatedMessages++;
      unauthenticatedBytes += message.size();
      if (unauthenticatedMessages > config.maxUnauthenticatedMessages()
          || unauthenticatedBytes > config.maxUnauthenticatedBytes()) {
        close(CloseCodes.POLICY_VIOLATION, "too much data before authentication");
        return;
      }
      if (!(message instanceof ClientMessage.Authenticate)) {
        // Behind its document's token, if one is being checked: a refused token drops what was sent under it.
        ArrayDeque<ClientMessage> queued = authenticatingDocuments.get(message.document());
        (queued != null ? queued : waiting).add(message);
        return;
      }
    }
    dispatch(message);
  }

  private void drainWaiting() {
    while (!waiting.isEmpty() && !closing) {
      dispatch(waiting.poll());
    }
  }

  private void dispatch(ClientMessage message) {
    String name = message.document();
    if (message instanceof ClientMessage.Authenticate auth) {
      authenticateDocument(auth);
      return;
    }
    if (message instanceof ClientMessage.Open) {
      open(name, principal);
      return;
    }
    ArrayDeque<ClientMessage> queued = authenticatingDocuments.get(name);
    if (queued != null) {
      queued.add(message);
      return;
    }
    if (message instanceof ClientMessage.Close) {
      leave(name);
      return;
    }
    DocumentSession session = sessions.get(name);
    if (session == null) {
      if (!multiplexed) {
        close(CloseCodes.PROTOCOL_ERROR, "document not open");
      }
      // A multi-document client may still talk about a document it was refused or has closed: ignored.
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

  private void authenticateDocument(ClientMessage.Authenticate auth) {
    String name = auth.document();
    if (name.isEmpty()) {
      if (principal != null || authenticating || !multiplexed) {
        close(CloseCodes.PROTOCOL_ERROR, "already authenticated");
      } else {
        authenticateConnection(auth.token());
      }
      return;
    }
    if (sessions.containsKey(name)) {
      return; // asked again while open: the first answer stands
    }
    ArrayDeque<ClientMessage> pending = authenticatingDocuments.get(name);
    if (pending != null) {
      // Asked again while the first token is checked (a provider closed and reopened the document at once):
      // answered in order, after what came before it.
      pending.add(auth);
      return;
    }
    if (principal != null && Objects.equals(principalToken, auth.token())) {
      open(name, principal);
      return;
    }
    if (authenticatingDocuments.size() >= config.maxDocumentsPerConnection()) {
      close(CloseCodes.POLICY_VIOLATION, "too many documents open on one connection");
      return;
    }
    authenticatingDocuments.put(name, new ArrayDeque<>());
    authenticateAsync(auth.token(), (p, error) -> {
      ArrayDeque<ClientMessage> queued = authenticatingDocuments.remove(name);
      if (error != null) {
        refused(name, error, false);
        dispatchFromNextToken(queued);
        return;
      }
      becomeAuthenticated(p, auth.token());
      if (open(name, p)) {
        queued.forEach(this::dispatch);
      } else {
        dispatchFromNextToken(queued);
      }
      drainWaiting();
    });
  }

  /**
   * A document's token was refused, or the document may not be opened: what the client sent about it under that
   * token is dropped, but a later token for it (sent before the answer arrived) starts over.
   */
  private void dispatchFromNextToken(ArrayDeque<ClientMessage> queued) {
    while (!queued.isEmpty() && !(queued.peek() instanceof ClientMessage.Authenticate)) {
      queued.poll();
    }
    while (!queued.isEmpty() && !closing) {
      dispatch(queued.poll());
    }
  }

  /** Opens document {@code name} for {@code who}; returns whether it is open (or opening) now. */
  private boolean open(String name, Principal who) {
    if (sessions.containsKey(name)) {
      return true;
    }
    if (sessions.size() >= config.maxDocumentsPerConnection()) {
      close(CloseCodes.POLICY_VIOLATION, "too many documents open on one connection");
      return false;
    }
    DocumentKey key;
    try {
      key = who.documentKey(name);
    } catch (IllegalArgumentException e) {
      if (multiplexed) {
        send(new ServerMessage.Refused(name, 0, CloseCodes.PROTOCOL_ERROR, "invalid document name"));
      } else {
        close(CloseCodes.PROTOCOL_ERROR, "invalid document name");
      }
      return false;
    }
    Permission permission = who.permission(key);
    if (!permission.canRead()) {
      log.debug("connection {}: principal {} may not open {}", info.id(), who.id(), key);
      runtime.audit(a -> a.refused(info, who, key, CloseCodes.FORBIDDEN, "no access to this document"));
      if (multiplexed) {
        send(new ServerMessage.Refused(name, 0, CloseCodes.FORBIDDEN, "no access to this document"));
      } else {
        deny(CloseCodes.FORBIDDEN, "no access to this document");
      }
      return false;
    }
    long wait = openRate.take(System.nanoTime());
    if (wait > 0) {
      pauseFor(wait);
    }
    SharedDocument document;
    try {
      document = runtime.registry().acquire(key);
    } catch (ServerBusyException e) {
      runtime.audit(a -> a.refused(info, who, key, CloseCodes.SERVER_BUSY, e.getMessage()));
      if (multiplexed) {
        send(new ServerMessage.Refused(name, 0, CloseCodes.SERVER_BUSY, "server busy, try again later"));
      } else {
        close(CloseCodes.SERVER_BUSY, "server busy, try again later");
      }
      return false;
    } catch (IllegalStateException e) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
      return false;
    }
    runtime.audit(a -> a.opened(info, who, key, permission));
    DocumentSession session = new DocumentSession(this, document, who, permission, info, multiplexed);
    sessions.put(name, session);
    document.attach(session);
    return true;
  }

  /** The client leaves document {@code name} (the connection stays). */
  private void leave(String name) {
    DocumentSession session = sessions.remove(name);
    if (session != null) {
      session.document().detach(session);
    }
  }

  @Override
  public void refuse(DocumentSession session, int code, String reason) {
    if (!multiplexed) {
      close(code, reason);
      return;
    }
    channel.eventLoop().execute(() -> {
      if (sessions.get(session.document().key().name()) == session) {
        leave(session.document().key().name());
        send(new ServerMessage.Refused(session.document().key().name(), 0, code, reason));
      }
    });
  }

  /** Tells the client why it is refused (y-websocket clients log it), then closes. */
  private void deny(int code, String reason) {
    send(new ServerMessage.Refused("", 0, code, reason));
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
    if (message instanceof ServerMessage.Refused refused) {
      runtime.metrics().rejected(refused.code());
    }
    if (closing || !protocol.canSend(message)) {
      return;
    }
    if (unsentBytes.get() - unsentInitialBytes.get() > config.outboundBufferLimit()) {
      close(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound buffer full");
      return;
    }
    write(message, false);
  }

  @Override
  public Executor sendExecutor() {
    return channel.eventLoop();
  }

  /**
   * A document's first full state for this client: exempt from the outbound limit, so that a document larger than
   * the limit can be opened, but only one at a time. While one is still unsent, another counts like any message
   * (a client that reopens large documents without reading is closed instead of buffered without bound).
   */
  @Override
  public void sendInitial(ServerMessage message) {
    if (closing || !protocol.canSend(message)) {
      return;
    }
    if (unsentInitialBytes.get() > 0) {
      send(message);
    } else {
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
    if (isViolation(code)) {
      runtime.metrics().rejected(code);
      runtime.audit(a -> a.refused(info, principal, null, code, reason));
    }
    if (channel.eventLoop().inEventLoop()) {
      sendClose(code, reason);
    } else {
      channel.eventLoop().execute(() -> sendClose(code, reason));
    }
  }

  /** Whether a close with {@code code} refuses the client (rather than the server going away or failing). */
  private static boolean isViolation(int code) {
    return code != CloseCodes.GOING_AWAY && code != CloseCodes.UNAVAILABLE && code != CloseCodes.INTERNAL_ERROR
        && code != 1000;
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
    runtime.metrics().connectionClosed(info.protocol());
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
    authenticatingDocuments.clear();
    Principal who = principal;
    try {
      runtime.blockingPool().execute(() -> {
        runtime.hooks().onDisconnect(info, who);
        runtime.audit(a -> a.disconnected(info, who));
      });
    } catch (RejectedExecutionException e) {
      log.debug("connection {}: onDisconnect skipped, the server is shut down", info.id());
    }
  }

  @Override
  public String toString() {
    return "Connection[" + info.id() + "]";
  }
}
