package ai.candlefish.collab.server;

import ai.candlefish.collab.server.handler.BridgeConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Serves the server's protocols (y-websocket, Hocuspocus, collab/1) over WebSockets that the host's own web server
 * accepted (Spring WebSocket on Tomcat or Jetty, WebFlux on Reactor Netty, …), so that one port, one TLS setup and
 * one load balancer serve the pages and the collaboration socket. Everything after the HTTP upgrade is the same as on
 * the server's own port: the protocol chosen from the path and the subprotocol, the Origin allow-list,
 * authentication, every limit and close code. Get it from {@link CollabServer#bridge()}.
 *
 * <p>A host adapter, for each upgrade request under the server's path prefix:
 *
 * <ol>
 *   <li>before the upgrade, calls {@link #check} and answers a {@link Refusal} with its HTTP status;
 *   <li>after the upgrade (answering the subprotocol {@value #SUBPROTOCOL} when the client asked for it), calls
 *       {@link #open} with a {@link Sender} that writes to the host's socket;
 *   <li>hands every message it receives to the {@link Socket} (binary ones, in fragments if it likes), and tells it
 *       when the host's socket has closed.
 * </ol>
 *
 * <p>The server's idle timeout applies: it pings through the {@link Sender}, and any message or pong counts as a sign
 * of life, and so does the host's socket taking what it is sent ({@link Sender#unwritten}). The host's own limit on
 * message size must be at least the server's maximum message size, or it must deliver larger messages in fragments.
 *
 * <p>Thread-safe.
 */
public final class CollabBridge {
  /** The WebSocket subprotocol of collab/1: answer it when the client asks for it. */
  public static final String SUBPROTOCOL = "collab.v1";

  /**
   * How long a client may take to take and answer the server's close frame before its connection is dropped, on the
   * embedded port and every host: a host adapter whose web server waits longer (Tomcat: 30 s) sets this.
   */
  public static final long CLOSE_TIMEOUT_MILLIS = 3000;

  private final BridgeConnector connector;

  CollabBridge(BridgeConnector connector) {
    this.connector = connector;
  }

  /**
   * Whether an upgrade request would be served: null if so, otherwise why not (a path outside the prefix or of no
   * protocol, an origin not allowed), as the embedded port answers it.
   */
  public @Nullable Refusal check(Handshake handshake) {
    Objects.requireNonNull(handshake, "handshake");
    return connector.check(handshake.uri(), handshake.headers());
  }

  /**
   * Starts serving a WebSocket the host has accepted. A request that {@link #check} refuses is closed at once with
   * 1008 and the refusal's text; one past the server's connection limits with 1013.
   *
   * @param sender writes to the host's socket
   * @return what the host calls with what it receives
   * @throws IllegalStateException if called on one of the server's own event loops, or the server is closed
   */
  public Socket open(Handshake handshake, Sender sender) {
    Objects.requireNonNull(handshake, "handshake");
    Objects.requireNonNull(sender, "sender");
    return connector.open(handshake.uri(), handshake.headers(), handshake.remoteAddress(), sender);
  }

  /**
   * The close reason of a message over the server's maximum size, on the embedded port and every host: it names the
   * setting, so that whoever sees it (a client's log, a browser's close event) can tell the operator what to raise. A
   * host adapter whose web server closes such a message itself gives it this reason.
   */
  public static String tooBigReason(int maxMessageSize) {
    return "message too big: over the server's maxMessageSize of " + maxMessageSize + " bytes";
  }

  /**
   * The upgrade request as the host received it.
   *
   * @param uri the request target: path and query string, still encoded ({@code /collab/doc?token=…})
   * @param headers the request headers (Origin, Host, Sec-WebSocket-Protocol, …), names in any case
   * @param remoteAddress the client's address, for the per-address connection limit; null if unknown (not counted)
   */
  public record Handshake(String uri, Map<String, List<String>> headers, @Nullable InetSocketAddress remoteAddress) {
    public Handshake {
      Objects.requireNonNull(uri, "uri");
      headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    }
  }

  /**
   * Why a request is not served.
   *
   * @param status the HTTP status the embedded port answers (403 origin not allowed, 404 no protocol at that path,
   *     400 malformed)
   * @param reason a short text for the response body or close reason
   */
  public record Refusal(int status, String reason) {}

  /**
   * Writes to the host's socket. Called by one thread at a time and in order (a thread of the bridge's own, never
   * one of the server's event loops), so it may block; after {@link #close} it is not called again. Up to the
   * server's outbound buffer limit waits for it (and one larger message when nothing else waits: a large
   * document's first state); a socket that takes longer is closed with 1013, as on the embedded port. A close
   * does not wait for a send that blocks (the client reads nothing) longer than the embedded port waits for its close
   * frame to be written (3 s; at once past the outbound buffer): it is called on another thread then, and must end
   * the socket in bounded time even if its close frame cannot be written, which ends the blocked send too.
   */
  public interface Sender {
    /** Sends one binary message (the buffer is the sender's to keep). */
    void sendBinary(ByteBuffer message) throws IOException;

    /** Sends a ping (the server's idle check); may do nothing if the host pings by itself. */
    void sendPing() throws IOException;

    /**
     * How many bytes of the messages it was handed the host's socket has still to write to the network (what a slow
     * client has not taken yet), or -1 if the host cannot tell (the default). A client downloading a large
     * document's state over a slow link sends nothing meanwhile, and its pong waits behind the state: while this
     * goes down (or the messages waiting for the sender go out), it is taking what it is sent and is not closed as
     * idle, as on the embedded port. Where the host cannot tell, a message that takes longer than the idle timeout to go out
     * is closed as idle: send large messages in fragments and count them down here. Called from the server's threads
     * at any time, beside a send; must not block.
     *
     * @return the bytes left to write, 0 when nothing is being sent, or -1
     */
    default long unwritten() {
      return -1;
    }

    /**
     * Closes the socket with {@code code} and {@code reason} (at most 123 bytes of UTF-8); if the close frame cannot
     * be written within seconds (a client that reads nothing), drops the connection. May be called while
     * {@link #sendBinary} blocks on another thread (see above).
     */
    void close(int code, String reason) throws IOException;

    /**
     * The server is not taking this socket's messages now (its client is over a rate, or too many of its messages
     * wait in its documents): stop reading from the socket until {@link #resumeReading}, so that TCP pushes back
     * on the client as on the embedded port. Called from the server's threads, and also from the thread that calls
     * {@link Socket#receive}; must not block. Return false if the host cannot stop reading (the default): then
     * what the client sends waits in memory, and a socket with more than the larger of the server's maximum
     * message size and its outbound buffer limit waiting is closed with 1013. A host that returns true is held to
     * the same limit for what it delivers while paused.
     *
     * @return whether the host stops reading
     */
    default boolean pauseReading() {
      return false;
    }

    /** The server takes this socket's messages again: read on (after {@link #pauseReading} returned true). */
    default void resumeReading() {}
  }

  /**
   * What the host received on one socket. Call it from one thread at a time (as web servers deliver a socket's
   * messages), in order.
   */
  public interface Socket {
    /**
     * A binary message, or one fragment of it ({@code last} false for all but the final one). The buffer is read
     * before the call returns. A message larger than the server's maximum closes the socket with 1009.
     */
    void receive(ByteBuffer fragment, boolean last);

    /**
     * A text message, or one fragment of it: every protocol served is binary, so the socket is closed with 1003 and
     * the protocol's reason, as on the embedded port. Do not close the host's socket yourself: the close goes
     * through the {@link Sender}, behind what is being sent, because the bridge's sender thread may be writing to
     * the socket meanwhile (Tomcat ended a socket closed from its own thread beside a send without a close frame).
     */
    void receiveText();

    /** A pong (or any other sign of life without data). */
    void receivePong();

    /** The host's socket has closed (the client closed it, or it failed): the connection ends. */
    void closed();
  }
}
