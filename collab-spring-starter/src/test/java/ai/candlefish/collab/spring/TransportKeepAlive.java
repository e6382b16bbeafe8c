package ai.candlefish.collab.spring;

import static ai.candlefish.collab.testkit.RawWebSocket.frame;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.ServerFrame.Close;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Idle timeouts and pings, the same on every transport (the subclasses: the embedded port, WebFlux on Reactor Netty,
 * Tomcat and Jetty): a client silent for the idle timeout is pinged after half of it and closed with 1001 "idle
 * timeout" after all of it; one that answers the server's pings stays as long as it likes, whatever the web server's
 * own timeouts (set far shorter here: {@link #WEB_SERVER_TIMEOUTS}); a client's ping is answered with a pong of its
 * payload, also between the fragments of a message, which still arrives whole.
 */
abstract class TransportKeepAlive {
  @SpringBootApplication
  static class App {}

  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);
  static final String IDLE = "candlefish.collab.limits.idle-timeout=4s";
  /**
   * Each web server's own timeout of a silent connection, a quarter of the server's idle timeout: a user who tunes
   * them for plain HTTP must not cut the collaboration socket short (the server pings every half idle timeout).
   */
  static final String TOMCAT_TIMEOUT = "server.tomcat.connection-timeout=1s";
  static final String JETTY_TIMEOUT = "server.jetty.connection-idle-timeout=1s";
  static final String NETTY_TIMEOUT = "server.netty.idle-timeout=1s";

  @Autowired
  CollabServer server;

  /** The application's port (absent with the embedded port: -1). */
  @Value("${local.server.port:-1}")
  int applicationPort;

  private int port() {
    return server.port() > 0 ? server.port() : applicationPort;
  }

  @BeforeEach
  void noConnectionsLeft() {
    await().atMost(Duration.ofSeconds(60)).until(() -> server.connectionCount() == 0);
  }

  /**
   * A client that sends nothing after the upgrade and answers no ping is pinged, then closed with 1001 and the reason
   * "idle timeout" an idle timeout after its last byte (not before; within seconds after, on a loaded machine), and
   * its connection ends.
   */
  @Test
  void silentClient_isPingedThenClosedWith1001_afterTheIdleTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(60_000);
      assertThat(upgrade(socket, "/collab/idle-silent", "")).contains(" 101 ");
      long silentFrom = System.nanoTime();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int pings = 0;
      ServerFrame frame;
      while ((frame = ServerFrame.next(in)).opcode() != ServerFrame.CLOSE) {
        pings += frame.opcode() == ServerFrame.PING ? 1 : 0;
      }
      Duration silence = Duration.ofNanos(System.nanoTime() - silentFrom);
      assertThat(frame.close()).isEqualTo(new Close(CloseCodes.GOING_AWAY, "idle timeout"));
      assertThat(pings).as("pings before the close").isGreaterThanOrEqualTo(1);
      assertThat(silence).as("the close after the client's last byte").isGreaterThanOrEqualTo(IDLE_TIMEOUT)
          .isLessThan(IDLE_TIMEOUT.plusSeconds(20)); // slack for a loaded machine
      socket.setSoTimeout(10_000);
      assertThat(ServerFrame.ended(in)).as("the server ended the connection").isTrue();
    }
  }

  /**
   * A client that answers the server's pings and sends nothing else stays connected for three idle timeouts: a pong
   * is a sign of life on every transport, and the web server's own timeouts, far shorter, do not cut the socket.
   */
  @Test
  void clientAnsweringPings_staysPastTheIdleTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(60_000);
      assertThat(upgrade(socket, "/collab/idle-pongs", "")).contains(" 101 ");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      long end = System.nanoTime() + IDLE_TIMEOUT.multipliedBy(3).toNanos();
      int pings = 0;
      for (long left; (left = end - System.nanoTime()) > 0; ) {
        socket.setSoTimeout(Math.max(1, (int) (left / 1_000_000)));
        ServerFrame frame;
        try {
          frame = nextNotClose(in);
        } catch (SocketTimeoutException e) {
          break; // held to the end (a timeout within a frame cannot happen: the server writes frames whole)
        }
        if (frame.opcode() == ServerFrame.PING) {
          pings++;
          out.write(frame(0x8A, frame.payload()));
        }
      }
      assertThat(pings).as("the server's pings in three idle timeouts").isGreaterThanOrEqualTo(2);
      assertThat(server.connectionCount()).isEqualTo(1);
    }
  }

  /**
   * A client's ping is answered with a pong of its payload, whole or between the fragments of a message (RFC 6455
   * 5.4: control frames may come in the middle of a fragmented message), and the message still arrives whole.
   */
  @Test
  void clientPing_isAnsweredWithItsPayload_alsoBetweenTheFragmentsOfAMessage() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(30_000);
      assertThat(upgrade(socket, "/collab/idle-client-pings", "")).contains(" 101 ");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      byte[] first = "first ping".getBytes(StandardCharsets.UTF_8);
      out.write(frame(0x89, first));
      assertThat(nextPong(in)).isEqualTo(first);

      // Sync step 1 with an empty state vector in two fragments, a ping between them; the answer is sync step 2.
      byte[] between = new byte[125];
      Arrays.fill(between, (byte) 'p');
      out.write(frame(0x02, new byte[] {0, 0}));
      out.write(frame(0x89, between));
      out.write(frame(0x80, new byte[] {1, 0}));
      boolean pong = false;
      boolean syncStep2 = false;
      while (!(pong && syncStep2)) {
        ServerFrame frame = nextNotClose(in);
        if (frame.opcode() == ServerFrame.PONG) {
          assertThat(frame.payload()).isEqualTo(between);
          pong = true;
        }
        byte[] payload = frame.payload();
        syncStep2 |= frame.opcode() == 2 && payload.length > 1 && payload[0] == 0 && payload[1] == 1;
      }
    }
  }

  /**
   * A client that pings every second (a keep-alive some clients send) and answers none of the server's pings: on the
   * embedded port and under WebFlux its pings are signs of life and it stays; Tomcat and Jetty answer pings without
   * telling the application, so there it is closed with 1001 at the idle timeout as a silent one is
   * ({@link #clientPingsKeepAlive()}). Every WebSocket client answers pings (RFC 6455 5.5.2): only a broken one
   * sees the difference.
   */
  @Test
  void clientThatPingsButAnswersNoPing_staysOrIsClosedAsItsTransportSays() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(60_000);
      assertThat(upgrade(socket, "/collab/idle-pings-only", "")).contains(" 101 ");
      long start = System.nanoTime();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      socket.setSoTimeout(1000);
      Close close = null;
      while (close == null && System.nanoTime() - start < IDLE_TIMEOUT.multipliedBy(3).toNanos()) {
        socket.getOutputStream().write(frame(0x89, new byte[] {1}));
        try {
          for (ServerFrame frame; close == null; ) {
            frame = ServerFrame.next(in);
            close = frame.opcode() == ServerFrame.CLOSE ? frame.close() : null;
          }
        } catch (SocketTimeoutException e) {
          // a second without a frame: ping again (the server writes frames whole, so none was cut)
        }
      }
      if (clientPingsKeepAlive()) {
        assertThat(close).as("a close while pinging").isNull();
      } else {
        assertThat(close).isEqualTo(new Close(CloseCodes.GOING_AWAY, "idle timeout"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE_TIMEOUT);
      }
    }
  }

  /** Whether a client's pings keep its connection alive (see above): on the embedded port and under WebFlux. */
  abstract boolean clientPingsKeepAlive();

  /** The payload of the next pong on {@code in}; fails on a close. */
  private static byte[] nextPong(DataInputStream in) throws IOException {
    while (true) {
      ServerFrame frame = nextNotClose(in);
      if (frame.opcode() == ServerFrame.PONG) {
        return frame.payload();
      }
    }
  }

  /** The next frame on {@code in}, which must not be a close: the close's code and reason in the failure. */
  private static ServerFrame nextNotClose(DataInputStream in) throws IOException {
    ServerFrame frame = ServerFrame.next(in);
    assertThat(frame.opcode()).as("a close (%s)", frame.opcode() == ServerFrame.CLOSE ? frame.close() : null)
        .isNotEqualTo(ServerFrame.CLOSE);
    return frame;
  }
}
