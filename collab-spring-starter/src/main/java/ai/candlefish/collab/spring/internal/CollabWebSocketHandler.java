package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.CollabServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.websocket.server.ServerContainer;
import org.apache.tomcat.websocket.Constants;
import org.apache.tomcat.websocket.WsSession;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.apache.tomcat.websocket.server.WsServerContainer;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * The collaboration socket on the application's own port (Spring WebSocket on Tomcat or Jetty): hands each socket to
 * {@link CollabServer#bridge()}, which serves it exactly as the embedded port would. The upgrade request is checked
 * before the upgrade (403 for an origin not allowed, 404 for a path of no protocol, 400 for a malformed path, as on the
 * embedded port). On Tomcat messages arrive in fragments (so the container's message buffer size does not matter);
 * Spring's Jetty adapter has no partial messages and hands each over whole, within Jetty's message limit, which
 * {@link JettySessions} raises to the server's. Messages go out through the bridge's own sender threads, which may
 * block in the container's send, large ones in fragments (so that the server sees a slow client take them). On
 * Tomcat, a socket whose client the server throttles is not read meanwhile ({@code WsSession.suspend}), so TCP pushes
 * back on the client; on other containers what it sends waits, bounded by the bridge.
 *
 * <p>Thread-safe: Spring calls it for many sessions at once, and for one session one call at a time.
 */
public final class CollabWebSocketHandler extends AbstractWebSocketHandler
    implements SubProtocolCapable, HandshakeInterceptor {
  private static final String HANDSHAKE = CollabWebSocketHandler.class.getName() + ".handshake";
  private static final String SOCKET = CollabWebSocketHandler.class.getName() + ".socket";

  private final CollabServer server;
  private final int maxMessageSize;
  private final Duration idleTimeout;

  /**
   * @param maxMessageSize the largest message a client may send (the server's: see {@link JettySessions})
   * @param idleTimeout how long the server lets a client stay silent (it pings before)
   */
  public CollabWebSocketHandler(CollabServer server, int maxMessageSize, Duration idleTimeout) {
    this.server = server;
    this.maxMessageSize = maxMessageSize;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public List<String> getSubProtocols() {
    return List.of(CollabBridge.SUBPROTOCOL);
  }

  @Override
  public boolean supportsPartialMessages() {
    return true;
  }

  // ------------------------------------------------------------------------------------------ the upgrade

  /**
   * The upgrade; on Tomcat without WebSocket extensions, as on the embedded port (and y-websocket's and Hocuspocus's
   * servers): Tomcat negotiated permessage-deflate, with which 32 KB on the wire inflate to 32 MiB, and inflated
   * every compressed frame a client sent, also after the server had closed it for a message over the maximum (32
   * frames of zeros, 1 MB sent: ~0.5 s of the server's CPU). Tomcat negotiates what the request offers whatever
   * Spring selects, so the offer is hidden from it; a browser that offers the extension goes on without it. Jetty
   * keeps it: it stops inflating a message at the limit.
   *
   * @return the handshake handler for Tomcat, or null where Tomcat's WebSocket is not there (Spring's own then)
   */
  public static @Nullable HandshakeHandler handshakeHandler() {
    if (!TOMCAT) {
      return null;
    }
    DefaultHandshakeHandler standard = new DefaultHandshakeHandler();
    return (request, response, handler, attributes) -> standard.doHandshake(TomcatReads.withoutExtensions(request),
        response, handler, attributes);
  }

  @Override
  public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Map<String, Object> attributes) throws IOException {
    String uri = request.getURI().getRawPath()
        + (request.getURI().getRawQuery() == null ? "" : "?" + request.getURI().getRawQuery());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.getHeaders().forEach(headers::put);
    InetSocketAddress remote = request.getRemoteAddress();
    CollabBridge.Handshake handshake = new CollabBridge.Handshake(uri, headers, remote);
    CollabBridge.Refusal refusal = server.bridge().check(handshake);
    if (refusal != null) {
      response.setStatusCode(HttpStatus.valueOf(refusal.status()));
      response.getHeaders().set("Content-Type", "text/plain; charset=utf-8");
      response.getBody().write((refusal.reason() + "\n").getBytes(StandardCharsets.UTF_8));
      return false;
    }
    attributes.put(HANDSHAKE, handshake);
    return true;
  }

  @Override
  public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Exception exception) {}

  // ------------------------------------------------------------------------------------------ the socket

  @Override
  public void afterConnectionEstablished(WebSocketSession session) {
    if (!(TOMCAT && TomcatReads.closeTimeout(session)) && JETTY) {
      JettySessions.fit(session, maxMessageSize, idleTimeout.multipliedBy(2));
    }
    CollabBridge.Handshake handshake = (CollabBridge.Handshake) session.getAttributes().get(HANDSHAKE);
    session.getAttributes().put(SOCKET, server.bridge().open(handshake, new SessionSender(session)));
  }

  @Override
  protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
    socket(session).receive(message.getPayload(), message.isLast());
  }

  /** Closed with 1003 by the bridge, through its sender: this thread must not write while the sender may. */
  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) {
    socket(session).receiveText();
  }

  @Override
  protected void handlePongMessage(WebSocketSession session, PongMessage message) {
    socket(session).receivePong();
  }

  @Override
  public void handleTransportError(WebSocketSession session, Throwable exception) throws IOException {
    if (session.isOpen()) {
      session.close(CloseStatus.SERVER_ERROR);
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    CollabBridge.Socket socket = (CollabBridge.Socket) session.getAttributes().get(SOCKET);
    if (socket != null) {
      socket.closed();
    }
  }

  private static CollabBridge.Socket socket(WebSocketSession session) {
    return (CollabBridge.Socket) session.getAttributes().get(SOCKET);
  }

  /**
   * Writes to the session; the bridge calls it from one thread at a time. A message larger than {@link #FRAGMENT}
   * (a large document's first state) goes out in fragments, counted down in {@link #unwritten}: its client sends
   * nothing while it downloads, and the server's idle check sees it take the state (before, the container's
   * blocking send showed nothing until the whole message was out, and a download longer than the idle timeout was
   * cut, the client downloading it again for ever).
   */
  private static final class SessionSender implements CollabBridge.Sender {
    /** The size of a large message's fragments. */
    static final int FRAGMENT = 64 * 1024;

    private final WebSocketSession session;
    private volatile long unwritten;

    SessionSender(WebSocketSession session) {
      this.session = session;
    }

    @Override
    public void sendBinary(ByteBuffer message) throws IOException {
      if (message.remaining() <= FRAGMENT) {
        session.sendMessage(new BinaryMessage(message));
        return;
      }
      try {
        while (message.hasRemaining()) {
          unwritten = message.remaining();
          ByteBuffer fragment = message.slice(message.position(), Math.min(FRAGMENT, message.remaining()));
          message.position(message.position() + fragment.remaining());
          boolean last = !message.hasRemaining();
          // Spring's Jetty session sends each part as a whole message: Jetty's own session sends fragments.
          if (!(JETTY && JettySessions.sendFragment(session, fragment, last))) {
            session.sendMessage(new BinaryMessage(fragment, last));
          }
        }
      } finally {
        unwritten = 0;
      }
    }

    @Override
    public long unwritten() {
      return unwritten;
    }

    @Override
    public void sendPing() throws IOException {
      session.sendMessage(new PingMessage());
    }

    @Override
    public void close(int code, String reason) throws IOException {
      session.close(new CloseStatus(code, reason));
    }

    @Override
    public boolean pauseReading() {
      return TOMCAT && TomcatReads.suspend(session);
    }

    @Override
    public void resumeReading() {
      if (TOMCAT) {
        TomcatReads.resume(session);
      }
    }
  }

  /** Whether Jetty's WebSocket API is there (Spring WebSocket on Jetty uses it). */
  private static final boolean JETTY = ClassUtils.isPresent("org.eclipse.jetty.websocket.api.Session",
      CollabWebSocketHandler.class.getClassLoader());

  /**
   * Fits a Jetty socket's limits to the server's. Spring WebSocket hands Jetty's messages over whole, and Jetty
   * closed every one over 64 KiB with 1009, its default limit (a pasted image, a large document's first sync: the
   * client reconnected, sent it again and was closed again), where the server takes up to its maximum message size
   * (16 MiB by default). Jetty's idle timeout (30 s by default, shorter than the server's: a silent client could
   * be dropped by Jetty before the server pinged it) becomes twice the server's. Sends a large message's fragments,
   * which Spring's Jetty session would send as whole messages. Loaded only when Jetty is there.
   */
  private static final class JettySessions {
    private JettySessions() {}

    static void fit(WebSocketSession session, int maxMessageSize, Duration idleTimeout) {
      if (session instanceof NativeWebSocketSession s
          && s.getNativeSession() instanceof org.eclipse.jetty.websocket.api.Session jetty) {
        if (jetty.getMaxBinaryMessageSize() < maxMessageSize) {
          jetty.setMaxBinaryMessageSize(maxMessageSize);
        }
        Duration idle = jetty.getIdleTimeout();
        if (!idle.isZero() && !idle.isNegative() && idle.compareTo(idleTimeout) < 0) {
          jetty.setIdleTimeout(idleTimeout);
        }
      }
    }

    /**
     * Sends one fragment of a binary message through Jetty's own session and waits until it is written, if
     * {@code session} is Jetty's; false if it is not.
     */
    static boolean sendFragment(WebSocketSession session, ByteBuffer fragment, boolean last) throws IOException {
      if (!(session instanceof NativeWebSocketSession s
          && s.getNativeSession() instanceof org.eclipse.jetty.websocket.api.Session jetty)) {
        return false;
      }
      org.eclipse.jetty.websocket.api.Callback.Completable sent =
          new org.eclipse.jetty.websocket.api.Callback.Completable();
      jetty.sendPartialBinary(fragment, last, sent);
      try {
        sent.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while sending");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
      return true;
    }
  }

  /** Whether Tomcat's WebSocket is there: it can stop reading one socket (Jetty cannot through Spring's API). */
  private static final boolean TOMCAT = ClassUtils.isPresent("org.apache.tomcat.websocket.WsSession",
      CollabWebSocketHandler.class.getClassLoader());

  /** Stops and restarts reading one Tomcat socket, hides extensions from it; loaded only when Tomcat is there. */
  private static final class TomcatReads {
    private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

    private TomcatReads() {}

    /** Stops reading {@code session} if it is Tomcat's; false if it is not. */
    static boolean suspend(WebSocketSession session) {
      if (session instanceof NativeWebSocketSession s && s.getNativeSession() instanceof WsSession tomcat) {
        tomcat.suspend();
        return true;
      }
      return false;
    }

    /**
     * Drops the connection if the client has not answered the server's close frame within
     * {@link CollabBridge#CLOSE_TIMEOUT_MILLIS}, as the embedded port does; Tomcat's default (30 s) kept each client
     * that reads nothing (one closed for being too slow, or for a bad token) connected for half a minute after the
     * server closed it, uncounted by the per-address connection limit. Tomcat looks at its sessions' timeouts every
     * tenth second of its background thread by default, which dropped such a client up to 10 s late: the container
     * (the application's, for every socket it serves) now looks every second. A close frame with a code other than
     * 1000 waits for a send under way as long as on the embedded port, not Tomcat's 50 ms: Tomcat dropped a client
     * that had stopped reading for a moment (1013, too slow) without its close frame, which it would have had on
     * reading again. Returns whether {@code session} is Tomcat's.
     */
    static boolean closeTimeout(WebSocketSession session) {
      if (session instanceof NativeWebSocketSession s && s.getNativeSession() instanceof WsSession tomcat) {
        tomcat.getUserProperties().put(Constants.SESSION_CLOSE_TIMEOUT_PROPERTY, CollabBridge.CLOSE_TIMEOUT_MILLIS);
        tomcat.getUserProperties().put(Constants.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT_PROPERTY,
            CollabBridge.CLOSE_TIMEOUT_MILLIS);
        if (tomcat.getContainer() instanceof WsWebSocketContainer container && container.getProcessPeriod() > 1) {
          container.setProcessPeriod(1);
        }
        return true;
      }
      return false;
    }

    /** {@code request} without its offer of extensions if Tomcat's WebSocket serves it; else as it is. */
    static ServerHttpRequest withoutExtensions(ServerHttpRequest request) {
      if (!(request instanceof ServletServerHttpRequest servlet)
          || !(servlet.getServletRequest().getServletContext().getAttribute(ServerContainer.class.getName())
              instanceof WsServerContainer)) {
        return request;
      }
      return new ServletServerHttpRequest(new HttpServletRequestWrapper(servlet.getServletRequest()) {
        @Override
        public String getHeader(String name) {
          return EXTENSIONS.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
          return EXTENSIONS.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
          return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
              .filter(name -> !EXTENSIONS.equalsIgnoreCase(name)).toList());
        }
      });
    }

    static void resume(WebSocketSession session) {
      if (session instanceof NativeWebSocketSession s && s.getNativeSession() instanceof WsSession tomcat
          && tomcat.isOpen()) {
        tomcat.resume();
      }
    }
  }
}
