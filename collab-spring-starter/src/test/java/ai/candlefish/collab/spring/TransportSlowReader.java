package ai.candlefish.collab.spring;

import static ai.candlefish.collab.testkit.RawWebSocket.closeCode;
import static ai.candlefish.collab.testkit.RawWebSocket.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import io.netty.channel.ChannelOption;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A client that reads nothing holds at most the outbound buffer limit of the server's memory on the application's own
 * port (the subclasses: WebFlux, Tomcat and Jetty), as on the embedded port. The web server's socket send buffer is
 * set small here ({@link #SEND_BUFFER}; left alone, the kernel grows it up to 4 MiB on this machine), so that what
 * waits for the client is the server's own, not the kernel's.
 */
abstract class TransportSlowReader {
  @SpringBootApplication
  static class App {
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.reactor.netty.NettyServerCustomizer")
    static class ReactorNettySendBuffer {
      @Bean
      NettyServerCustomizer reactorNettySendBuffer() {
        return server -> server.childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER);
      }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.TomcatConnectorCustomizer")
    static class TomcatSendBuffer {
      @Bean
      TomcatConnectorCustomizer tomcatSendBuffer() {
        return connector -> connector.setProperty("socket.txBufSize", Integer.toString(SEND_BUFFER));
      }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.jetty.JettyServerCustomizer")
    static class JettySendBuffer {
      @Bean
      JettyServerCustomizer jettySendBuffer() {
        return server -> {
          for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector c) {
              c.setAcceptedSendBufferSize(SEND_BUFFER);
            }
          }
        };
      }
    }
  }

  /** The web server's socket send buffer (set, the kernel does not grow it). */
  static final int SEND_BUFFER = 16 * 1024;

  @LocalServerPort
  int port;

  @Autowired
  CollabServer server;

  /**
   * Under WebFlux, Reactor Netty asked the bridge for messages ahead (its sender's prefetch) and held them in memory
   * before the bridge saw any wait: 96 of the 60 KB messages here (5.8 MB) against a limit of 64 KiB; Tomcat 4.
   * What the server holds is the bridge's queue (the message over the limit closes), the message being written and
   * the little the kernel takes.
   */
  @Test
  void aClientThatReadsNothing_isClosedAtTheOutboundLimit() throws Exception {
    try (Socket slow = joinedSlowReader("slow-limit")) {
      String chunk = "z".repeat(60_000);
      int sent = 0;
      try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", "slow-limit")).get(10, TimeUnit.SECONDS)) {
        while (sent < 300 && server.connectionCount() > 0) {
          handle.edit(txn -> txn.doc().getText("t").insert(0, chunk)).get(10, TimeUnit.SECONDS);
          sent++;
          // The server's close reaches connectionCount() a moment after it decided: give it that moment, or a loaded
          // machine counts edits made after the close (which the server drops) as held (Tomcat 93 once at load 25).
          for (long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
              System.nanoTime() < end && server.connectionCount() > 0; ) {
            Thread.sleep(10);
          }
        }
      }
      assertThat(sent).as("60 KB messages sent to a client that reads nothing before it was closed")
          .isLessThanOrEqualTo(8);
    }
  }

  /**
   * A client that stops reading is closed past the outbound buffer with 1013, and gets that close once it reads again
   * within the close timeout ({@link CollabBridge#CLOSE_TIMEOUT_MILLIS}): what the server sent before it gave up,
   * its close frame, then the end, as on the embedded port (a stalled network that recovers). Tomcat sent a close
   * with a code other than 1000 only if a send under way ended within 50 ms, and dropped the connection without it
   * (-1).
   */
  @Test
  void aClientThatReadsAgainWithinTheCloseTimeout_getsTheClose1013() throws Exception {
    try (Socket slow = joinedSlowReader("slow-reads-again")) {
      pastTheOutboundBuffer("slow-reads-again");
      slow.setSoTimeout(Math.toIntExact(CollabBridge.CLOSE_TIMEOUT_MILLIS + 3000)); // slack for a loaded machine
      assertThat(closeCode(slow.getInputStream())).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
      assertThat(ServerFrame.ended(slow.getInputStream())).as("the server ended the connection").isTrue();
    }
  }

  /**
   * A client that never reads again is ended within seconds of the close although it never answers the close frame,
   * as on the embedded port: before, Tomcat's close waited behind a send blocked for its 20 s timeout and then for
   * the client's answer for 30 s more, the connection uncounted by the per-address limit all the while. Its close
   * frame is not asserted: it waits behind what the client's full socket buffers do not take, on the embedded port
   * too, and goes with the connection (the README's "slow reader").
   */
  @Test
  void aClientThatNeverReadsAgain_isEndedWithinSeconds() throws Exception {
    try (Socket slow = joinedSlowReader("slow-never")) {
      pastTheOutboundBuffer("slow-never");
      Thread.sleep(CollabBridge.CLOSE_TIMEOUT_MILLIS + 7000); // the close timeout, and slack for a loaded machine
      slow.setSoTimeout(5000);
      assertThat(ServerFrame.ended(slow.getInputStream())).as("the server ended the connection").isTrue();
    }
  }

  /**
   * A client of document {@code name} with a small receive buffer that has read the server's first message and reads
   * nothing more. That message (sync step 1) says the connection has joined the document: the edits made after it
   * are sent to it (before, those made while it joined under load went only into a state it never asked for).
   */
  private Socket joinedSlowReader(String name) throws IOException {
    Socket slow = new Socket();
    try {
      slow.setReceiveBufferSize(8 * 1024);
      slow.connect(new InetSocketAddress("127.0.0.1", port));
      slow.setSoTimeout(30_000);
      assertThat(upgrade(slow, "/collab/" + name, "")).contains(" 101 ");
      DataInputStream in = new DataInputStream(slow.getInputStream());
      assertThat(in.readUnsignedByte() & 0x0F).as("the server's first frame is binary").isEqualTo(2);
      return slow;
    } catch (IOException | RuntimeException | Error e) {
      slow.close();
      throw e;
    }
  }

  /** Edits {@code name} with 100 KB until the server has closed its one connection (a client reading nothing). */
  private void pastTheOutboundBuffer(String name) throws Exception {
    String chunk = "y".repeat(100_000);
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", name)).get(10, TimeUnit.SECONDS)) {
      for (int i = 0; i < 100 && server.connectionCount() > 0; i++) {
        handle.edit(txn -> txn.doc().getText("t").insert(0, chunk)).get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionCount() == 0);
    }
  }
}
