package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.internal.CloseReasons;
import ai.candlefish.collab.server.internal.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's end of one bridged socket: the in-VM channel's handler (frames from the server, on the event loop) and
 * the {@link CollabBridge.Socket} the host calls (from its own threads). What the server sends waits in a queue that
 * one sender thread at a time drains into the host's {@link CollabBridge.Sender}, which may block; a queue past the
 * outbound limit closes the socket with 1013, as the embedded port closes a client that does not read.
 *
 * <p>What the host hands in is counted until the server's pipeline reads it ({@link #consumed}): while the server
 * does not read (the client is throttled), more than {@link #PAUSE_AT} (or half the inbound limit, if smaller)
 * waiting asks the host to stop reading from its socket ({@link CollabBridge.Sender#pauseReading}), and more than the inbound limit closes the socket with 1013, so
 * that a host that cannot stop reading holds a bounded amount in memory.
 *
 * <p>Thread-safe: the queue under this object's lock; {@link #receive} from one host thread at a time.
 */
final class HostSide extends ChannelInboundHandlerAdapter implements CollabBridge.Socket {
  private static final Logger log = LoggerFactory.getLogger(HostSide.class);

  /** Bytes waiting for the server to read them, past which the host is asked to stop reading (resumed at half). */
  static final long PAUSE_AT = 64 * 1024;
  /** What one message counts besides its bytes (so that empty messages count too). */
  static final int MESSAGE_OVERHEAD = 32;

  private final CollabBridge.Sender sender;
  private final Executor senders;
  private final long outboundLimit;
  private final int maxMessageSize;
  private final long inboundLimit;
  private final long pauseAt;
  private final ServerMetrics metrics;
  private volatile Channel channel;

  /** Bytes handed to the server and not read by it yet. */
  private final AtomicLong inbound = new AtomicLong();
  /** Whether the host stopped reading at our request. */
  private final AtomicBoolean paused = new AtomicBoolean();

  // Host thread only: a message arriving in fragments.
  private ByteBuf fragments;
  private boolean tooBig;

  // Under this object's lock.
  private final ArrayDeque<Send> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean draining;
  /** The send the drain is running (the head of what the host's socket has to send), or null. */
  private Send underWay;
  /** Nothing more is queued: a close is queued, or the host's socket is gone. */
  private boolean finished;
  /** The bytes of all the sends the sender has returned from (what it was handed, for {@link #takingOutput}). */
  private long handed;

  // The idle check's last look (server's event loop only): the head's identity hash, what the sender had left, and
  // how much had been handed to it by then.
  private int outputHead;
  private long outputLeft;
  private long outputHanded;

  /** One call of the sender. */
  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  /** A call and the bytes it gives back to the outbound limit once done. */
  private record Send(Call call, int size) {}

  HostSide(CollabBridge.Sender sender, Executor senders, long outboundLimit, int maxMessageSize,
      ServerMetrics metrics) {
    this.sender = sender;
    this.senders = senders;
    this.outboundLimit = outboundLimit;
    this.maxMessageSize = maxMessageSize;
    this.inboundLimit = Math.max(outboundLimit, maxMessageSize);
    this.pauseAt = Math.min(PAUSE_AT, inboundLimit / 2);
    this.metrics = metrics;
  }

  /** Closes the host's socket without ever connecting to the server (a refused request). */
  void refuse(int code, String reason) {
    finishWith(() -> sender.close(code, CloseReasons.fit(reason)));
  }

  // ------------------------------------------------------------------------------------------ from the host

  @Override
  public void receive(ByteBuffer fragment, boolean last) {
    Channel ch = channel;
    if (ch == null || tooBig) {
      tooBig &= !last;
      return;
    }
    int size = (fragments == null ? 0 : fragments.readableBytes()) + fragment.remaining();
    if (size > maxMessageSize) {
      releaseFragments();
      tooBig = !last;
      ch.writeAndFlush(BridgeInitializer.TOO_BIG);
      return;
    }
    if (fragments == null) {
      fragments = Unpooled.buffer(fragment.remaining());
    }
    fragments.writeBytes(fragment);
    if (last) {
      ByteBuf message = fragments;
      fragments = null;
      handOn(ch, new BinaryWebSocketFrame(message));
    }
  }

  /** Hands a whole message to the server, counting it until the server reads it. */
  private void handOn(Channel ch, BinaryWebSocketFrame frame) {
    long waiting = inbound.addAndGet(frame.content().readableBytes() + MESSAGE_OVERHEAD);
    if (waiting > inboundLimit) {
      frame.release();
      log.debug("bridged socket too fast: {} bytes waiting for the server", waiting);
      metrics.rejected(CloseCodes.TRY_AGAIN_LATER);
      finishWith(() -> sender.close(CloseCodes.TRY_AGAIN_LATER,
          "too fast: messages arrive faster than the server takes them"));
      ch.close();
      return;
    }
    ch.writeAndFlush(frame);
    if (waiting > pauseAt && paused.compareAndSet(false, true)) {
      if (!sender.pauseReading()) {
        return; // the host cannot stop reading: the inbound limit holds it
      }
      // The server may have read everything meanwhile, before it could see the pause.
      if (inbound.get() <= pauseAt / 2 && paused.compareAndSet(true, false)) {
        sender.resumeReading();
      }
    }
  }

  /** The server's pipeline read {@code size} bytes of what {@link #handOn} counted (on its event loop). */
  void consumed(int size) {
    long waiting = inbound.addAndGet(-(size + MESSAGE_OVERHEAD));
    if (waiting <= pauseAt / 2 && paused.get() && paused.compareAndSet(true, false)) {
      sender.resumeReading();
    }
  }

  /**
   * The server's protocol answers it, as on the embedded port (every one closes a text message with 1003 and its own
   * reason); its close comes back as a close frame and goes to the host through the queue, behind what waits there.
   */
  @Override
  public void receiveText() {
    Channel ch = channel;
    if (ch != null) {
      ch.writeAndFlush(new TextWebSocketFrame());
    }
  }

  @Override
  public void receivePong() {
    Channel ch = channel;
    if (ch != null) {
      ch.writeAndFlush(new PongWebSocketFrame());
    }
  }

  @Override
  public void closed() {
    releaseFragments();
    synchronized (this) {
      finished = true;
      queue.clear();
    }
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  // ---------------------------------------------------------------------------------------- from the server

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof CloseWebSocketFrame close) {
        int code = close.statusCode() < 0 ? 1000 : close.statusCode();
        String reason = CloseReasons.fit(close.reasonText());
        finishWith(() -> sender.close(code, reason));
        ctx.close();
      } else if (msg instanceof PingWebSocketFrame) {
        enqueue(sender::sendPing, 0);
      } else if (msg instanceof WebSocketFrame frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.content().readableBytes());
        frame.content().getBytes(frame.content().readerIndex(), copy);
        copy.flip();
        enqueue(() -> sender.sendBinary(copy), copy.remaining());
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // The server dropped the connection without a close frame (shutdown, or a failure).
    finishWith(() -> sender.close(CloseCodes.GOING_AWAY, "connection ended"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("bridged socket failed", cause);
    ctx.close();
  }

  /**
   * Whether the host's socket took some of what waits for it since the last look, for the idle check
   * ({@link BridgeIdleCheck}; on the server's event loop), as {@link ConnectionGuard} looks at a channel's outbound
   * buffer: the message at the head of the queue went out (the one under way, or the first waiting), or the socket
   * has less left to write of what it was handed ({@link CollabBridge.Sender#unwritten}: the rest of a large message
   * going out in fragments, or what a host's own buffer holds). Less than it had plus what it was handed since: a
   * host whose sends return at once (WebFlux: the message waits in Reactor Netty's channel) has a large state handed
   * to it between two looks, and the look after saw more left than before although the client had taken MBs of it
   * (it was closed mid-download). More left is not taking: messages added for a client that takes nothing (a dead
   * one) keep it no longer than the idle timeout.
   */
  boolean takingOutput() {
    Send head;
    long handedNow;
    synchronized (this) {
      head = underWay != null ? underWay : queue.peek();
      handedNow = handed;
    }
    int id = head == null ? 0 : System.identityHashCode(head);
    long left = sender.unwritten();
    boolean moved = id != outputHead || left < outputLeft + (handedNow - outputHanded);
    outputHead = id;
    outputLeft = left;
    outputHanded = handedNow;
    return moved;
  }

  // ------------------------------------------------------------------------------------------------- queue

  private void enqueue(Call call, int size) {
    synchronized (this) {
      if (finished) {
        return;
      }
      // A message larger than the limit alone (a large document's first state) goes out when nothing waits.
      if (queuedBytes > 0 && queuedBytes + size > outboundLimit) {
        log.debug("bridged socket too slow: {} bytes waiting", queuedBytes);
        queue.clear();
        finished = true;
        Call close = () -> sender.close(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound buffer full");
        Channel ch = channel;
        if (ch != null) {
          ch.close();
        }
        if (draining) {
          // A send is under way, blocked for as long as the client reads nothing: the close must not wait behind
          // it (it would wait for ever on a host whose send waits for the client), so it goes beside it.
          closeBeside(close);
          return;
        }
        queue.add(new Send(close, 0));
      } else {
        queuedBytes += size;
        queue.add(new Send(call, size));
      }
      startDraining();
    }
  }

  /** Queues {@code last} as the final call (unless something final is queued already). */
  private void finishWith(Call last) {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      Send close = new Send(last, 0);
      queue.add(close);
      boolean behindASend = draining;
      startDraining();
      Channel ch = channel;
      if (behindASend && ch != null) {
        // The close follows what is queued, as a close frame does on the embedded port; if a send blocks it (a
        // client that reads nothing), it goes beside it after the close timeout, as the embedded port drops such a
        // client then.
        ch.eventLoop().schedule(() -> closeIfStillQueued(close), CollabBridge.CLOSE_TIMEOUT_MILLIS,
            TimeUnit.MILLISECONDS);
      }
    }
  }

  private void closeIfStillQueued(Send close) {
    synchronized (this) {
      if (!queue.contains(close)) {
        return; // sent, or under way
      }
      queue.clear();
    }
    closeBeside(close.call());
  }

  /** Runs {@code close} on a thread of its own, beside a send that may block. */
  private void closeBeside(Call close) {
    try {
      senders.execute(() -> {
        try {
          close.run();
        } catch (Exception e) {
          log.debug("closing a bridged socket failed: {}", e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      // The server is closed.
    }
  }

  private void startDraining() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      senders.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The server is closed.
      draining = false;
      queue.clear();
    }
  }

  private void drain() {
    while (true) {
      Send send;
      synchronized (this) {
        send = queue.poll();
        underWay = send;
        if (send == null) {
          draining = false;
          return;
        }
      }
      try {
        send.call().run();
      } catch (Exception e) {
        log.debug("sending to a bridged socket failed: {}", e.toString());
        synchronized (this) {
          finished = true;
          queue.clear();
        }
        Channel ch = channel;
        if (ch != null) {
          ch.close();
        }
      } finally {
        synchronized (this) {
          queuedBytes -= send.size();
          handed += send.size();
          underWay = null;
        }
      }
    }
  }
}
