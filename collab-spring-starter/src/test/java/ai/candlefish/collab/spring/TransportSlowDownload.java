package ai.candlefish.collab.spring;

import static ai.candlefish.collab.testkit.RawWebSocket.frame;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A client downloading a large document's state slowly through the application's own port is not closed at the idle
 * timeout (the subclasses: Tomcat and Jetty), as on the embedded port: it sends nothing
 * meanwhile, and its pong waits behind the state. Before, the bridge's idle check counted only what the client sent:
 * at the default 60 s, a state that took longer than a minute to download was cut, and the client downloaded it
 * again, for ever.
 */
abstract class TransportSlowDownload {
  @SpringBootApplication
  static class App {}

  /**
   * The idle timeout: a ping after 2 s of silence, a close after 4 s. (A slow reader's kernel takes more of the state
   * only each time a third of its send buffer is free, ~1.3 MB on loopback: ~1.6 s at this pace.)
   */
  static final String IDLE = "candlefish.collab.limits.idle-timeout=4s";

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  @Test
  void aClientDownloadingALargeStateSlowly_isNotClosedAtTheIdleTimeout() throws Exception {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", "large")).get(10, TimeUnit.SECONDS)) {
      handle.edit(txn -> txn.doc().getText("t").insert(0, "x".repeat(10_000_000))).get(30, TimeUnit.SECONDS);
    }
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(20_000);
      assertThat(upgrade(socket, "/collab/large", "")).contains(" 101 ");
      OutputStream out = socket.getOutputStream();
      out.write(frame(0x82, new byte[] {0, 0, 1, 0})); // sync step 1, empty: the whole state comes
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long start = System.nanoTime();
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      int servedMidway = -1;
      while (true) {
        int head = in.readUnsignedByte();
        int opcode = head & 0x0F;
        long length = in.readUnsignedByte() & 0x7F;
        length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        assertThat(opcode).as("a close before the whole state arrived").isNotEqualTo(8);
        byte[] payload = new byte[(int) length];
        // ~0.8 MB/s: the 10 MB take about three idle timeouts, and nothing is sent meanwhile.
        for (int read = 0; read < length; ) {
          int chunk = Math.min(32 * 1024, (int) length - read);
          in.readFully(payload, read, chunk); // EOFException: the connection was dropped
          read += chunk;
          if (chunk == 32 * 1024) {
            Thread.sleep(40);
          }
          if (servedMidway < 0 && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(8)) {
            // Two idle timeouts in (closed at 6 s before), some of the state still to leave the server: the server
            // must still serve the connection (it ends an idle one at once, whatever the host does with the socket).
            servedMidway = server.connectionCount();
          }
        }
        if (opcode == 9) {
          out.write(frame(0x8A, payload)); // a pong, as a browser answers the ping once it has read it
          continue;
        }
        message.writeBytes(payload);
        if ((head & 0x80) != 0) { // the last fragment: a whole message
          byte[] whole = message.toByteArray();
          message.reset();
          if (whole.length > 2 && whole[0] == 0 && whole[1] == 1) { // sync step 2
            assertThat(whole.length).isGreaterThan(10_000_000);
            break;
          }
        }
      }
      assertThat(servedMidway).as("connections served 8 s into the download").isEqualTo(1);
    }
  }
}
