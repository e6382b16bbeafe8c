package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.CollabServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The collaboration socket on the application's own port under WebFlux (Reactor Netty): hands each socket to
 * {@link CollabServer#bridge()}, which serves it exactly as the embedded port would. The upgrade request is checked
 * before the upgrade (403 for an origin not allowed, 404 for a path of no protocol, as on the embedded port).
 *
 * <p>Nothing waits in memory without bound: a socket is read one message at a time, and not at all while the bridge
 * says the server does not take its messages ({@code pauseReading}: Reactor Netty stops reading and TCP pushes back on
 * the client); the bridge's sender thread writes a message to the socket's channel and waits until it is written, as
 * a servlet container's blocking send does, so that what waits for a slow client is held to the server's outbound
 * buffer limit in the bridge's queue, as on the embedded port and the other transports. (Through WebFlux's
 * {@code send}, Reactor Netty asked the sender for messages ahead and held them: 5.8 MB against a 64 KiB limit.)
 *
 * <p>Thread-safe.
 */
public final class CollabReactiveHandler implements WebHandler {
  private static final Logger log = LoggerFactory.getLogger(CollabReactiveHandler.class);

  private final CollabServer server;
  private final WebSocketService upgrades;
  private final ReactiveFrames frames;

  /** @param maxMessageSize the largest message a client may send (Reactor Netty joins fragments up to it) */
  public CollabReactiveHandler(CollabServer server, int maxMessageSize) {
    this.server = server;
    this.frames = new ReactiveFrames(maxMessageSize);
    // Pings reach the handler (handlePing), which answers them one pong at a time: Reactor Netty's own answer writes
    // a pong per ping and reads on, so a client that pings and never reads piled up pongs without bound.
    this.upgrades = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
        () -> WebsocketServerSpec.builder().maxFramePayloadLength(maxMessageSize).handlePing(true)));
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange) {
    ServerHttpRequest request = exchange.getRequest();
    String query = request.getURI().getRawQuery();
    String uri = request.getURI().getRawPath() + (query == null ? "" : "?" + query);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.getHeaders().forEach(headers::put);
    InetSocketAddress remote = request.getRemoteAddress();
    CollabBridge.Handshake handshake = new CollabBridge.Handshake(uri, headers, remote);
    CollabBridge.Refusal refusal = server.bridge().check(handshake);
    if (refusal != null) {
      ServerHttpResponse response = exchange.getResponse();
      response.setStatusCode(HttpStatus.valueOf(refusal.status()));
      response.getHeaders().setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
      return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory()
          .wrap((refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8))));
    }
    // Reactor Netty's request is its connection: the socket's channel after the upgrade.
    Channel channel = ((Connection) ServerHttpRequestDecorator.getNativeRequest(request)).channel();
    frames.beforeUpgrade(channel); // (harmless for a request that is not upgraded)
    return upgrades.handleRequest(exchange, new Upgraded(handshake, channel));
  }

  /** What runs once the socket is upgraded. */
  private final class Upgraded implements WebSocketHandler {
    private final CollabBridge.Handshake handshake;
    private final Channel channel;

    Upgraded(CollabBridge.Handshake handshake, Channel channel) {
      this.handshake = handshake;
      this.channel = channel;
    }

    @Override
    public List<String> getSubProtocols() {
      return List.of(CollabBridge.SUBPROTOCOL);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
      frames.afterUpgrade(channel);
      ReactiveSocket socket = new ReactiveSocket(session, channel);
      // open() connects an in-VM channel and waits for it: not on Reactor Netty's event loop. Reactor Netty cancels
      // this when the connection drops, even before open() has returned: the bridged socket ends either way.
      return Mono.fromCallable(() -> socket.opened(server.bridge().open(handshake, socket)))
          .subscribeOn(Schedulers.boundedElastic())
          .flatMap(socket::run)
          .doFinally(signal -> socket.end());
    }
  }

  /**
   * One upgraded socket: the {@link CollabBridge.Sender} the bridge writes to, and the reader that hands what the
   * client sends to the bridge, one message per request. What the bridge sends goes straight to the socket's Netty
   * channel, as pongs do.
   */
  private static final class ReactiveSocket extends BaseSubscriber<WebSocketMessage>
      implements CollabBridge.Sender {
    private final WebSocketSession session;
    private final Sinks.Empty<Void> inboundDone = Sinks.empty();
    private final AtomicBoolean paused = new AtomicBoolean();
    /** A message was handled and the next one not requested yet (while paused). */
    private final AtomicBoolean owed = new AtomicBoolean();
    private volatile CollabBridge.Socket bridged;
    private volatile boolean over;
    /** The socket's Netty channel: what is sent goes to it directly. */
    private final Channel channel;
    // On the channel's event loop: a pong is written and not yet flushed, and the latest ping not answered meanwhile.
    private boolean pongUnsent;
    private byte @Nullable [] pingUnanswered;

    ReactiveSocket(WebSocketSession session, Channel channel) {
      this.session = session;
      this.channel = channel;
    }

    /** The bridge opened {@code socket} for this one; if this one has ended meanwhile, it ends too. */
    CollabBridge.Socket opened(CollabBridge.Socket socket) {
      bridged = socket;
      if (over) {
        socket.closed();
      }
      return socket;
    }

    /** The host's socket is gone (closed, dropped or cancelled): the bridged one ends. */
    void end() {
      over = true;
      CollabBridge.Socket socket = bridged;
      if (socket != null) {
        socket.closed();
      }
    }

    Mono<Void> run(CollabBridge.Socket socket) {
      session.receive().subscribe(this);
      // The socket ends when the client's side ends (a close, or the connection dropped).
      return Mono.firstWithSignal(inboundDone.asMono(), session.closeStatus().then());
    }

    // ---------------------------------------------------------------------------------------- from the client

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(1);
    }

    @Override
    protected void hookOnNext(WebSocketMessage message) {
      switch (message.getType()) {
        case BINARY -> {
          DataBuffer payload = message.getPayload();
          byte[] bytes = new byte[payload.readableByteCount()];
          payload.read(bytes);
          bridged.receive(ByteBuffer.wrap(bytes), true);
        }
        case PONG -> bridged.receivePong();
        case PING -> {
          DataBuffer payload = message.getPayload();
          byte[] bytes = new byte[payload.readableByteCount()];
          payload.read(bytes);
          if (channel.eventLoop().inEventLoop()) {
            answerPing(bytes);
          } else {
            channel.eventLoop().execute(() -> answerPing(bytes));
          }
        }
        case TEXT -> bridged.receiveText(); // the bridge closes it (1003), behind what it sends
      }
      owed.set(true);
      if (!paused.get()) {
        requestOwed();
      }
    }

    private void requestOwed() {
      if (owed.getAndSet(false)) {
        request(1);
      }
    }

    /**
     * Answers a ping as the embedded port does: with a pong of its payload, unless a pong is still unsent (then the
     * latest such ping is answered once it is), so that a client that never reads holds one pong, not one per ping.
     */
    private void answerPing(byte[] payload) {
      if (pongUnsent) {
        pingUnanswered = payload;
        return;
      }
      pongUnsent = true;
      bridged.receivePong(); // a sign of life, as on the embedded port (one per pong: not a message per ping)
      channel.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload))).addListener(sent -> {
        pongUnsent = false;
        byte[] latest = pingUnanswered;
        pingUnanswered = null;
        if (latest != null && sent.isSuccess()) {
          answerPing(latest);
        }
      });
    }

    /**
     * The socket failed (the client dropped it; its bad frames end it in {@link ReactiveFrames}): the socket ends
     * (see {@link #hookFinally}). Not left to Reactor's default, which logged a stack trace at ERROR for every client
     * that dropped its connection.
     */
    @Override
    protected void hookOnError(Throwable error) {
      log.debug("reactive collab socket failed: {}", error.toString());
    }

    @Override
    protected void hookFinally(SignalType type) {
      inboundDone.tryEmitEmpty();
    }

    @Override
    public boolean pauseReading() {
      paused.set(true);
      return true;
    }

    @Override
    public void resumeReading() {
      paused.set(false);
      requestOwed();
    }

    // ----------------------------------------------------------------------------------------- to the client

    @Override
    public void sendBinary(ByteBuffer message) throws IOException {
      write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)));
    }

    @Override
    public void sendPing() throws IOException {
      write(new PingWebSocketFrame());
    }

    /**
     * Writes {@code frame} and waits until it is written (the bridge's sender thread may block), so that what the
     * client has not taken waits in the bridge, within the outbound limit. A close ends a write that waits for ever.
     */
    private void write(WebSocketFrame frame) throws IOException {
      ChannelFuture written = channel.writeAndFlush(frame);
      try {
        written.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while sending");
      }
      if (!written.isSuccess()) {
        throw new IOException("the socket is closed", written.cause());
      }
    }

    /**
     * Closes with {@code code}; drops the connection if the close frame is not written within
     * {@link CollabBridge#CLOSE_TIMEOUT_MILLIS} (a client that reads nothing: Reactor Netty would wait for ever),
     * which also ends a send that waits.
     */
    @Override
    public void close(int code, String reason) {
      closeQuietly(new CloseStatus(code, reason));
      channel.eventLoop().schedule(() -> {
        if (channel.isOpen()) {
          channel.close();
        }
      }, CollabBridge.CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * What the socket's channel has left to write (a large document's state going to a slow client), for the
     * server's idle check: the message being sent waits in the channel until the client has taken all but what the
     * kernel holds. Read from the bridge's thread, racily: a stale figure at worst delays the check's view by one
     * look.
     */
    @Override
    public long unwritten() {
      ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
      return buffer == null ? 0 : Math.max(0, buffer.totalPendingWriteBytes() - buffer.currentProgress());
    }

    /** Closes the session; one that is gone already (the client left first) needs no close. */
    private void closeQuietly(CloseStatus status) {
      session.close(status).onErrorResume(e -> Mono.empty()).subscribe();
    }
  }
}
