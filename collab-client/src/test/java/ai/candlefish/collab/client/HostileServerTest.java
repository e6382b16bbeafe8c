package ai.candlefish.collab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.protocol.CollabV1Frames;
import ai.candlefish.collab.protocol.v1.Ack;
import ai.candlefish.collab.protocol.v1.Awareness;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Error;
import ai.candlefish.collab.protocol.v1.Opened;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.SyncStep2;
import ai.candlefish.collab.protocol.v1.Welcome;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a collab/1 server that misbehaves, as an outside suite's fake server would: it drops a
 * document right after the client's update, sends bytes that are no protobuf, or closes in the middle of the sync.
 * The client must not hang (every edit's future settles, every open completes), lose a local edit, or leave threads
 * behind. The fake server is a script over a real socket: each test says what it answers to each client frame.
 */
class HostileServerTest {
  private static final String DOC = "plans";

  /** What the fake server does with a client frame; {@code connection} counts the client's connections from 1. */
  private interface Script {
    void onFrame(ChannelHandlerContext ctx, int connection, ClientFrame frame);
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final AtomicInteger connections = new AtomicInteger();
  /** Every update the server received, on any connection. */
  private final List<byte[]> received = new CopyOnWriteArrayList<>();
  private CollabClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private URI serve(Script script) {
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int connection = connections.incrementAndGet();
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                new WebSocketServerProtocolHandler("/", CollabV1Frames.SUBPROTOCOL),
                new SimpleChannelInboundHandler<BinaryWebSocketFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, BinaryWebSocketFrame frame)
                      throws InvalidProtocolBufferException {
                    ClientFrame f = ClientFrame.parseFrom(frame.content().nioBuffer());
                    if (f.hasUpdate()) {
                      received.add(f.getUpdate().getUpdate().toByteArray());
                    }
                    script.onFrame(ctx, connection, f);
                  }
                });
          }
        }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
  }

  private static void send(ChannelHandlerContext ctx, ServerFrame.Builder frame) {
    ctx.writeAndFlush(CollabV1Frames.binaryFrame(ctx.alloc(), frame.build()));
  }

  /** What a well-behaved server answers to the handshake and an open: welcome, opened, and an empty sync step 2. */
  private static boolean handshake(ChannelHandlerContext ctx, ClientFrame f) {
    if (f.hasHello()) {
      send(ctx, ServerFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
      return true;
    }
    if (f.hasOpen()) {
      send(ctx, ServerFrame.newBuilder().setOpened(Opened.newBuilder().setDocument(DOC)));
      send(ctx, ServerFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(DOC)
          .setUpdate(ByteString.copyFrom(Updates.empty()))));
      return true;
    }
    return false;
  }

  private static void ack(ChannelHandlerContext ctx, ClientFrame f) {
    send(ctx, ServerFrame.newBuilder().setAck(Ack.newBuilder().setDocument(DOC).setAckId(f.getUpdate().getAckId())));
  }

  private ClientDocument open(URI uri) throws Exception {
    client = CollabClient.newBuilder().uri(uri).token("t").reconnect(Duration.ofMillis(20), Duration.ofMillis(100))
        .build();
    client.connect();
    return client.open(DOC).get(10, TimeUnit.SECONDS);
  }

  /** Inserts {@code text} and waits for the server's acknowledgement. */
  private static void insertAcknowledged(ClientDocument doc, String text) throws Exception {
    doc.edit(tx -> doc.doc().getText("t").insert(0, text)).get(10, TimeUnit.SECONDS);
  }

  /** Whether the server received {@code text} in t, in any of the updates it was sent. */
  private boolean serverHas(String text) {
    Doc doc = Doc.create();
    received.forEach(doc::applyUpdate);
    return doc.getText("t").toString().equals(text);
  }

  @Test
  void documentDroppedAfterAnUpdate_theEditIsSentAgainWhenItReopens_andItsFutureSettles() throws Exception {
    // The server takes the document away (4503: try again) after the first update, without acknowledging it, as a
    // server does whose store failed; the client reopens it on the same connection. Before, the edit counted as
    // sent on this connection, was never sent again, and its future never completed.
    URI uri = serve((ctx, connection, f) -> {
      if (handshake(ctx, f)) {
        return;
      }
      if (f.hasUpdate() && received.size() == 1) {
        send(ctx, ServerFrame.newBuilder().setError(Error.newBuilder().setDocument(DOC).setCode(4503)
            .setMessage("document unavailable, try again later")));
      } else if (f.hasUpdate()) {
        ack(ctx, f);
      }
    });
    ClientDocument doc = open(uri);

    CompletableFuture<Void> edit = doc.edit(tx -> doc.doc().getText("t").insert(0, "kept"));

    edit.get(10, TimeUnit.SECONDS);
    assertThat(received).hasSizeGreaterThanOrEqualTo(2);
    assertThat(doc.unacknowledged()).isZero();
    assertThat(connections.get()).as("the document was reopened on the same connection").isEqualTo(1);
  }

  /** A server that refuses the first update it receives by its ack id with {@code code}, and acknowledges the rest. */
  private URI refusingTheFirstUpdate(int code, String message) {
    return serve((ctx, connection, f) -> {
      if (handshake(ctx, f)) {
        return;
      }
      if (f.hasUpdate() && received.size() == 1) {
        send(ctx, ServerFrame.newBuilder().setError(Error.newBuilder().setDocument(DOC)
            .setAckId(f.getUpdate().getAckId()).setCode(code).setMessage(message)));
      } else if (f.hasUpdate()) {
        ack(ctx, f);
      }
    });
  }

  /**
   * The server refuses the update by its ack id with "try again later" (1013, a store that is behind) and keeps the
   * connection and the document. Before, the client took any Error with an ack id as final: it dropped the edit
   * from what it sends again and failed its future, so an edit the server would have taken a moment later was lost.
   */
  @Test
  void updateRefusedForNow_byItsAckId_isSentAgainOnTheSameConnection_andAcknowledged() throws Exception {
    ClientDocument doc = open(refusingTheFirstUpdate(1013, "update refused: try again later"));

    insertAcknowledged(doc, "kept");

    assertThat(received).hasSize(2);
    assertThat(serverHas("kept")).isTrue();
    assertThat(doc.unacknowledged()).isZero();
    assertThat(connections.get()).isEqualTo(1);
  }

  /**
   * A refusal for good by the update's ack id (4413: beyond the document's size) fails that edit's future and no
   * other, and the edit is not sent again (the server would refuse it again); later edits go on.
   */
  @Test
  void updateRefusedForGood_byItsAckId_failsThatEditOnly_andIsNotSentAgain() throws Exception {
    ClientDocument doc = open(refusingTheFirstUpdate(4413, "update refused: too large"));

    CompletableFuture<Void> refused = doc.edit(tx -> doc.doc().getText("t").insert(0, "refused"));
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(RefusedException.class)
        .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(4413));
    doc.edit(tx -> doc.doc().getText("u").insert(0, "later")).get(10, TimeUnit.SECONDS);

    assertThat(received).hasSize(2);
    long client = doc.doc().clientId();
    assertThat(Updates.parseMeta(received.get(1)).from()).as("the refused edit's clocks 0-6 are not sent again")
        .containsExactly(Map.entry(client, "refused".length()));
    assertThat(doc.unacknowledged()).isZero();
  }

  @Test
  void garbageInsteadOfAnAck_theClientReconnects_andTheEditIsAcknowledgedThere() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (handshake(ctx, f)) {
        return;
      }
      if (f.hasUpdate() && connection == 1) {
        ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0x7f, 0x0a})));
      } else if (f.hasUpdate()) {
        ack(ctx, f);
      }
    });
    ClientDocument doc = open(uri);

    insertAcknowledged(doc, "kept");

    assertThat(connections.get()).isEqualTo(2);
    assertThat(serverHas("kept")).isTrue();
  }

  @Test
  void closedInTheMiddleOfTheSync_theOpenCompletesOnTheNextConnection_andOfflineEditsArrive() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (f.hasOpen() && connection == 1) {
        // Opened, then gone before the sync step 2 that would complete the open.
        send(ctx, ServerFrame.newBuilder().setOpened(Opened.newBuilder().setDocument(DOC)));
        ctx.channel().eventLoop().schedule(() -> ctx.channel().close(), 50, TimeUnit.MILLISECONDS);
      } else if (handshake(ctx, f)) {
        return;
      } else if (f.hasUpdate()) {
        ack(ctx, f);
      }
    });
    ClientDocument doc = open(uri);

    insertAcknowledged(doc, "after");

    assertThat(connections.get()).isGreaterThanOrEqualTo(2);
    assertThat(serverHas("after")).isTrue();
  }

  @Test
  void close_leavesNoThreadOfTheClientBehind_afterAServerThatMisbehaved() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (handshake(ctx, f)) {
        return;
      }
      ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {0x08})));
    });
    ClientDocument doc = open(uri);
    doc.edit(tx -> doc.doc().getText("t").insert(0, "x"));
    await().atMost(Duration.ofSeconds(10)).until(() -> connections.get() >= 3);
    // Its threads are "collab-client-<n>" (the lane) and "collab-client-<n>-io" (its event loop).
    String id = client.toString().replaceAll("^CollabClient\\[(\\d+),.*$", "$1");
    String lane = "collab-client-" + id;

    client.close();
    client = null;

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.isAlive() && (t.getName().equals(lane) || t.getName().startsWith(lane + "-"))).isEmpty());
  }

  /**
   * The connection drops; while the client waits to reconnect its token expires, and the next connection is refused
   * with 4401 (the server's Error, then its close frame). The client gives up for good: the edit made offline and a
   * document opened meanwhile fail with the refusal (nothing waits for ever), and it does not come back.
   */
  @Test
  void refusedWith4401AfterADrop_whatWaitedFailsWithTheRefusal_andTheClientStops() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (connection == 1 && handshake(ctx, f)) {
        return;
      }
      if (connection == 1 && f.hasUpdate()) {
        ctx.channel().close(); // dropped without a close frame, the update unacknowledged
      } else if (f.hasHello()) {
        send(ctx, ServerFrame.newBuilder().setError(Error.newBuilder().setCode(4401).setMessage("token expired")));
        ctx.writeAndFlush(new CloseWebSocketFrame(4401, "token expired")).addListener(ChannelFutureListener.CLOSE);
      }
    });
    List<Integer> closes = new CopyOnWriteArrayList<>();
    client = CollabClient.newBuilder().uri(uri).token("t").reconnect(Duration.ofMillis(200), Duration.ofMillis(400))
        .listener(new CollabClientListener() {
          @Override
          public void onDisconnected(int code, String reason) {
            closes.add(code);
          }
        }).build();
    client.connect().get(10, TimeUnit.SECONDS);
    ClientDocument doc = client.open(DOC).get(10, TimeUnit.SECONDS);

    CompletableFuture<Void> sent = doc.edit(tx -> doc.doc().getText("t").insert(0, "sent"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
    CompletableFuture<Void> offline = doc.edit(tx -> doc.doc().getText("t").insert(0, "offline "));
    CompletableFuture<ClientDocument> other = client.open("other");

    for (CompletableFuture<?> waiting : List.of(sent, offline, other)) {
      assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(RefusedException.class)
          .hasMessageContaining("4401");
    }
    assertThat(closes).contains(4401);
    assertThat(connections.get()).isEqualTo(2);
    assertThat(doc.doc().getText("t").toString()).as("kept locally").isEqualTo("offline sent");
  }

  /**
   * The server closes the connection as the client answers its sync step 1 (the client's step 2, with everything it
   * has, is on the wire; its unacknowledged edit went just before): on the next connection the client syncs again,
   * and the edit made while it was away arrives, acknowledged.
   */
  @Test
  void closedAsTheClientAnswersTheServersStep1_theNextConnectionCarriesItsEdits() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (f.hasHello()) {
        send(ctx, ServerFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
      } else if (f.hasOpen()) {
        send(ctx, ServerFrame.newBuilder().setOpened(Opened.newBuilder().setDocument(DOC)));
        send(ctx, ServerFrame.newBuilder().setSyncStep1(SyncStep1.newBuilder().setDocument(DOC)
            .setStateVector(ByteString.copyFrom(new byte[] {0}))));
        send(ctx, ServerFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(DOC)
            .setUpdate(ByteString.copyFrom(Updates.empty()))));
      } else if (f.hasSyncStep2() && connection == 2) {
        ctx.channel().close();
      } else if (f.hasUpdate() && connection != 2) {
        ack(ctx, f);
        if (connection == 1) {
          ctx.channel().close(); // a restart, right after the first acknowledgement
        }
      }
    });
    ClientDocument doc = open(uri);
    insertAcknowledged(doc, "first ");

    CompletableFuture<Void> later = doc.edit(tx -> doc.doc().getText("t").insert(0, "second "));

    later.get(20, TimeUnit.SECONDS);
    assertThat(connections.get()).isGreaterThanOrEqualTo(3);
    assertThat(serverHas("second first ")).isTrue();
  }

  /** Text a hostile server puts in its reasons: a forged log line, terminal escapes, and a megabyte. */
  private static final String FORGED = "no\r\n2026-12-06 10:00:00 ERROR forged line\u001b[2J\u001b[31m\u202E";

  /** Whether {@code message} could be written into a log as it is: one line, no escapes, bounded. */
  private static void assertLoggable(String message) {
    assertThat(message).doesNotContain("\r", "\n", "\u001b", "\u202E").hasSizeLessThan(1200);
  }

  /**
   * The server refuses a document with a reason that would forge log lines and fill the log (collab/1's Error has
   * no length limit): the refusal's message, which the client logs and applications log, has it escaped and cut;
   * the listener gets the server's words as they came.
   */
  @Test
  void documentRefusedWithAHostileReason_theRefusalsMessageIsOneBoundedLine() throws Exception {
    String reason = FORGED + "x".repeat(1 << 20);
    URI uri = serve((ctx, connection, f) -> {
      if (f.hasHello()) {
        send(ctx, ServerFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
      } else if (f.hasOpen()) {
        send(ctx, ServerFrame.newBuilder().setError(Error.newBuilder().setDocument(DOC).setCode(4403)
            .setMessage(reason)));
      }
    });
    List<String> heard = new CopyOnWriteArrayList<>();
    client = CollabClient.newBuilder().uri(uri).token("t").listener(new CollabClientListener() {
      @Override
      public void onDocumentRefused(String document, int code, String message) {
        heard.add(message);
      }
    }).build();
    client.connect().get(10, TimeUnit.SECONDS);
    Throwable refused = catchThrowable(() -> client.open(DOC).get(10, TimeUnit.SECONDS))
        .getCause();
    assertThat(refused).isInstanceOf(RefusedException.class).hasMessageContaining("4403")
        .hasMessageContaining("no\\u000d\\u000a2026-12-06").hasMessageContaining("more characters)");
    assertLoggable(refused.getMessage());
    assertThat(heard).containsExactly(reason);
  }

  /** The server closes the connection with 4401 and a hostile close reason: the client gives up with one line. */
  @Test
  void connectionRefusedWithAHostileCloseReason_theRefusalsMessageIsOneLine() throws Exception {
    URI uri = serve((ctx, connection, f) -> {
      if (f.hasHello()) {
        ctx.writeAndFlush(new CloseWebSocketFrame(4401, FORGED)).addListener(ChannelFutureListener.CLOSE);
      }
    });
    client = CollabClient.newBuilder().uri(uri).token("t").build();
    Throwable refused = catchThrowable(() -> client.connect().get(10, TimeUnit.SECONDS)).getCause();
    assertThat(refused).isInstanceOf(RefusedException.class).hasMessageContaining("4401")
        .hasMessageContaining("forged line\\u001b[2J");
    assertLoggable(refused.getMessage());
  }
  @Test
  void presenceFlood_theClientKeepsAtMostItsLimits() throws Exception {
    // A 1 MiB state, then 40,000 other clients' presence in updates of 2,000 (a few bytes each), then a renewal of
    // the first flood client's state as the end mark; before, the client kept all of them (each id's clock for good,
    // each state until it timed out after 30 s), whatever their number and size.
    URI uri = serve((ctx, connection, f) -> {
      handshake(ctx, f);
      if (f.hasOpen()) {
        sendPresence(ctx, presence(1, 7, "{\"x\":\"" + "y".repeat(1 << 20) + "\"}"));
        for (int batch = 0; batch < 20; batch++) {
          ByteArrayOutputStream update = new ByteArrayOutputStream();
          writeVarUint(update, 2_000);
          for (int i = 0; i < 2_000; i++) {
            update.writeBytes(entry(1_000_000L + batch * 2_000L + i, 1, "{}"));
          }
          sendPresence(ctx, update.toByteArray());
        }
        sendPresence(ctx, presence(2, 1_000_000L, "{\"last\":true}"));
      }
    });
    client = CollabClient.newBuilder().uri(uri).token("t").awarenessLimits(100, 1024).build();
    client.connect();
    ClientDocument doc = client.open(DOC).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> Map.of("last", true).equals(doc.awareness().states()
        .get(1_000_000L)));
    assertThat(doc.awareness().knownClients()).as("the local client and 100 others").hasSize(101);
    assertThat(doc.awareness().states()).hasSize(101).doesNotContainKey(7L);
    assertThat(doc.awareness().ignoredEntries()).isEqualTo(1 + 40_000 - 100);
  }

  @Test
  void updatesThatNeverIntegrate_theClientKeepsAtMostItsPendingLimit() throws Exception {
    // 262,144 structs whose origin never arrives, 4 bytes each (1 MiB): before, the client kept every one (~27 MiB
    // of heap per such message, for as long as the document was open), whatever their number.
    ByteArrayOutputStream waiting = new ByteArrayOutputStream();
    int n = 262_144;
    writeVarUint(waiting, 1);
    writeVarUint(waiting, n);
    writeVarUint(waiting, 2); // client
    writeVarUint(waiting, 0); // first clock
    for (int i = 0; i < n; i++) {
      waiting.write(0x81); // has origin; content: deleted
      writeVarUint(waiting, 1); // origin 1:0, which never arrives
      writeVarUint(waiting, 0);
      writeVarUint(waiting, 1); // length
    }
    writeVarUint(waiting, 0);
    Doc end = Doc.create();
    end.getText("t").insert(0, "end");
    URI uri = serve((ctx, connection, f) -> {
      if (f.hasHello()) {
        send(ctx, ServerFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
      } else if (f.hasOpen()) {
        send(ctx, ServerFrame.newBuilder().setOpened(Opened.newBuilder().setDocument(DOC)));
        send(ctx, ServerFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(DOC)
            .setUpdate(ByteString.copyFrom(waiting.toByteArray()))));
        send(ctx, ServerFrame.newBuilder().setUpdate(ai.candlefish.collab.protocol.v1.Update.newBuilder()
            .setDocument(DOC).setUpdate(ByteString.copyFrom(end.encodeStateAsUpdate()))));
      }
    });
    client = CollabClient.newBuilder().uri(uri).token("t").build();
    client.connect();
    ClientDocument doc = client.open(DOC).get(10, TimeUnit.SECONDS);
    Doc local = doc.doc();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      synchronized (local) { // the client applies what the server sends under the document's lock
        return "end".equals(local.getText("t").toString());
      }
    });
    synchronized (local) {
      assertThat(local.hasPendingUpdates()).as("what would wait beyond 16 MiB was dropped").isFalse();
    }
    assertThat(client.isConnected()).isTrue();
  }

  /**
   * {@code n} subdocument references in root map "m" under keys and guids {@code from}, {@code from + 1}, ... of
   * client {@code client}, written directly (~13 bytes each, as Yjs writes them; ~1.3 KB of heap each).
   */
  private static byte[] subdocuments(long client, int from, int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarUint(out, 1); // one client
    writeVarUint(out, n);
    writeVarUint(out, client);
    writeVarUint(out, 0); // from clock 0
    for (int i = from; i < from + n; i++) {
      byte[] name = Integer.toString(i, 36).getBytes(StandardCharsets.UTF_8);
      out.write(9 | 0x20); // ContentDoc, with a key in its parent
      writeVarUint(out, 1); // the parent is a root, by name
      writeVarUint(out, 1);
      out.write('m');
      for (int twice = 0; twice < 2; twice++) { // the key, then the guid
        writeVarUint(out, name.length);
        out.writeBytes(name);
      }
      out.write(118); // options: an empty object
      writeVarUint(out, 0);
    }
    writeVarUint(out, 0); // no deletions
    return out.toByteArray();
  }

  /** Welcomes the client, and opens any document it asks for with {@code state.apply(name)} as its sync step 2. */
  private static void opening(ChannelHandlerContext ctx, ClientFrame f, Function<String, byte[]> state) {
    if (f.hasHello()) {
      send(ctx, ServerFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
    } else if (f.hasOpen()) {
      String name = f.getOpen().getDocument();
      send(ctx, ServerFrame.newBuilder().setOpened(Opened.newBuilder().setDocument(name)));
      send(ctx, ServerFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(name)
          .setUpdate(ByteString.copyFrom(state.apply(name)))));
    }
  }

  private static void sendUpdate(ChannelHandlerContext ctx, String document, byte[] update) {
    send(ctx, ServerFrame.newBuilder().setUpdate(ai.candlefish.collab.protocol.v1.Update.newBuilder()
        .setDocument(document).setUpdate(ByteString.copyFrom(update))));
  }

  /**
   * A server that asks again and again for the whole document (sync step 1 with an empty state vector) and reads
   * nothing: before, every answer (the document's whole state, 256 KiB here) waited in the client's memory without
   * bound, 100 MB for these 400 requests. Past maxQueuedBytes the client closes the connection, says why once,
   * reconnects, and its unacknowledged edit reaches the server on the next connection.
   */
  @Test
  void serverThatAsksAndNeverReads_theClientClosesPastMaxQueuedBytes_andItsEditArrivesOnTheNextConnection()
      throws Exception {
    Doc big = Doc.create();
    big.getText("t").insert(0, "x".repeat(256 * 1024));
    byte[] state = big.encodeStateAsUpdate();
    long maxQueued = 1 << 20;
    URI uri = serve((ctx, connection, f) -> {
      if (connection > 1) {
        if (!handshake(ctx, f) && f.hasUpdate()) {
          ack(ctx, f);
        }
        return;
      }
      opening(ctx, f, name -> state);
      if (f.hasUpdate()) {
        ctx.channel().config().setAutoRead(false);
        for (int i = 0; i < 400; i++) {
          send(ctx, ServerFrame.newBuilder().setSyncStep1(SyncStep1.newBuilder().setDocument(DOC)
              .setStateVector(ByteString.copyFrom(new byte[] {0}))));
        }
      }
    });
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    client = CollabClient.newBuilder().uri(uri).token("t").reconnect(Duration.ofMillis(20), Duration.ofMillis(100))
        .maxQueuedBytes(maxQueued).listener(new CollabClientListener() {
          @Override
          public void onError(Throwable error) {
            errors.add(error);
          }
        }).build();
    client.connect();
    ClientDocument doc = client.open(DOC).get(10, TimeUnit.SECONDS);

    doc.edit(tx -> doc.doc().getText("t").insert(0, "kept")).get(30, TimeUnit.SECONDS);

    assertThat(connections.get()).isEqualTo(2);
    assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class).extracting(Throwable::getMessage)
        .asString().contains("maxQueuedBytes of " + maxQueued);
    Doc server = Doc.create();
    server.applyUpdate(state);
    received.forEach(server::applyUpdate);
    assertThat(server.getText("t").toString()).startsWith("kept").hasSize(4 + 256 * 1024);
  }

  /** The documents the client said it leaves ({@code Close}), in order. */
  private final List<String> left = new CopyOnWriteArrayList<>();

  @Test
  void documentThatHoldsMoreThanMaxDocumentBytes_isClosed_itsOpenFailsNamingTheSetting_andOthersGoOn()
      throws Exception {
    // 200,000 subdocument references in ~3 MB hold ~260 MB (a Doc each): before, the client applied them whatever
    // they held (a 16 MiB message of them ~1.4 GB). Over the default 128 MiB, the document is closed.
    byte[] flood = subdocuments(5, 0, 200_000);
    assertThat(flood.length).isLessThan(3 << 20);
    Doc fine = Doc.create();
    fine.getText("t").insert(0, "fine");
    URI uri = serve((ctx, connection, f) -> {
      opening(ctx, f, name -> name.equals(DOC) ? flood : fine.encodeStateAsUpdate());
      if (f.hasClose()) {
        left.add(f.getClose().getDocument());
      }
    });
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    client = CollabClient.newBuilder().uri(uri).token("t").listener(new CollabClientListener() {
      @Override
      public void onError(Throwable error) {
        errors.add(error);
      }
    }).build();
    client.connect().get(10, TimeUnit.SECONDS);

    Throwable refused = catchThrowable(() -> client.open(DOC).get(30, TimeUnit.SECONDS)).getCause();

    assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessageContaining("maxDocumentBytes")
        .hasMessageContaining(Long.toString(128L << 20));
    assertThat(errors).singleElement().isSameAs(refused);
    await().atMost(Duration.ofSeconds(10)).until(() -> left.contains(DOC));
    ClientDocument other = client.open("other").get(10, TimeUnit.SECONDS);
    assertThat(other.doc().getText("t").toString()).isEqualTo("fine");
    assertThat(client.isConnected()).isTrue();
    assertThat(connections.get()).isEqualTo(1);
    // Open again, it fails again: the client never holds it.
    assertThatThrownBy(() -> client.open(DOC).get(30, TimeUnit.SECONDS)).cause()
        .hasMessageContaining("maxDocumentBytes");
  }

  @Test
  void documentGrownPastMaxDocumentBytes_byManyUpdates_isClosed_whileUpdatesThatPassThroughAreNotCounted()
      throws Exception {
    // 4,000 keystrokes (~100 KB of updates, ~8 KB held once merged) pass through "typed", under a limit of 64 KiB:
    // it stays open. The other document gets 10 subdocuments an update (~15 KB held each) until it is closed.
    Doc typist = Doc.newBuilder().clientId(8).build();
    List<byte[]> keystrokes = new ArrayList<>();
    typist.onUpdate((u, o, t) -> keystrokes.add(u));
    for (int i = 0; i < 4_000; i++) {
      typist.getText("t").insert(i, "k");
    }
    URI uri = serve((ctx, connection, f) -> {
      opening(ctx, f, name -> Updates.empty());
      if (f.hasOpen() && f.getOpen().getDocument().equals("typed")) {
        keystrokes.forEach(u -> sendUpdate(ctx, "typed", u));
      } else if (f.hasOpen()) {
        for (int batch = 0; batch < 40; batch++) {
          sendUpdate(ctx, DOC, subdocuments(10 + batch, batch * 10, 10));
        }
      } else if (f.hasClose()) {
        left.add(f.getClose().getDocument());
      }
    });
    client = CollabClient.newBuilder().uri(uri).token("t").maxDocumentBytes(64 * 1024).build();
    client.connect().get(10, TimeUnit.SECONDS);
    ClientDocument typed = client.open("typed").get(10, TimeUnit.SECONDS);
    ClientDocument grown = client.open(DOC).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> left.contains(DOC));
    synchronized (grown.doc()) {
      assertThat(grown.doc().getMap("m").size()).as("what fits in 64 KiB, in whole updates").isBetween(10, 50);
    }
    assertThatThrownBy(() -> grown.edit(tx -> grown.doc().getText("x").insert(0, "x")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      synchronized (typed.doc()) {
        return typed.doc().getText("t").length() == 4_000;
      }
    });
    assertThat(left).containsExactly(DOC);
    assertThat(client.isConnected()).isTrue();
  }

  /** An awareness update of one entry: client {@code client}'s state {@code json} at {@code clock}. */
  private static byte[] presence(long clock, long client, String json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarUint(out, 1);
    out.writeBytes(entry(client, clock, json));
    return out.toByteArray();
  }

  private static byte[] entry(long client, long clock, String json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarUint(out, client);
    writeVarUint(out, clock);
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    writeVarUint(out, utf8.length);
    out.writeBytes(utf8);
    return out.toByteArray();
  }

  private static void writeVarUint(ByteArrayOutputStream out, long value) {
    while (value >= 0x80) {
      out.write((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static void sendPresence(ChannelHandlerContext ctx, byte[] update) {
    send(ctx, ServerFrame.newBuilder().setAwareness(Awareness.newBuilder().setDocument(DOC)
        .setUpdate(ByteString.copyFrom(update))));
  }
}
