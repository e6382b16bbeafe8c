package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.codec.collab.CollabV1Protocol;
import ai.candlefish.collab.server.codec.hocuspocus.HocuspocusProtocol;
import ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol;
import ai.candlefish.collab.server.internal.ServerConfig;
import ai.candlefish.collab.server.internal.ServerMetrics;
import ai.candlefish.collab.server.internal.ServerRuntime;
import ai.candlefish.collab.server.internal.WireProtocol;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.util.List;

/**
 * Builds the pipeline of every accepted connection. Inbound, top to bottom:
 *
 * <pre>
 *   guard                 connection limits (total, per address), closes an upgrade that takes too long, fires
 *                         READER_IDLE after half the idle timeout without a byte read (one timer per event loop);
 *                         without TLS, handed to websocket-frames after the upgrade (one handler context less)
 *   tls                   TLS, when configured
 *   http                  HTTP/1.1 codec, for the upgrade request only (replaced by the WebSocket frame codec)
 *   http-aggregator       the upgrade request as one FullHttpRequest (a GET has no body)
 *   upgrade-router        path prefix, origin and protocol; 404/403/426/405 otherwise (removes itself)
 *   unauthenticated-budget  after the upgrade, closes a client that sends more than the unauthenticated budget
 *                         before it is authenticated (then removed)
 *   websocket             Netty's handshake; when it completes, the session handler puts in its place (and that
 *                         of the frame decoder and encoder it added) one websocket-frames (WebSocketFrameCodec):
 *                         frames, ping/pong, close handshake, frame and message size limits, fragments joined
 *   message-metrics       counts messages and bytes per protocol (only with metrics)
 *   session               the chosen WireProtocol's decoder (messages to ClientMessages; no encoder: the
 *                         connection writes whole frames, see BinaryFrames), then authentication, documents, limits
 *                         (protocol-independent); pings an idle client, closes a silent one
 * </pre>
 */
public final class CollabServerInitializer extends ChannelInitializer<SocketChannel> {
  /**
   * Longest request line: room and token ride in it. A y-websocket room of {@code DocumentKey.MAX_NAME_LENGTH}
   * characters of three UTF-8 bytes each (CJK) is 9,216 characters percent-encoded, before the token; 8,192 refused
   * valid names with 414. Node's HTTP server, y-websocket's own, allows 16 KiB.
   */
  static final int MAX_INITIAL_LINE = 16384;
  static final int MAX_HEADER_SIZE = 16384;
  /** Netty's WebSocket handshake, replaced by a {@link WebSocketFrameCodec} when it completes. */
  static final String HANDSHAKE = "websocket";

  private final ServerRuntime runtime;
  private final SslContext ssl;
  /**
   * In order of precedence: collab/1 asks by subprotocol on any path, so it is asked first; then y-websocket (a
   * document name in the path), then Hocuspocus (the prefix alone).
   */
  static final List<WireProtocol> PROTOCOLS = List.of(CollabV1Protocol.INSTANCE, YWebsocketProtocol.INSTANCE,
      HocuspocusProtocol.INSTANCE);
  private final List<WireProtocol> protocols = PROTOCOLS;
  private final WebSocketServerProtocolConfig webSocketConfig;
  private final ConnectionSweep.Sweeps sweeps;

  /**
   * @param ssl the TLS context, or null to serve plain WebSockets
   */
  public CollabServerInitializer(ServerRuntime runtime, SslContext ssl) {
    this.runtime = runtime;
    this.ssl = ssl;
    this.sweeps = new ConnectionSweep.Sweeps(runtime);
    ServerConfig config = runtime.config();
    this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath("/")
        .checkStartsWith(true) // the upgrade router has chosen the path already
        // Answered only to clients that ask for it; a client that asks for no subprotocol (y-websocket) gets none.
        .subprotocols(CollabV1Protocol.SUBPROTOCOL)
        .handshakeTimeoutMillis(config.authenticationTimeout().toMillis())
        .forceCloseTimeoutMillis(CollabBridge.CLOSE_TIMEOUT_MILLIS)
        .sendCloseFrame(WebSocketCloseStatus.NORMAL_CLOSURE)
        .dropPongFrames(true)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(config.maxMessageSize())
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            // No UTF-8 validator (a handler and its context per connection): every protocol refuses text messages
            // (1003) anyway, whatever their bytes.
            .withUTF8Validator(false)
            .build())
        .build();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ServerConfig config = runtime.config();
    ChannelPipeline p = ch.pipeline();
    p.addLast(ConnectionGuard.NAME, new ConnectionGuard(sweeps));
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc()));
    }
    // No flush consolidation here: a connection flushes once per turn of its event loop (see OutboundBudget).
    p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192));
    p.addLast("http-aggregator", new HttpObjectAggregator(1024));
    p.addLast("upgrade-router", new UpgradeRouter(config.pathPrefix(), config.allowedOrigins(),
        config.pagePort(), protocols, runtime.metrics(), runtime::homeLoop));
    p.addLast(HANDSHAKE, new WebSocketServerProtocolHandler(webSocketConfig));
    if (runtime.metrics() != ServerMetrics.NONE) {
      p.addLast("message-metrics", new MessageMetricsHandler(runtime.metrics()));
    }
    p.addLast(SessionHandler.NAME, new SessionHandler(runtime));
    runtime.channels().add(ch);
  }
}
