package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.YText;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulated client: a WebSocket connection, its own replica {@link Doc} and {@link Awareness}, and the
 * protocol's conversation. Edits are inserts of a few characters at a random place of the text {@code "t"} (within
 * its first {@link #EDIT_WINDOW} characters), each its own transaction, sent at once and registered with the
 * {@link LatencyTracker}.
 *
 * <p>A remote update is timed when it arrives, from its clock ranges ({@link Updates#parseMeta}), and applied to the
 * replica later, with the others that came meanwhile in one transaction: before the client's next edit (so every
 * edit is made on everything the client has received, as when each update was applied on arrival), before its
 * document is compared at the end, and whenever {@link #MAX_UNAPPLIED} wait. The replica's work per remote update is
 * then its decoding and integration, without a transaction, a cleanup and an update event of its own: the load
 * generator shares the machine with the server it measures, and every server gets the same cheaper generator.
 * A client without a replica ({@code LoadSettings#replicas()}) never applies a remote update after its initial
 * sync: it times the receipt and keeps the clocks received, which the convergence check compares with the server's
 * state vector; it cannot edit.
 *
 * <p>Everything but the futures and {@link #snapshot()} runs on the channel's event loop.
 */
final class LoadClient extends SimpleChannelInboundHandler<WebSocketFrame> implements LoadProtocol.Listener {
  static final String TEXT = "t";
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";
  /** Remote updates that may wait to be applied (a client that never edits applies them in batches of this many). */
  static final int MAX_UNAPPLIED = 64;
  /**
   * Edits land at a uniformly random place in the text's first this many characters (anywhere in a shorter text).
   * A replica that has just applied remote updates finds an index by walking its text from the start (core, as Yjs,
   * drops a text's search markers in every remote transaction), so a place anywhere in a text that grows with the
   * step's rate and length cost the generator more per edit the harder it drove the server: 57 µs of CPU per
   * delivery at peak-40 and 133 at peak-80, nearly all that walk, against 7 with this window (RESULTS.md, "Load,
   * round 8"). A server finds an edit's neighbours by their ids, whatever their index. 2,000 characters keep every
   * scenario but the peak steps as it was: their texts stay shorter.
   */
  static final int EDIT_WINDOW = 2_000;

  /** A client's document, as compared at the end. */
  record Snapshot(String text, byte[] stateVector, boolean connected) {}

  /** Counters shared by all clients of a run. */
  static final class Counters {
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder unexpectedCloses = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder messagesSent = new LongAdder();
    /** The payload bytes of the binary messages received (a receiver's share of the server's output). */
    final LongAdder bytesReceived = new LongAdder();
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
  /** Whether the client applies what it receives (see the class comment). */
  private final boolean replica;
  private final SplittableRandom random;
  private LoadProtocol.Conversation conversation;
  /** The clocks received so far, by client: the initial sync's state vector, then each remote update's end. */
  private final Map<Long, Integer> seen = new HashMap<>();
  /** Remote updates received and timed, not yet applied to {@link #doc}, in the order they came. */
  private final List<byte[]> unapplied = new ArrayList<>();
  /** The update of the client's edit being made (set by the edit's update listener). */
  private byte[] editUpdate;
  private Channel channel;
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
   * @param replica whether the client applies the updates it receives (only a replica can edit)
   */
  LoadClient(int index, String document, int node, LoadProtocol protocol, LatencyTracker tracker,
      Counters counters, int receivers, boolean replica, long seed) {
    this.index = index;
    this.document = document;
    this.node = node;
    this.protocol = protocol;
    this.tracker = tracker;
    this.counters = counters;
    this.receivers = receivers;
    this.replica = replica;
    this.random = new SplittableRandom(seed);
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
    counters.bytesReceived.add(frame.content().readableBytes());
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
    applyReceived();
    seen.putAll(doc.stateVector().toMap());
    synced.complete(receivedNanos);
  }

  @Override
  public void remoteUpdate(byte[] update) {
    long now = System.nanoTime();
    long key = LatencyTracker.key(update);
    if (key != -1 && key >>> 32 == doc.clientId()) {
      counters.echoes.increment(); // not a delivery: the sender has it already
    }
    // What the update adds, client by client (one message may hold several clients' merged updates).
    Updates.UpdateMeta meta = Updates.parseMeta(update);
    for (Map.Entry<Long, Integer> e : meta.to().entrySet()) {
      long client = e.getKey();
      int before = Math.max(seen.getOrDefault(client, 0), meta.from().get(client));
      if (client != doc.clientId() && e.getValue() > before) {
        tracker.received(client, before, e.getValue(), now, node);
        seen.put(client, e.getValue());
      }
    }
    if (!replica && synced.isDone()) {
      return;
    }
    unapplied.add(update);
    if (unapplied.size() >= MAX_UNAPPLIED) {
      applyReceived();
    }
  }

  @Override
  public void applyReceived() {
    if (unapplied.isEmpty()) {
      return;
    }
    try {
      doc.transact(txn -> {
        for (byte[] update : unapplied) {
          doc.applyUpdate(update, conversation);
        }
      }, conversation);
    } catch (RuntimeException e) {
      // A malformed update: as when one failed on arrival, the client counts it and closes.
      counters.protocolErrors.increment();
      fail(e);
      channel.close();
    } finally {
      unapplied.clear();
    }
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
    if (!replica) {
      throw new IllegalStateException("client " + index + " has no replica and cannot edit: give writers replicas");
    }
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
    int n = 1 + random.nextInt(3);
    StringBuilder chars = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      chars.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
    }
    applyReceived();
    YText text = doc.getText(TEXT);
    Subscription listening = doc.onUpdate((update, origin, txn) -> editUpdate = update);
    try {
      text.insert(random.nextInt(Math.min(text.length(), EDIT_WINDOW) + 1), chars.toString());
    } finally {
      listening.close();
    }
    byte[] update = editUpdate;
    editUpdate = null;
    tracker.sent(update, receivers, System.nanoTime(), node);
    if (protocol.acknowledges()) {
      tracker.ackRequested();
    }
    conversation.sendUpdate(update);
  }

  /**
   * The document's text and state vector, read on the event loop; any thread. Without a replica, the text is null
   * and the state vector is the clocks received.
   */
  io.netty.util.concurrent.Future<Snapshot> snapshot() {
    return channel.eventLoop().submit(() -> {
      if (!replica) {
        return new Snapshot(null, receivedStateVector(), channel.isActive());
      }
      applyReceived();
      return new Snapshot(doc.getText(TEXT).toString(), doc.encodeStateVector(), channel.isActive());
    });
  }

  /** {@link #seen} as an encoded state vector (its own edits are none: a client without a replica never edits). */
  private byte[] receivedStateVector() {
    Lib0Encoder out = new Lib0Encoder(8 + 10 * seen.size());
    out.writeVarUint(seen.size());
    seen.forEach((client, clock) -> {
      out.writeVarUint(client);
      out.writeVarUint(clock);
    });
    return out.toByteArray();
  }

  /** Closes the connection (an expected close); any thread. */
  void close() {
    closing = true;
    if (channel != null) {
      channel.close();
    }
  }
}
