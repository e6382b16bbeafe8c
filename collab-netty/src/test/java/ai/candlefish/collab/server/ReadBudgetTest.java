package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.AuditLog;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.testkit.RawWebSocket;
import ai.candlefish.collab.testkit.ServerWatch;
import ai.candlefish.collab.testkit.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rates before work: every per-connection rate counts each message as it is decoded, so one TCP write full of
 * messages (one read on the server) is handled at the rate, not all at once and paid for after. Each test writes
 * all its messages at once on a raw socket and watches what the server has done so far: never more than the burst
 * plus the rate times the time since the write (an upper bound, which a slow machine only makes easier to meet), and
 * in the end everything, as nothing is dropped.
 */
class ReadBudgetTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger stateless = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger authenticatorCalls = new AtomicInteger();
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Bystander> bystanders = new ArrayList<>();
  private CollabServer server;

  private void start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).meterRegistry(meters)
        .authenticator((token, connection) -> {
          authenticatorCalls.incrementAndGet();
          return token.startsWith("token-") ? Principal.of(token, "acme", Permission.WRITE)
              : TestTokens.TOKENS.authenticate(token, connection);
        })
        .hooks(new CollabHooks() {
          @Override
          public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal,
              Permission permission, String payload) {
            stateless.incrementAndGet();
          }
        })
        .auditLog(new AuditLog() {
          @Override
          public void opened(ConnectionInfo connection, Principal principal, DocumentKey key, Permission permission) {
            opened.incrementAndGet();
          }
        })).build().start();
  }

  /**
   * A watch of {@code attack} with bystanders on document "plans" (the attacked one) and "other"; the counters start
   * again from zero after they joined.
   */
  private ServerWatch watch(String attack) {
    bystanders.add(Bystander.join(server, "plans"));
    bystanders.add(Bystander.join(server, "other"));
    opened.set(0);
    authenticatorCalls.set(0);
    return Bystander.watch(attack, bystanders).heapBound(16 << 20).start();
  }

  @AfterEach
  void stop() throws Exception {
    bystanders.forEach(Bystander::close);
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A Hocuspocus socket, upgraded. */
  private OutputStream hocuspocus() throws Exception {
    Socket socket = RawWebSocket.open(server.port());
    sockets.add(socket);
    assertThat(RawWebSocket.upgrade(socket, "/", "")).contains(" 101 ");
    return socket.getOutputStream();
  }

  private static byte[] auth(String document, String token) {
    return RawHocuspocusClient.encode(document, 2, 0, token, "4.8.0");
  }

  private double throttled(String limit) {
    Counter counter = meters.find("collab.messages.throttled").tag("limit", limit).counter();
    return counter == null ? 0 : counter.count();
  }

  /**
   * Watches {@code done} from {@code startNanos} (taken before the write) until it reaches {@code total}: never more
   * than {@code burst} plus {@code perSecond} times the seconds since, plus one for rounding.
   */
  private static void assertPaced(IntSupplier done, int total, int burst, int perSecond, long startNanos)
      throws InterruptedException {
    assertPaced(done, () -> done.getAsInt() >= total, burst, perSecond, 1, startNanos);
    assertThat(done.getAsInt()).as("everything is handled in the end").isEqualTo(total);
  }

  /**
   * Watches {@code done} from {@code startNanos} (taken before the flood) until {@code finished} (for up to two
   * minutes): never more than {@code burst} plus {@code perSecond} times the seconds since, plus {@code slack}.
   */
  static void assertPaced(IntSupplier done, BooleanSupplier finished, int burst, int perSecond, int slack,
      long startNanos) throws InterruptedException {
    long deadline = startNanos + TimeUnit.SECONDS.toNanos(120);
    boolean end;
    do {
      Thread.sleep(10); // polling, not a bound: the bound is computed from the clock after each look
      end = finished.getAsBoolean();
      int n = done.getAsInt();
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      assertThat(n).as("done %.2f s after the flood began", seconds)
          .isLessThanOrEqualTo(burst + (int) Math.ceil(perSecond * seconds) + slack);
    } while (!end && System.nanoTime() < deadline);
    assertThat(end).as("finished within two minutes").isTrue();
  }

  @Test
  void messages_inOneRead_areHandledAtTheMessageRate_andNoneIsLost() throws Exception {
    start(b -> b.messageRate(20, 10));
    ServerWatch watch = watch("message flood");
    OutputStream out = hocuspocus();
    out.write(RawWebSocket.binaryFrames(auth("plans", "alice")));
    byte[][] flood = new byte[60][];
    for (int i = 0; i < flood.length; i++) {
      flood[i] = RawHocuspocusClient.encode("plans", 5, "ping " + i); // stateless: each one a hook call on the document
    }
    byte[] oneWrite = RawWebSocket.binaryFrames(flood);
    long start = System.nanoTime();
    out.write(oneWrite);
    assertPaced(stateless::get, 60, 10, 20, start);
    watch.check();
    assertThat(throttled("messages")).isPositive();
  }

  @Test
  void documentOpens_inOneRead_areHandledAtTheOpenRate() throws Exception {
    start(b -> b.documentOpenRate(10, 5).authentication(4, 1000, 1000));
    ServerWatch watch = watch("document opens in one read");
    OutputStream out = hocuspocus();
    byte[][] opens = new byte[25][];
    for (int i = 0; i < opens.length; i++) {
      opens[i] = auth("open-" + i, "alice");
    }
    long start = System.nanoTime();
    out.write(RawWebSocket.binaryFrames(opens));
    assertPaced(opened::get, 25, 5, 10, start);
    watch.check();
    assertThat(throttled("opens")).isPositive();
  }

  @Test
  void tokenChecks_inOneRead_areMadeAtTheAuthenticationRate() throws Exception {
    start(b -> b.authentication(2, 10, 2));
    ServerWatch watch = watch("token checks in one read");
    OutputStream out = hocuspocus();
    byte[][] tokens = new byte[22][];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = auth("tokens-" + i, "token-" + i); // each a different token: an authenticator call
    }
    long start = System.nanoTime();
    out.write(RawWebSocket.binaryFrames(tokens));
    assertPaced(authenticatorCalls::get, 22, 2, 10, start);
    watch.check();
    assertThat(throttled("authentications")).isPositive();
  }
}
