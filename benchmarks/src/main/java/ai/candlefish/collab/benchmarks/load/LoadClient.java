package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.YText;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
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
 * One simulated client: a WebSocket connection, its own {@link Doc} and {@link Awareness}, and the protocol's
 * conversation. Edits are inserts of a few characters at a random place of the text {@code "t"} (within its first
 * {@link #EDIT_WINDOW} characters), each its own transaction, sent at once and registered with the
 * {@link LatencyTracker}.
 *
 * <p>The client's document holds the server's state at the initial sync and the client's own edits, never what it
 * receives later: a remote update is only timed and counted on arrival, from its clock ranges ({@link ClockRanges}),
 * and the clocks received are kept. So an edit's neighbours are the initial text and the client's own earlier
 * inserts, all of which the server holds (its updates reach the server in order), and the server receives the same
 * kind of update as from an editor who saw everything: an insert of 1-3 letters next to structs named by their ids.
 * What the generator saves is what a server does not do per delivery: integrating every update into every replica,
 * and each edit's walk to its index through a text whose search markers every remote transaction dropped (58 % of
 * the old generator's samples at peak-40; RESULTS.md, "Load, round 9").
 *
 * <p>A client with a replica ({@code LoadSettings#replicas()}) also keeps a second document that applies every update
 * it receives and every edit of its own, in batches ({@link #MAX_UNAPPLIED} at most waiting): the convergence check
 * compares that replica's text and state vector with the server's, and every other client's clocks (received and
 * its own) with the server's state vector.
 *
 * <p>Everything but the futures and {@link #snapshot()} runs on the channel's event loop.
 */
final class LoadClient extends SimpleChannelInboundHandler<WebSocketFrame> implements LoadProtocol.Listener {
  static final String TEXT = "t";
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";
  /** Updates that may wait to be applied to the replica. */
  static final int MAX_UNAPPLIED = 64;
  /**
   * Edits land at a uniformly random place in the first this many characters of the client's document (anywhere in
   * a shorter one), so that a scenario that starts from a long text (join's, a seeded one) edits near its start.
   */
  static final int EDIT_WINDOW = 2_000;
  /** How long {@link #leave()} waits for the server's close frame. */
  static final int LEAVE_SECONDS = 10;

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
  /**
   * When the connection became active on this client's event loop, which is when Netty's handshaker wrote the
   * upgrade request ({@link System#nanoTime()}); 0 until then. A server closes a connection whose request does not
   * come within its upgrade timeout (collab-netty: 10 s from accepting it), so a late one tells a stalled generator
   * from a server that closed a waiting client.
   */
  volatile long activeNanos;
  /** Completes with {@link System#nanoTime()} when the WebSocket handshake is done. */
  final CompletableFuture<Long> handshaken = new CompletableFuture<>();
  /**
   * Completes with the {@link System#nanoTime()} of receiving the server's message that completed the initial sync
   * (before the client applied it: the time measures the server, not this replica).
   */
  final CompletableFuture<Long> synced = new CompletableFuture<>();

  /** The initial sync's state and the client's own edits (see the class comment). */
  private final Doc doc = Doc.create();
  private final Awareness awareness = new Awareness(doc);
  private final LoadProtocol protocol;
  private final LatencyTracker tracker;
  private final Counters counters;
  private final int receivers;
  /** Whether the client keeps {@link #replica} (see the class comment). */
  private final boolean keepsReplica;
  private final SplittableRandom random;
  private LoadProtocol.Conversation conversation;
  /** The clock ranges of the update being received (reused). */
  private final ClockRanges ranges = new ClockRanges();
  /**
   * The clocks received so far, by client: the initial sync's state vector, then the end of each remote update
   * that follows on what the client holds (one that leaves a gap is counted as a delivery but not here, so that the
   * convergence check finds the gap).
   */
  private final Map<Long, Long> seen = new HashMap<>();
  /** Every update received and made since the initial sync, applied in batches; null until then, or without one. */
  private Doc replica;
  /** Updates received or made, not yet applied to {@link #replica}, in the order they came. */
  private final List<byte[]> unapplied = new ArrayList<>();
  /** The update of the latest transaction of {@link #doc} (an edit's, set by its update listener). */
  private byte[] lastUpdate;
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
   * @param keepsReplica whether the client also applies every update it receives and makes to a replica of the
   *     document, for the convergence check
   */
  LoadClient(int index, String document, int node, LoadProtocol protocol, LatencyTracker tracker,
      Counters counters, int receivers, boolean keepsReplica, long seed) {
    this.index = index;
    this.document = document;
    this.node = node;
    this.protocol = protocol;
    this.tracker = tracker;
    this.counters = counters;
    this.receivers = receivers;
    this.keepsReplica = keepsReplica;
    this.random = new SplittableRandom(seed);
    doc.onUpdate((update, origin, txn) -> {
      lastUpdate = update;
      if (replica != null) {
        unapplied.add(update); // an edit, or what a later sync step brought
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
        ctx.close();
      } // else the answer to leave(): the server closes the connection next (RFC 6455 7.1.1)
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
    doc.stateVector().toMap().forEach((client, clock) -> seen.merge(client, (long) clock, Math::max));
    if (keepsReplica && replica == null) {
      replica = Doc.create();
      replica.applyUpdate(doc.encodeStateAsUpdate());
    }
    synced.complete(receivedNanos);
  }

  @Override
  public void remoteUpdate(byte[] update) {
    long now = System.nanoTime();
    ranges.read(update, 0, update.length);
    // What the update adds, client by client (one message may hold several clients' merged updates).
    for (int i = 0; i < ranges.size(); i++) {
      long client = ranges.client(i);
      if (client == doc.clientId()) {
        counters.echoes.increment(); // not a delivery: the sender has it already
        continue;
      }
      long held = seen.getOrDefault(client, 0L);
      long from = Math.max(held, ranges.from(i));
      if (ranges.to(i) > from) {
        tracker.received(client, from, ranges.to(i), now, node);
        if (ranges.from(i) <= held) {
          seen.put(client, ranges.to(i));
        }
      }
    }
    if (!synced.isDone()) {
      doc.applyUpdate(update, conversation); // before the server's state: part of what the client starts from
    } else if (replica != null) {
      unapplied.add(update);
      if (unapplied.size() >= MAX_UNAPPLIED) {
        applyToReplica();
      }
    }
  }

  /** Applies what waits to the replica, in one transaction. */
  private void applyToReplica() {
    if (unapplied.isEmpty()) {
      return;
    }
    try {
      replica.transact(txn -> {
        for (byte[] update : unapplied) {
          replica.applyUpdate(update, conversation);
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
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    activeNanos = System.nanoTime();
    super.channelActive(ctx);
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

  /** The protocol this client speaks. */
  LoadProtocol protocol() {
    return protocol;
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
    YText text = doc.getText(TEXT);
    text.insert(random.nextInt(Math.min(text.length(), EDIT_WINDOW) + 1), chars.toString());
    byte[] update = lastUpdate;
    tracker.sent(update, receivers, System.nanoTime(), node);
    if (protocol.acknowledges()) {
      tracker.ackRequested();
    }
    conversation.sendUpdate(update);
  }

  /**
   * What the convergence check compares, read on the event loop; any thread. With a replica, its text and state
   * vector; without one, no text and the clocks the client holds: those received (see {@link #seen}) and its own.
   */
  io.netty.util.concurrent.Future<Snapshot> snapshot() {
    return channel.eventLoop().submit(() -> {
      if (replica == null) {
        return new Snapshot(null, heldStateVector(), channel.isActive());
      }
      applyToReplica();
      return new Snapshot(replica.getText(TEXT).toString(), replica.encodeStateVector(), channel.isActive());
    });
  }

  /** {@link #seen} and the client's own clock, as an encoded state vector. */
  private byte[] heldStateVector() {
    Map<Long, Long> held = new HashMap<>(seen);
    doc.stateVector().toMap().forEach((client, clock) -> held.merge(client, (long) clock, Math::max));
    Lib0Encoder out = new Lib0Encoder(8 + 10 * held.size());
    out.writeVarUint(held.size());
    held.forEach((client, clock) -> {
      out.writeVarUint(client);
      out.writeVarUint(clock);
    });
    return out.toByteArray();
  }

  /**
   * Leaves with a WebSocket close frame (an expected close); any thread. The future completes once the connection
   * is closed: when the server, having answered with its close frame, has closed its socket (it holds the file no
   * more), or after {@link #LEAVE_SECONDS}.
   */
  ChannelFuture leave() {
    closing = true;
    channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
    channel.eventLoop().schedule(() -> channel.close(), LEAVE_SECONDS, TimeUnit.SECONDS);
    return channel.closeFuture();
  }

  /** Closes the connection (an expected close); any thread. */
  void close() {
    closing = true;
    if (channel != null) {
      channel.close();
    }
  }
}
