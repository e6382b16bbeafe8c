package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.YText;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulated client: a WebSocket connection, its own replica {@link Doc} and {@link Awareness}, and the
 * protocol's conversation. Edits are inserts of a few characters at a random place of the text {@code "t"}, each
 * its own transaction, sent at once and registered with the {@link LatencyTracker}.
 *
 * <p>Everything but the futures and {@link #snapshot()} runs on the channel's event loop.
 */
final class LoadClient extends SimpleChannelInboundHandler<WebSocketFrame> implements LoadProtocol.Listener {
  static final String TEXT = "t";
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

  /** A client's document, as compared at the end. */
  record Snapshot(String text, byte[] stateVector, boolean connected) {}

  /** Counters shared by all clients of a run. */
  static final class Counters {
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder unexpectedCloses = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder messagesSent = new LongAdder();
    /** A client's own updates that the server sent back to it (the Node servers send every update to everyone). */
    final LongAdder echoes = new LongAdder();
    /** Set when the edits stop: one volatile read per edit, no round trip per client. */
    volatile boolean stopped;
  }

  final int index;
  final String document;
  /** Which server (of {@link LoadSettings#servers()}) the client connects to. */
  final int node;
  final long startNanos = System.nanoTime();
  /** Completes with {@link System#nanoTime()} when the WebSocket handshake is done. */
  final CompletableFuture<Long> handshaken = new CompletableFuture<>();
  /**
   * Completes with the {@link System#nanoTime()} of receiving the server's message that completed the initial sync
   * (before the client applied it: the time measures the server, not this replica).
   */
  final CompletableFuture<Long> synced = new CompletableFuture<>();

  private final Doc doc = Doc.create();
  private final Awareness awareness = new Awareness(doc);
  private final LoadProtocol protocol;
  private final LatencyTracker tracker;
  private final Counters counters;
  private final int receivers;
  private final SplittableRandom random;
  private LoadProtocol.Conversation conversation;
  /** The document's state vector after the last remote update (or the initial sync). */
  private StateVector seen = StateVector.empty();
  private Channel channel;
  private boolean editing;
  /** When the message being handled arrived. */
  private long receivedNanos;
  private volatile boolean closing;
  /** Why the connection failed or closed unasked (the first cause seen), and when; null while it has not. */
  private volatile String failure;
  private volatile long failedNanos;
  private ScheduledFuture<?> edits;
  private ScheduledFuture<?> renewals;

  /**
   * @param node which server the client connects to
   * @param receivers how many other clients the document has (each of them should receive every edit)
   */
  LoadClient(int index, String document, int node, LoadProtocol protocol, LatencyTracker tracker,
      Counters counters, int receivers, long seed) {
    this.index = index;
    this.document = document;
    this.node = node;
    this.protocol = protocol;
    this.tracker = tracker;
    this.counters = counters;
    this.receivers = receivers;
    this.random = new SplittableRandom(seed);
    doc.onUpdate((update, origin, txn) -> {
      if (editing) {
        tracker.sent(update, this.receivers, System.nanoTime(), node);
        if (protocol.acknowledges()) {
          tracker.ackRequested();
        }
        conversation.sendUpdate(update);
      }
    });
  }

  /** Gives the client's document this content before it connects (nothing is sent until the sync). */
  void preload(byte[] update) {
    doc.applyUpdate(update);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      handshaken.complete(System.nanoTime());
      conversation = protocol.newConversation(document, doc, awareness, this::send, this);
      awareness.setLocalState(Map.of("user", "load-" + index));
      conversation.opened();
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      handshaken.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
    }
    super.userEventTriggered(ctx, evt);
  }

  private void send(byte[] message) {
    counters.messagesSent.increment();
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)), channel.voidPromise());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame close) {
      if (!closing) {
        noteFailure("the server closed with " + close.statusCode() + " " + close.reasonText());
      }
      ctx.close();
      return;
    }
    if (!(frame instanceof BinaryWebSocketFrame) || conversation == null) {
      return;
    }
    counters.messagesReceived.increment();
    receivedNanos = System.nanoTime();
    try {
      conversation.received(ByteBufUtil.getBytes(frame.content()));
    } catch (RuntimeException e) {
      counters.protocolErrors.increment();
      fail(e);
      ctx.close();
    }
  }

  @Override
  public void synced() {
    seen = doc.stateVector();
    synced.complete(receivedNanos);
  }

  @Override
  public void remoteUpdate(byte[] update) {
    long now = System.nanoTime();
    long key = LatencyTracker.key(update);
    if (key != -1 && key >>> 32 == doc.clientId()) {
      counters.echoes.increment(); // not a delivery: the sender has it already
    }
    // What the update added, client by client (one message may hold several clients' merged updates).
    StateVector after = doc.stateVector();
    for (Map.Entry<Long, Integer> e : after.toMap().entrySet()) {
      long client = e.getKey();
      int before = seen.get(client);
      if (client != doc.clientId() && e.getValue() > before) {
        tracker.received(client, before, e.getValue(), now, node);
      }
    }
    seen = after;
  }

  @Override
  public void acknowledged(long sentNanos) {
    tracker.acknowledged(sentNanos, System.nanoTime());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTasks();
    if (!closing) {
      counters.unexpectedCloses.increment();
    }
    fail(new IllegalStateException("the connection closed without a close frame"));
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause);
    ctx.close();
  }

  void fail(Throwable cause) {
    noteFailure(cause.toString());
    handshaken.completeExceptionally(cause);
    synced.completeExceptionally(cause);
  }

  private void noteFailure(String why) {
    if (failure == null && !closing) {
      failedNanos = System.nanoTime();
      failure = why;
    }
  }

  /** Why the connection failed or closed without being asked to, or null. */
  String failure() {
    return failure;
  }

  /** When {@link #failure()} was seen ({@link System#nanoTime()}). */
  long failedNanos() {
    return failedNanos;
  }

  /** Starts editing {@code perSecond} times a second, the first after a random part of a period; any thread. */
  void startEditing(double perSecond) {
    long period = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
    long delay = random.nextLong(period);
    channel.eventLoop().execute(() -> edits = channel.eventLoop()
        .scheduleAtFixedRate(this::edit, delay, period, TimeUnit.NANOSECONDS));
  }

  /** Renews the awareness state every {@code nanos} (as y-protocols does every 15 s); any thread. */
  void startAwarenessRenewals(long nanos) {
    long delay = random.nextLong(nanos);
    channel.eventLoop().execute(() -> renewals = channel.eventLoop().scheduleAtFixedRate(() -> {
      awareness.setLocalState(awareness.localState());
      conversation.sendAwareness();
    }, delay, nanos, TimeUnit.NANOSECONDS));
  }

  /**
   * Stops editing and renewing (at once: an edit that starts later does nothing); any thread. The caller waits
   * for edits already running by running a task on every event loop.
   */
  void stop() {
    counters.stopped = true;
    if (channel != null) {
      channel.eventLoop().execute(this::cancelTasks);
    }
  }

  private void cancelTasks() {
    if (edits != null) {
      edits.cancel(false);
    }
    if (renewals != null) {
      renewals.cancel(false);
    }
  }

  private void edit() {
    if (counters.stopped || !channel.isActive()) {
      return;
    }
    YText text = doc.getText(TEXT);
    int n = 1 + random.nextInt(3);
    StringBuilder chars = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      chars.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
    }
    editing = true;
    try {
      text.insert(random.nextInt(text.length() + 1), chars.toString());
    } finally {
      editing = false;
    }
  }

  /** The document's text and state vector, read on the event loop; any thread. */
  io.netty.util.concurrent.Future<Snapshot> snapshot() {
    return channel.eventLoop().submit(() -> new Snapshot(doc.getText(TEXT).toString(), doc.encodeStateVector(),
        channel.isActive()));
  }

  /** Closes the connection (an expected close); any thread. */
  void close() {
    closing = true;
    if (channel != null) {
      channel.close();
    }
  }
}
