package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ServerMetrics;
import ai.candlefish.collab.server.internal.ServerRuntime;
import ai.candlefish.collab.server.internal.WireProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Looks at the upgrade request before the WebSocket handshake: is it a GET with {@code Upgrade: websocket}, under
 * the path prefix, for a protocol the server speaks? If so, it remembers the {@link Route} on the channel, removes
 * itself and passes the request on to the handshake; otherwise it answers with an HTTP error and closes.
 *
 * <p>A connection that opens one document by connecting (y-websocket) is first moved to that document's event loop
 * ({@link ServerRuntime#homeLoop}): deregistered from the loop that accepted it and registered with the document's,
 * before anything of the session exists (no timer, grant or handshake; the {@link ConnectionGuard} changes sweeps
 * with it), so that all of a document's y-websocket connections share one loop: its update reaches them in one task,
 * and with documents on the event loops their messages are received, applied and relayed on one thread. Reading
 * stops meanwhile; a client that sent more than its upgrade request before the server answered it (RFC 6455 4.1
 * forbids it) is closed. Connections that open documents by message (Hocuspocus, collab/1) stay where they were
 * accepted.
 *
 * <p>One instance per channel (it removes itself).
 */
final class UpgradeRouter extends ChannelInboundHandlerAdapter {
  /** The route of an upgraded channel. */
  static final AttributeKey<Route> ROUTE = AttributeKey.valueOf(UpgradeRouter.class, "route");
  /** The query parameter that carries the token (y-websocket: {@code params: { token }}). */
  static final String TOKEN_PARAMETER = "token";
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";

  /**
   * What the upgrade request asked for.
   *
   * @param relativePath the decoded path after the prefix and its slash
   * @param token the {@code token} query parameter, or null
   * @param path the whole decoded path
   * @param parameters the other query parameters
   * @param client the client a trusted proxy named ({@code X-Forwarded-For}), or null: the channel's peer
   */
  record Route(WireProtocol protocol, String relativePath, String token, String path,
      Map<String, List<String>> parameters, @Nullable InetSocketAddress client) {
    Route withClient(InetSocketAddress client) {
      return new Route(protocol, relativePath, token, path, parameters, client);
    }

    @Override
    public String toString() {
      // The token stays out of logs.
      return "Route[" + protocol.name() + ", " + path + "]";
    }
  }

  private final String prefix;
  private final Set<String> allowedOrigins;
  private final IntSupplier pagePort;
  private final List<WireProtocol> protocols;
  private final ServerMetrics metrics;
  /** The event loop of a document's connections by the document's name; null: connections stay where accepted. */
  private final Function<String, EventLoop> homeLoops;
  /** Whether the channel is being moved to its document's event loop. */
  private boolean moving;

  /**
   * @param allowedOrigins the origins a browser's request may come from (lower case, no trailing slash); empty:
   *     any (unless {@code pagePort} is set)
   * @param pagePort the port of the host's own pages, allowed on the host the client connected to; or null
   * @param homeLoops the event loop of a document's connections by the document's name (null, or a null or foreign
   *     loop: the connection stays on the loop that accepted it)
   */
  UpgradeRouter(String prefix, Set<String> allowedOrigins, IntSupplier pagePort, List<WireProtocol> protocols,
      ServerMetrics metrics, Function<String, EventLoop> homeLoops) {
    this.prefix = prefix;
    this.allowedOrigins = allowedOrigins;
    this.pagePort = pagePort;
    this.protocols = protocols;
    this.metrics = metrics;
    this.homeLoops = homeLoops;
  }

  /** A router that leaves every connection on the loop that accepted it (the bridge's in-VM channels). */
  UpgradeRouter(String prefix, Set<String> allowedOrigins, IntSupplier pagePort, List<WireProtocol> protocols,
      ServerMetrics metrics) {
    this(prefix, allowedOrigins, pagePort, protocols, metrics, null);
  }

  UpgradeRouter(String prefix, List<WireProtocol> protocols) {
    this(prefix, Set.of(), null, protocols, ServerMetrics.NONE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (moving) {
      // Bytes after the upgrade request, before the server's answer: parsed as HTTP, they mean nothing.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    Route route;
    try {
      route = route(ctx, request);
    } catch (RuntimeException e) {
      request.release();
      throw e;
    }
    if (route != null && ctx.pipeline().get(ConnectionGuard.NAME) instanceof ConnectionGuard guard
        && guard.awaitsForwardedClient()) {
      route = withForwardedClient(ctx, request, route, guard);
    }
    if (route == null) {
      request.release();
      return;
    }
    EventLoop home = homeLoop(route);
    if (home != null && home != ctx.channel().eventLoop() && home.parent() == ctx.channel().eventLoop().parent()) {
      move(ctx, request, route, home);
      return;
    }
    upgrade(ctx, request, route);
  }

  /**
   * The route of a trusted proxy's request, with the client its {@code X-Forwarded-For} names, counted against that
   * client's connection limit; or null if it is over it (answered with 503).
   */
  private Route withForwardedClient(ChannelHandlerContext ctx, FullHttpRequest request, Route route,
      ConnectionGuard guard) {
    InetAddress client = guard.countForwardedClient(request.headers().getAll(X_FORWARDED_FOR));
    if (client == null) {
      metrics.connectionRefused("address");
      return refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many connections from one address");
    }
    return client.equals(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress()) ? route
        : route.withClient(new InetSocketAddress(client, 0));
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Route route) {
    ctx.channel().attr(ROUTE).set(route);
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(request);
  }

  /** The event loop of the one document that connecting by {@code route} opens, or null. */
  private EventLoop homeLoop(Route route) {
    if (homeLoops == null) {
      return null;
    }
    List<ClientMessage> implicit = route.protocol().onConnect(route.relativePath());
    return implicit.size() == 1 && implicit.get(0) instanceof ClientMessage.Open open
        ? homeLoops.apply(open.document()) : null;
  }

  /**
   * Moves the channel to event loop {@code home}, then goes on with the upgrade there. Reading stops until then;
   * the {@link ConnectionGuard} moves to the new loop's sweep as the channel is unregistered and registered again.
   */
  private void move(ChannelHandlerContext ctx, FullHttpRequest request, Route route, EventLoop home) {
    moving = true;
    Channel channel = ctx.channel();
    channel.config().setAutoRead(false);
    channel.deregister().addListener(deregistered -> {
      if (!deregistered.isSuccess() || !channel.isOpen()) {
        request.release();
        channel.close();
        return;
      }
      home.register(channel).addListener(registered -> {
        if (!registered.isSuccess()) {
          request.release();
          channel.unsafe().closeForcibly();
          return;
        }
        moving = false;
        if (!channel.isActive() || ctx.isRemoved()) {
          request.release();
          channel.close();
          return;
        }
        channel.config().setAutoRead(true);
        upgrade(ctx, request, route);
      });
    });
  }

  private Route route(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return refuseUndecodable(ctx, request.decoderResult().cause());
    }
    if (!HttpMethod.GET.equals(request.method())) {
      return refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "only WebSocket upgrades (GET) are served here");
    }
    if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return refuse(ctx, HttpResponseStatus.UPGRADE_REQUIRED, "this is a WebSocket endpoint");
    }
    Object decision = decide(request.uri(), request.headers());
    if (decision instanceof Refusal refusal) {
      return refuse(ctx, refusal.status(), refusal.text());
    }
    return (Route) decision;
  }

  /** Why an upgrade request is refused: the HTTP status and a short text for the response body. */
  record Refusal(HttpResponseStatus status, String text) {}

  /**
   * The {@link Route} or the {@link Refusal} for a WebSocket upgrade request to {@code uri} (path and query) with
   * {@code headers}: its origin, path and protocol. The embedded server and the bridge decide alike.
   */
  Object decide(String uri, HttpHeaders headers) {
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    if (origin != null && !originAllowed(normalizedOrigin(origin), headers.get(HttpHeaderNames.HOST))) {
      // A page of another site, with the user's cookies or URL token: cross-site WebSocket hijacking.
      metrics.connectionRefused("origin");
      return new Refusal(HttpResponseStatus.FORBIDDEN, "origin not allowed");
    }
    String path;
    Map<String, List<String>> decodedParameters;
    try {
      path = decodedPath(uri);
      decodedParameters = new QueryStringDecoder(withStrayPercentsEscaped(uri)).parameters();
    } catch (IllegalArgumentException e) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed request path: " + e.getMessage());
    }
    String relative = relativePath(path);
    if (relative == null) {
      return new Refusal(HttpResponseStatus.NOT_FOUND, "not found");
    }
    for (WireProtocol protocol : protocols) {
      if (protocol.accepts(relative, headers)) {
        Map<String, List<String>> parameters = new LinkedHashMap<>(decodedParameters);
        List<String> tokens = parameters.remove(TOKEN_PARAMETER);
        String token = tokens == null || tokens.isEmpty() ? null : tokens.get(0);
        return new Route(protocol, relative, token, path, parameters, null);
      }
    }
    return new Refusal(HttpResponseStatus.NOT_FOUND, "not found");
  }

  /**
   * The path of {@code uri} (before its query), percent-decoded once, as UTF-8: the one spelling rule of a document
   * name on every transport (the embedded port and each web server of {@link CollabBridge}, which all pass the raw
   * request target here). A {@code %} that does not start an escape ({@code %} and two hex digits) is a literal
   * {@code %}, as the URL standard decodes it: y-websocket's provider puts the room into the URL unencoded, and
   * y-websocket's server takes the path literally, so room {@code "50% off"} must reach its document.
   *
   * <p>Refused, so that no two spellings that other parts of a deployment tell apart reach one document and no
   * spelling reaches a document the others would not: an encoded slash ({@code %2F}: Tomcat and Jetty refuse it
   * before the request reaches us, a proxy or firewall that matches path segments sees one segment where we would see
   * two, and {@code /collab%2Fdoc} was document {@code doc}); escapes that are not UTF-8 (each was decoded to U+FFFD,
   * so {@code %FF} and {@code %C3%28} and many more were all one document); and characters outside printable ASCII
   * (a request target has none, and Netty read raw UTF-8 bytes as ISO-8859-1: {@code ü} sent raw was document
   * {@code Ã¼}).
   *
   * @throws IllegalArgumentException what is wrong, for the 400 response
   */
  static String decodedPath(String uri) {
    int end = uri.length();
    for (int i = 0; i < uri.length(); i++) {
      if (uri.charAt(i) == '?' || uri.charAt(i) == '#') {
        end = i;
        break;
      }
    }
    byte[] bytes = new byte[end];
    int n = 0;
    boolean escaped = false;
    for (int i = 0; i < end; i++) {
      char c = uri.charAt(i);
      if (c <= ' ' || c >= 0x7F) {
        throw new IllegalArgumentException("characters other than printable ASCII must be percent-encoded (UTF-8)");
      }
      if (c == '%' && i + 2 < end && isHexDigit(uri.charAt(i + 1)) && isHexDigit(uri.charAt(i + 2))) {
        int b = Character.digit(uri.charAt(i + 1), 16) << 4 | Character.digit(uri.charAt(i + 2), 16);
        if (b == '/') {
          throw new IllegalArgumentException("an encoded slash (%2F); write a slash in a document name as it is");
        }
        bytes[n++] = (byte) b;
        escaped = true;
        i += 2;
      } else {
        bytes[n++] = (byte) c;
      }
    }
    if (!escaped) {
      return uri.substring(0, end);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("percent-escapes that are not UTF-8");
    }
  }

  /**
   * {@code uri} with every {@code %} that does not start an escape ({@code %} and two hex digits) written as
   * {@code %25}, so that it decodes to itself. y-websocket's provider puts the room name into the URL as it is, and
   * y-websocket's server takes the path literally: a room such as {@code "50% off"} must reach its document, not a
   * 400. The URL standard's percent-decoding treats a stray {@code %} the same way.
   */
  static String withStrayPercentsEscaped(String uri) {
    int first = uri.indexOf('%');
    if (first < 0) {
      return uri;
    }
    StringBuilder out = null;
    int copied = 0;
    for (int i = first; i < uri.length(); i++) {
      if (uri.charAt(i) == '%' && !(i + 2 < uri.length() && isHexDigit(uri.charAt(i + 1))
          && isHexDigit(uri.charAt(i + 2)))) {
        if (out == null) {
          out = new StringBuilder(uri.length() + 8);
        }
        out.append(uri, copied, i + 1).append("25");
        copied = i + 1;
      }
    }
    return out == null ? uri : out.append(uri, copied, uri.length()).toString();
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private boolean originAllowed(String origin, String hostHeader) {
    if (allowedOrigins.isEmpty() && pagePort == null) {
      return true;
    }
    if (allowedOrigins.contains(origin)) {
      return true;
    }
    if (pagePort == null || hostHeader == null) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    String host;
    try {
      host = new URI("ws://" + hostHeader.strip()).getHost();
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme();
    int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    return ("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null && host != null
        && uri.getHost().equalsIgnoreCase(host) && port == pagePort.getAsInt();
  }

  static String normalizedOrigin(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    while (o.endsWith("/")) {
      o = o.substring(0, o.length() - 1);
    }
    return o;
  }

  /** The part of {@code path} after the prefix and its slash, or null if the path is not under the prefix. */
  String relativePath(String path) {
    if (path.equals(prefix)) {
      return "";
    }
    if (path.startsWith(prefix) && path.length() > prefix.length() && path.charAt(prefix.length()) == '/') {
      return path.substring(prefix.length() + 1);
    }
    return null;
  }

  /**
   * A request Netty could not read: a request line over its limit is 414, headers over theirs 431 (a browser sends
   * the site's cookies with the upgrade), as the web servers of the starter's transports answer; anything else 400.
   */
  private static Route refuseUndecodable(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return refuse(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line over "
          + CollabServerInitializer.MAX_INITIAL_LINE + " bytes: a shorter document name or token");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return refuse(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers over "
          + CollabServerInitializer.MAX_HEADER_SIZE + " bytes: fewer or smaller cookies or headers");
    }
    return refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request");
  }

  private static Route refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    return null;
  }
}
