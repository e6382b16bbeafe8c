package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.LogContext;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.Connection;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.server.internal.ServerRuntime;
import ai.candlefish.collab.server.internal.UnauthenticatedBudget;
import ai.candlefish.collab.spi.ConnectionInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The last handler: when the handshake completes, takes the chosen protocol's decoder (and installs its encoder on a
 * bridged connection) and creates the {@link Connection}; then decodes every message into a {@link ClientMessage}
 * and hands it to the connection, turns failures into close codes (a malformed message closes this connection
 * only), and pings an idle client ({@code IdleStateEvent}s), closing a silent one.
 *
 * <p>A connection that opens its documents by message (Hocuspocus) is moved, before its first message is handled, to
 * the event loop of the document that message names ({@link ServerRuntime#homeLoop}), as {@link UpgradeRouter} moves
 * a y-websocket connection at its upgrade: a Hocuspocus client has one document open in nearly every application,
 * and on its document's loop its updates, their broadcast and their acknowledgements need no hand-off between loops
 * (a client with several documents stays with its first's). Reading stops meanwhile; the messages of the same read
 * wait here and are handled in order on the new loop.
 *
 * <p>One instance per channel.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
  static final String NAME = "session";
  /** The names Netty's handshake gives its frame decoder and encoder. */
  private static final String NETTY_FRAME_DECODER = "wsdecoder";
  private static final String NETTY_FRAME_ENCODER = "wsencoder";
  /** Headers left out of {@link ConnectionInfo} (lower case); Sec-WebSocket-Protocol stays (it may carry a token). */
  private static final Set<String> HANDSHAKE_HEADERS = Set.of("connection", "upgrade", "sec-websocket-key",
      "sec-websocket-version", "sec-websocket-extensions");
  /** Where Netty's server protocol handler keeps the channel's handshaker. */
  private static final AttributeKey<WebSocketServerHandshaker> HANDSHAKER =
      AttributeKey.valueOf(WebSocketServerHandshaker.class, "HANDSHAKER");

  private final ServerRuntime runtime;
  /** The protocol's decoder, called here for each message: a handler of its own would cost a pipeline context. */
  private MessageDecoder decoder;
  private Connection connection;
  /** Whether the connection's first message may still move it to its document's loop (see the class comment). */
  private boolean mayMove;
  /** What was read while the channel moves (the first message decoded, then frames), in order; null otherwise. */
  private ArrayDeque<Object> readWhileMoving;

  SessionHandler(ServerRuntime runtime) {
    this.runtime = runtime;
  }

  /** The connection, or null before the handshake completed. */
  public Connection connection() {
    return connection;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      keepAlive(ctx, idle);
      return;
    }
    if (!(evt instanceof HandshakeComplete handshake)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    UpgradeRouter.Route route = takeRoute(ctx);
    takeFraming(ctx.pipeline());
    if (!Connection.writesFrames(ctx.pipeline())) {
      route.protocol().installEncoder(ctx.pipeline(), ctx.name());
    }
    decoder = route.protocol().decoder(route.relativePath());
    UnauthenticatedBudget budget = new UnauthenticatedBudget(runtime.config().maxUnauthenticatedBytes(),
        () -> connection.close(CloseCodes.POLICY_VIOLATION, "too much data before authentication"));
    if (ctx.pipeline().get(WebSocketFrameCodec.NAME) != null) {
      ctx.pipeline().addBefore(WebSocketFrameCodec.NAME, UnauthenticatedBudget.NAME, budget);
    } else if (ctx.pipeline().get(BridgeInitializer.BRIDGE) != null) {
      ctx.pipeline().addAfter(BridgeInitializer.BRIDGE, UnauthenticatedBudget.NAME, budget);
    }
    SocketAddress remote = route.client() != null ? route.client()
        : ctx.channel().hasAttr(BridgeInitializer.REMOTE) ? ctx.channel().attr(BridgeInitializer.REMOTE).get()
        : ctx.channel().remoteAddress();
    ConnectionInfo info = new ConnectionInfo(runtime.nextConnectionId(), remote,
        route.protocol().name(), route.path(), route.parameters(), headers(handshake.requestHeaders()));
    connection = new Connection(ctx.channel(), runtime, info, route.protocol());
    runtime.metrics().connectionOpened(info.protocol());
    List<ClientMessage> implicit = route.protocol().onConnect(route.relativePath());
    mayMove = implicit.isEmpty() && Connection.writesFrames(ctx.pipeline());
    connection.start(route.token(), implicit);
  }

  /**
   * The channel's route, removed from its attributes: set to null, the attribute would stay in the channel's
   * attribute map for the connection's life (10,000s of them). Removal is deprecated for attributes that other
   * threads may ask for at the same time; this one is only touched on the channel's event loop.
   */
  @SuppressWarnings("deprecation")
  private static UpgradeRouter.Route takeRoute(ChannelHandlerContext ctx) {
    return ctx.channel().attr(UpgradeRouter.ROUTE).getAndRemove();
  }

  /**
   * Puts one {@link WebSocketFrameCodec} in place of the handlers that Netty's handshake leaves (frame decoder and
   * encoder, the protocol handler and the handshaker it keeps in the channel's attributes), if they are there (not
   * on a bridged channel). The codec goes right after Netty's decoder, so that bytes that decoder held go to it.
   */
  @SuppressWarnings("deprecation") // see takeRoute
  private void takeFraming(ChannelPipeline pipeline) {
    if (pipeline.get(NETTY_FRAME_DECODER) == null) {
      return;
    }
    WebSocketFrameCodec codec = new WebSocketFrameCodec(runtime.config().maxMessageSize());
    pipeline.addAfter(NETTY_FRAME_DECODER, WebSocketFrameCodec.NAME, codec);
    pipeline.remove(NETTY_FRAME_DECODER);
    pipeline.remove(NETTY_FRAME_ENCODER);
    pipeline.remove(CollabServerInitializer.HANDSHAKE);
    pipeline.channel().attr(HANDSHAKER).getAndRemove();
    // Right behind the guard (no TLS between them), the codec sees the reads the guard sees, and takes over.
    List<String> names = pipeline.names();
    if (pipeline.get(ConnectionGuard.NAME) instanceof ConnectionGuard guard && guard.isWatching()
        && names.indexOf(WebSocketFrameCodec.NAME) == names.indexOf(ConnectionGuard.NAME) + 1) {
      pipeline.remove(ConnectionGuard.NAME);
      codec.takeOver(guard, pipeline.context(codec));
    }
  }

  /**
   * Keeps connections honest: after half the idle timeout without a byte from the client, sends a ping (every
   * WebSocket client answers with a pong); after the other half still without one, closes with 1001. A connection
   * still in its HTTP phase is simply closed.
   */
  private void keepAlive(ChannelHandlerContext ctx, IdleStateEvent idle) {
    if (connection == null) {
      log.debug("connection from {} closed: silent before its upgrade", ctx.channel().remoteAddress());
      ctx.close();
    } else if (idle.isFirst()) {
      ctx.writeAndFlush(new PingWebSocketFrame());
    } else {
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "idle timeout"));
      ctx.close();
    }
  }

  /**
   * The request's headers for {@link ConnectionInfo}, without those of the handshake itself: they describe the
   * upgrade, not the client, and a server keeps one ConnectionInfo for each of its 10,000s of connections
   * (a browser's Sec-WebSocket-Key and Sec-WebSocket-Extensions alone are ~70 bytes).
   */
  static Map<String, List<String>> headers(HttpHeaders headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : headers.names()) {
      if (!HANDSHAKE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        out.put(name, headers.getAll(name));
      }
    }
    return out;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (readWhileMoving != null) {
      readWhileMoving.add(msg);
      return;
    }
    if (!(msg instanceof WebSocketFrame frame) || connection == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ClientMessage message;
    try {
      message = decoder.decode(frame);
    } catch (ProtocolException e) {
      close(ctx, e.closeCode(), e.getMessage());
      return;
    } finally {
      frame.release();
    }
    if (message == null) {
      return;
    }
    if (mayMove) {
      mayMove = false;
      EventLoop home = message.document().isEmpty() ? null : runtime.homeLoop(message.document());
      EventLoop current = ctx.channel().eventLoop();
      if (home != null && home != current && home.parent() == current.parent() && connection.canMove()) {
        move(ctx, message, home);
        return;
      }
    }
    receive(message);
  }

  private void receive(ClientMessage message) {
    try (MDC.MDCCloseable c = MDC.putCloseable(LogContext.CONNECTION, Long.toString(connection.info().id()))) {
      connection.receive(message);
    }
  }

  /**
   * Moves the channel to event loop {@code home}, then handles {@code first} and what was read after it there.
   * The {@link WebSocketFrameCodec} moves the {@link ConnectionGuard}'s sweep along; the connection its deadline.
   */
  private void move(ChannelHandlerContext ctx, ClientMessage first, EventLoop home) {
    Channel channel = ctx.channel();
    readWhileMoving = new ArrayDeque<>(4);
    readWhileMoving.add(first);
    channel.config().setAutoRead(false);
    channel.deregister().addListener(deregistered -> {
      if (!deregistered.isSuccess() || !channel.isOpen()) {
        dropReadWhileMoving();
        channel.close();
        return;
      }
      home.register(channel).addListener(registered -> {
        if (!registered.isSuccess()) {
          dropReadWhileMoving();
          channel.unsafe().closeForcibly();
          return;
        }
        connection.moved();
        ArrayDeque<Object> read = readWhileMoving;
        readWhileMoving = null;
        // Before the messages: handling them may pause reading again (the throttle), which must stand.
        channel.config().setAutoRead(true);
        for (Object m : read) {
          if (m instanceof ClientMessage message) {
            receive(message);
          } else {
            channelRead(ctx, m);
          }
        }
      });
    });
  }

  private void dropReadWhileMoving() {
    if (readWhileMoving != null) {
      readWhileMoving.forEach(ReferenceCountUtil::release);
      readWhileMoving = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropReadWhileMoving();
    if (connection != null) {
      connection.closed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof ProtocolException p) {
      close(ctx, p.closeCode(), p.getMessage());
    } else if (c instanceof TooLongFrameException) {
      runtime.messageTooBig();
      close(ctx, CloseCodes.MESSAGE_TOO_BIG, CollabBridge.tooBigReason(runtime.config().maxMessageSize()));
    } else if (c instanceof ClosedChannelException) {
      // A write after our close frame, or after the socket closed (writes have no promise, see OutboundBudget):
      // the connection is on its way out already; closing now would cut the client's answer to the close frame.
      log.debug("write after close dropped");
    } else if (c instanceof CorruptedWebSocketFrameException || c instanceof IOException) {
      if (c instanceof CorruptedWebSocketFrameException corrupt
          && corrupt.closeStatus().code() == CloseCodes.MESSAGE_TOO_BIG) {
        runtime.messageTooBig();
      }
      // Netty has sent the close frame for a framing error; an I/O error means the peer is gone.
      log.debug("connection closed: {}", c.toString());
      ctx.close();
    } else {
      log.warn("connection {} failed", connection == null ? "(not upgraded)" : connection.info().id(), c);
      close(ctx, CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  private void close(ChannelHandlerContext ctx, int code, String reason) {
    if (connection != null) {
      connection.close(code, reason);
    } else {
      ctx.close();
    }
  }
}
