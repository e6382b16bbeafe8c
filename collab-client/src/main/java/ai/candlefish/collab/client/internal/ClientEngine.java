package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.client.CollabClientListener;
import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.protocol.CollabV1Frames;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.spi.DocumentKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's engine, an actor: all of its state belongs to one thread of its own (the "lane"), to which the event
 * loop hands every frame and channel event, and user calls hand their work. Listener callbacks, remote updates and
 * future completions run there too, so user code never runs on the event loop and never sees a half-handled frame.
 *
 * <p>Connection life: connect (TCP, then the WebSocket handshake asking for {@code collab.v1}), send {@code Hello};
 * on {@code Welcome}, open every document. Each {@link DocumentState} then resynchronises on its own. When a channel
 * closes, documents wait, and a reconnect is scheduled after {@code min(max, min * 2^n)} scaled by a random factor in
 * [0.5, 1] (n: failures in a row; "equal jitter", so that clients of a restarted server do not return in lockstep).
 * Events of a channel that is no longer current are ignored.
 *
 * <p>Threads: {@link #connect}, {@link #open}, {@link #close} and {@link #isConnected} are called by users; the
 * {@code on*} methods by the channel handler; everything else runs on the lane.
 */
public final class ClientEngine {
  private static final Logger log = LoggerFactory.getLogger(ClientEngine.class);
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  /** y-protocols renews awareness states every 15 s; remote ones expire after 30 s. */
  static final long AWARENESS_TICK_MILLIS = 3000;
  private static final long CLOSE_WAIT_MILLIS = 5000;
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  /** The close code of a message over a size limit (RFC 6455). */
  private static final int MESSAGE_TOO_BIG = 1009;
  /** After this long without a byte from the server the client pings it; after twice this long it reconnects. */
  static final long SILENCE_MILLIS = 20_000;

  private final ClientConfig config;
  /** What the server's updates are applied with ({@link #remoteLimits}). */
  private final UpdateLimits remoteLimits;
  private final int id = CLIENTS.incrementAndGet();
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ThreadPoolExecutor lane;
  private final Bootstrap bootstrap;
  private final AtomicLong ackIds = new AtomicLong();
  private final Map<String, DocumentState> documents = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
  private volatile boolean started;
  private volatile boolean closed;
  private volatile boolean connected;
  private volatile Thread laneThread;

  // Lane-confined.
  private Channel channel;
  private boolean welcomed;
  /** Counts channels: what a document sent on an earlier one has to be sent again. */
  private long generation;
  private int failures;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> ticker;
  /** Why the client stopped reconnecting for good, or null. */
  private RuntimeException gaveUp;
  /** The token sent in every Hello: the configured one until {@link #refreshToken}. */
  private String token;
  /**
   * Bytes handed to the current channel that the socket has not taken yet: lane-written per channel, decremented on
   * the event loop as writes finish or fail.
   */
  private AtomicLong unsent = new AtomicLong();
  /** Whether the current channel is being closed for {@link ClientConfig#maxQueuedBytes}: send nothing more. */
  private boolean overflowed;

  public ClientEngine(ClientConfig config) {
    this.config = config;
    // The memory a document holds, not the bytes that pass through it while it stays open; no depth limit: the
    // client walks documents without recursion, and a server may hold deeper ones its host wrote.
    this.remoteLimits = UpdateLimits.NONE.toBuilder().maxDocumentBytes(config.maxDocumentBytes())
        .maxPendingBytes(config.maxPendingBytes()).build();
    this.token = config.token();
    this.ownsGroup = config.eventLoopGroup() == null;
    this.group = ownsGroup
        ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("collab-client-" + id + "-io", true),
            NioIoHandler.newFactory())
        : config.eventLoopGroup();
    this.lane = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "collab-client-" + id);
      t.setDaemon(true);
      laneThread = t;
      return t;
    });
    URI uri = config.uri();
    boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
    String host = uri.getHost();
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    SslContext ssl = secure ? sslContext() : null;
    WebSocketClientProtocolConfig webSocket = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(uri)
        .subprotocol(CollabV1Frames.SUBPROTOCOL)
        .allowExtensions(false)
        .maxFramePayloadLength(config.maxMessageSize())
        .handleCloseFrames(false)
        .dropPongFrames(true)
        .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
        // Not a browser: no Origin header (a server's origin allow-list is for web pages, and Netty would invent
        // one from the URI).
        .generateOriginHeader(false)
        .build();
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) HANDSHAKE_TIMEOUT_MILLIS)
        .remoteAddress(host, port)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (ssl != null) {
              p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
            }
            p.addLast("idle", new IdleStateHandler(SILENCE_MILLIS, 0, 0, TimeUnit.MILLISECONDS));
            p.addLast("http", new HttpClientCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
            p.addLast("websocket", new WebSocketClientProtocolHandler(webSocket));
            p.addLast("message-aggregator", new WebSocketFrameAggregator(config.maxMessageSize()));
            p.addLast("collab-v1", new ClientFrameCodec());
            p.addLast("connection", new ClientConnectionHandler(ClientEngine.this));
          }
        });
  }

  /** The client's settings. */
  ClientConfig config() {
    return config;
  }

  /** The limits the server's updates are applied with: the memory a document holds, and what waits. */
  UpdateLimits remoteLimits() {
    return remoteLimits;
  }

  private static SslContext sslContext() {
    try {
      return SslContextBuilder.forClient().build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for wss: " + e.getMessage(), e);
    }
  }

  long nextAckId() {
    return ackIds.incrementAndGet();
  }

  long generation() {
    return generation;
  }

  // ----------------------------------------------------------------------------------------------- user calls

  public CompletableFuture<Void> connect() {
    ensureNotClosed();
    if (!started) {
      started = true;
      lane.execute(this::attempt);
    }
    return firstConnect.copy();
  }

  public CompletableFuture<ClientDocument> open(String name) {
    return open(name, Doc.create());
  }

  /** Opens document {@code name} with {@code doc} as its local copy (a fresh one, or a subdocument's instance). */
  CompletableFuture<ClientDocument> open(String name, Doc doc) {
    ensureNotClosed();
    if (!started) {
      throw new IllegalStateException("call connect() before open(\"" + name + "\")");
    }
    if (!DocumentKey.isValidName(name)) {
      throw new IllegalArgumentException("not a valid document name: '" + name + "'");
    }
    DocumentState document = new DocumentState(this, name, doc);
    document.awareness().limitRemote(config.maxRemoteAwarenessClients(), config.maxAwarenessStateBytes());
    if (documents.putIfAbsent(name, document) != null) {
      throw new IllegalStateException("document '" + name + "' is already open on this client; use the "
          + "ClientDocument of the first open(), or close it first");
    }
    document.listen();
    execute(() -> {
      if (gaveUp != null) {
        document.fail(new IllegalStateException("the client gave up: " + gaveUp.getMessage(), gaveUp));
        documents.remove(name, document);
      } else if (welcomed) {
        document.open();
      }
    });
    return document.opened();
  }

  public boolean isConnected() {
    return connected;
  }

  private void ensureNotClosed() {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Runs {@code task} on the lane; returns false (and drops it) once the client is shut down. */
  boolean execute(Runnable task) {
    try {
      lane.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("collab client {}: internal error", id, e);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      log.debug("collab client {} is closed; task dropped", id);
      return false;
    }
  }

  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    CountDownLatch done = new CountDownLatch(1);
    execute(() -> {
      cancelTimers();
      IllegalStateException reason = new IllegalStateException("the client was closed");
      for (DocumentState d : documents.values()) {
        d.fail(reason);
      }
      documents.clear();
      firstConnect.completeExceptionally(reason);
      Channel ch = channel;
      channel = null;
      welcomed = false;
      connected = false;
      if (ch == null || !ch.isActive()) {
        done.countDown();
        return;
      }
      ch.closeFuture().addListener(f -> done.countDown());
      ch.writeAndFlush(new CloseWebSocketFrame(1000, "client closed"));
      // The server answers with its close frame and closes; do not wait for ever.
      ch.eventLoop().schedule(() -> ch.close(), CLOSE_WAIT_MILLIS / 2, TimeUnit.MILLISECONDS);
    });
    if (Thread.currentThread() == laneThread) {
      log.debug("close() called on the client's own thread: not waiting for the connection to close");
    } else {
      try {
        done.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    lane.shutdown();
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  // ----------------------------------------------------------------------------------------------- connecting

  private void attempt() {
    reconnectTimer = null;
    if (closed || channel != null || gaveUp != null) {
      return;
    }
    generation++;
    unsent = new AtomicLong();
    overflowed = false;
    ChannelFuture f = bootstrap.connect();
    Channel ch = f.channel();
    channel = ch;
    f.addListener((ChannelFutureListener) done -> {
      if (!done.isSuccess()) {
        execute(() -> connectFailed(ch, done.cause()));
      }
    });
  }

  private void connectFailed(Channel ch, Throwable cause) {
    if (ch != channel) {
      return;
    }
    channel = null;
    log.debug("collab client {}: cannot connect to {}: {}", id, withoutSecrets(config.uri()), cause.toString());
    notify(l -> l.onError(cause));
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed || gaveUp != null) {
      return;
    }
    long delay = backoffNanos(failures++, config.minBackoffNanos(), config.maxBackoffNanos(),
        ThreadLocalRandom.current().nextDouble());
    reconnectTimer = group.next().schedule(() -> execute(this::attempt), delay, TimeUnit.NANOSECONDS);
  }

  /** {@code min(max, min * 2^failures)}, scaled into [half, all] of it by {@code random} in [0, 1). */
  static long backoffNanos(int failures, long min, long max, double random) {
    long base = max;
    if (failures < Long.numberOfLeadingZeros(min) - 1) { // min << failures stays positive
      base = Math.min(max, min << failures);
    }
    return base / 2 + (long) (base / 2.0 * random);
  }

  private void cancelTimers() {
    if (reconnectTimer != null) {
      reconnectTimer.cancel(false);
      reconnectTimer = null;
    }
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
  }

  // ------------------------------------------------------------------------------------- from the event loop

  void onHandshake(Channel ch) {
    execute(() -> {
      if (ch != channel) {
        return;
      }
      sendHello(ch);
    });
  }

  private void sendHello(Channel ch) {
    Hello.Builder hello = Hello.newBuilder();
    if (token != null) {
      hello.setToken(token);
    }
    ch.writeAndFlush(ClientFrame.newBuilder().setHello(hello).build());
  }

  /**
   * From now on sends {@code fresh} (and on every reconnect); if the server has accepted the connection, sends it at
   * once in another Hello, so that the session outlives the old token's expiry.
   */
  public void refreshToken(String fresh) {
    ensureNotClosed();
    execute(() -> {
      token = fresh;
      if (channel != null && welcomed) {
        sendHello(channel);
      }
    });
  }

  void onFrame(Channel ch, ServerFrame frame) {
    execute(() -> {
      if (ch != channel || closed) {
        return;
      }
      try {
        handle(frame);
      } catch (DecodingException e) {
        log.warn("collab client {}: the server sent a malformed {}: {}", id, frame.getFrameCase(), e.getMessage());
        notify(l -> l.onError(e));
        ch.close();
      }
    });
  }

  void onClosed(Channel ch, boolean handshaken, int code, String reason, Throwable failure) {
    execute(() -> {
      if (ch != channel) {
        return;
      }
      channel = null;
      boolean wasWelcomed = welcomed;
      welcomed = false;
      connected = false;
      if (ticker != null) {
        ticker.cancel(false);
        ticker = null;
      }
      for (DocumentState d : documents.values()) {
        d.disconnected();
      }
      if (failure != null) {
        log.debug("collab client {}: connection failed: {}", id, failure.toString());
        notify(l -> l.onError(failure));
      }
      if (handshaken) {
        notify(l -> l.onDisconnected(code, reason));
      }
      if (closed) {
        return;
      }
      if (code >= 4400 && code < 4500) {
        giveUp(new RefusedException("", code, reason));
        return;
      }
      RuntimeException tooBig = tooBig(code, reason, failure);
      if (tooBig != null) {
        giveUp(tooBig);
        return;
      }
      if (wasWelcomed) {
        failures = 0;
      }
      scheduleReconnect();
    });
  }

  /**
   * Whether the connection ended over a message too big for one side, and what to raise: every reconnect would
   * carry the same message again (a document's state and the updates waiting for acknowledgement only grow), so the
   * client gives up rather than download or upload it in a loop. Null if that is not why it ended.
   */
  private RuntimeException tooBig(int code, String reason, Throwable failure) {
    // Ours first: the server may answer the close frame that reported it with the same code.
    if (failure instanceof TooLongFrameException || failure instanceof CorruptedWebSocketFrameException corrupt
        && corrupt.closeStatus() != null && corrupt.closeStatus().code() == MESSAGE_TOO_BIG) {
      return new IllegalStateException("the server sent a message over this client's maxMessageSize of "
          + config.maxMessageSize() + " bytes (a document's state or an update that large): raise it with "
          + "CollabClient.Builder.maxMessageSize", failure);
    }
    if (code == MESSAGE_TOO_BIG) {
      return new RefusedException("", code, reason + " (an update or presence state of this client is larger: the"
          + " server's operator can raise it, candlefish.collab.limits.max-message-size)");
    }
    return null;
  }

  private void giveUp(RuntimeException refused) {
    // The message holds the server's close reason: RefusedException escapes and cuts it.
    log.warn("collab client {}: {}; not reconnecting", id, refused.getMessage());
    gaveUp = refused;
    firstConnect.completeExceptionally(refused);
    for (DocumentState d : documents.values()) {
      d.fail(refused);
    }
    documents.clear();
  }

  // ---------------------------------------------------------------------------------------------- frames

  private void handle(ServerFrame frame) {
    switch (frame.getFrameCase()) {
      case WELCOME -> welcome();
      case OPENED -> withDocument(frame.getOpened().getDocument(), d -> d.opened(frame.getOpened().getReadOnly()));
      case SYNC_STEP1 -> withDocument(frame.getSyncStep1().getDocument(),
          d -> d.serverStep1(frame.getSyncStep1().getStateVector().toByteArray()));
      case SYNC_STEP2 -> withDocument(frame.getSyncStep2().getDocument(),
          d -> d.remoteUpdate(frame.getSyncStep2().getUpdate().toByteArray(), true));
      case UPDATE -> withDocument(frame.getUpdate().getDocument(),
          d -> d.remoteUpdate(frame.getUpdate().getUpdate().toByteArray(), false));
      case ACK -> withDocument(frame.getAck().getDocument(), d -> d.acknowledged(frame.getAck().getAckId()));
      case AWARENESS -> withDocument(frame.getAwareness().getDocument(),
          d -> d.remoteAwareness(frame.getAwareness().getUpdate().toByteArray()));
      case CUSTOM -> withDocument(frame.getCustom().getDocument(),
          d -> notify(l -> l.onCustom(d.name(), frame.getCustom().getPayload())));
      case ERROR -> error(frame.getError());
      case STORE_STATUS -> withDocument(frame.getStoreStatus().getDocument(),
          d -> notify(l -> l.onStoreStatus(d.name(), frame.getStoreStatus().getFailing())));
      case FRAME_NOT_SET -> log.debug("collab client {}: ignoring a server frame of an unknown kind", id);
    }
  }

  private void welcome() {
    if (welcomed) {
      return;
    }
    welcomed = true;
    connected = true;
    firstConnect.complete(null);
    notify(CollabClientListener::onConnected);
    for (DocumentState d : documents.values()) {
      d.open();
    }
    Channel ch = channel;
    ticker = ch.eventLoop().scheduleAtFixedRate(() -> execute(() -> {
      if (channel == ch && welcomed) {
        documents.values().forEach(DocumentState::tick);
      }
    }), AWARENESS_TICK_MILLIS, AWARENESS_TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void withDocument(String name, Consumer<DocumentState> action) {
    DocumentState d = documents.get(name);
    if (d != null) {
      action.accept(d);
    }
  }

  private void error(ai.candlefish.collab.protocol.v1.Error error) {
    String name = error.getDocument();
    int code = error.getCode();
    if (name.isEmpty()) {
      // The token was refused; the server closes the connection next, and its close code decides what follows.
      notify(l -> l.onError(new RefusedException("", code, error.getMessage())));
      return;
    }
    DocumentState d = documents.get(name);
    if (d == null) {
      return;
    }
    if (error.getAckId() != 0) {
      if (isRetryable(code)) {
        // Not applied, for now (the store is behind, a passing failure): the update is sent again, on this
        // connection after a backoff if the server keeps it, else on the next one with everything unacknowledged.
        d.updateRefusedForNow(error.getAckId(), code, error.getMessage());
        afterBackoff(name, d, d::resendRefused);
      } else {
        d.updateRefused(error.getAckId(), code, error.getMessage());
      }
      return;
    }
    notify(l -> l.onDocumentRefused(name, code, error.getMessage()));
    if (code >= 4400 && code < 4500) {
      documents.remove(name, d);
      d.fail(new RefusedException(name, code, error.getMessage()));
    } else {
      d.disconnected();
      afterBackoff(name, d, d::open);
    }
  }

  /**
   * Whether a refusal with {@code code} says "try again later" rather than "never": 1001 going away, 1011 an error of
   * the server, 1012 a restart, 1013 try again later (a store that is behind), 1014 a bad gateway, and 4500-4599
   * (Candlefish's "unavailable"). Every other code refuses for good.
   */
  static boolean isRetryable(int code) {
    return code == 1001 || (code >= 1011 && code <= 1014) || (code >= 4500 && code < 4600);
  }

  /** Runs {@code task} after a backoff if this connection and document {@code d} are still there. */
  private void afterBackoff(String name, DocumentState d, Runnable task) {
    long delay = backoffNanos(0, config.minBackoffNanos(), config.maxBackoffNanos(),
        ThreadLocalRandom.current().nextDouble());
    Channel ch = channel;
    ch.eventLoop().schedule(() -> execute(() -> {
      if (channel == ch && welcomed && documents.get(name) == d) {
        task.run();
      }
    }), delay, TimeUnit.NANOSECONDS);
  }

  // -------------------------------------------------------------------------------------------- for documents

  /**
   * Sends {@code frame} on the current connection if the server has welcomed it; returns whether it did. A server
   * that does not read what it asked for (a sync step 1 repeated, each answered with a document's state) would grow
   * what waits here without bound: past {@code maxQueuedBytes} the connection ends instead, and the next one sends
   * again what is unacknowledged. One frame goes whatever its size when nothing waits, so a large document still
   * syncs.
   */
  boolean send(ClientFrame frame) {
    Channel ch = channel;
    if (ch == null || !welcomed || overflowed) {
      return false;
    }
    long size = frame.getSerializedSize();
    AtomicLong queue = unsent;
    long waiting = queue.get();
    if (waiting > 0 && waiting + size > config.maxQueuedBytes()) {
      overflowed = true;
      IllegalStateException why = new IllegalStateException("the server did not read what this client sent: "
          + waiting + " bytes were waiting for the network and " + size + " more would pass the client's "
          + "maxQueuedBytes of " + config.maxQueuedBytes() + "; the client closed the connection and reconnects, "
          + "sending its unacknowledged changes again (raise it with CollabClient.Builder.maxQueuedBytes)");
      log.warn("collab client {}: {}", id, why.getMessage());
      ClientConnectionHandler.abort(ch, why);
      return false;
    }
    queue.addAndGet(size);
    ch.writeAndFlush(frame).addListener(written -> queue.addAndGet(-size))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE); // as the void promise did: the connection ends
    return true;
  }

  void removeDocument(DocumentState document) {
    documents.remove(document.name(), document);
  }

  /** Calls the listener on the lane, logging what it throws. */
  void notify(Consumer<CollabClientListener> call) {
    try {
      call.accept(config.listener());
    } catch (RuntimeException e) {
      log.warn("collab client {}: the listener threw; ignored", id, e);
    }
  }

  @Override
  public String toString() {
    return "CollabClient[" + id + ", " + withoutSecrets(config.uri()) + (connected ? ", connected" : "") + "]";
  }

  /** {@code uri} for logs: without its query and user info, where a token or a password may ride. */
  static String withoutSecrets(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }
}
