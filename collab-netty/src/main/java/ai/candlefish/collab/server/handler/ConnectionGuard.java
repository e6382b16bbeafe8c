package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: counts it against the server's connection limits (in total and per remote
 * address) and closes it at once when it is one too many, before anything of it is read or decrypted; gives it the
 * upgrade timeout to complete its WebSocket upgrade, the whole HTTP request included, so that a client dripping its
 * headers cannot hold a socket for long (slowloris); and watches it for silence: after half the idle timeout without
 * a byte read it fires {@link IdleStateEvent}s as Netty's {@code IdleStateHandler} would (the session handler pings,
 * then closes), unless the client is taking what the server sends it (a large state over a slow link): the server's one
 * idle rule, {@link IdleWatch}.
 *
 * <p>No timer of its own: its event loop's {@link ConnectionSweep} looks at the deadlines of all its connections a few
 * times per timeout (so a deadline passes up to an eighth of the shortest timeout late). A server holds 10,000s of
 * connections, and a scheduled task each, with an idle handler's and an upgrade deadline's objects, cost about 400
 * bytes per connection.
 *
 * <p>Once the upgrade is done, the {@link WebSocketFrameCodec} right behind it sees the same reads, and takes over
 * ({@link #movedTo}): the guard's own place in the pipeline goes (a handler context, ~64 bytes for each of a server's
 * 10,000s of connections) and the codec tells it of reads and of the channel's end.
 *
 * <p>A connection from a trusted proxy counts in total only until its upgrade request names its client
 * ({@link #countForwardedClient}, from {@code X-Forwarded-For}); then against that client's address.
 *
 * <p>One instance per channel; event loop only.
 */
final class ConnectionGuard extends IdleWatch {
  static final String NAME = "guard";
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  /** The server's sweeps, and through them its runtime. */
  private final ConnectionSweep.Sweeps sweeps;
  private ChannelHandlerContext ctx;
  /** Whether the connection counts against the total; then also against {@link #counted}'s limit if not null. */
  private boolean countedInTotal;
  private InetAddress counted;
  /** Its neighbours in its sweep's list. */
  ConnectionGuard previous;
  ConnectionGuard next;
  private ConnectionSweep sweep;
  /** When the upgrade must be done by; checked once. */
  private long upgradeDeadline;
  private boolean upgradeChecked;
  /**
   * The message at the head of the channel's outbound buffer at the last look (its identity hash: a reference would
   * hold a large state's bytes), and how much of it was written.
   */
  private int outputHead;
  private long outputProgress;

  ConnectionGuard(ConnectionSweep.Sweeps sweeps) {
    this.sweeps = sweeps;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ServerRuntime runtime = sweeps.runtime();
    InetAddress address = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    if (address != null) {
      boolean fromTrustedProxy = runtime.config().trustedProxies().contains(address);
      String refused = runtime.connectionOpened(fromTrustedProxy ? null : address);
      if (refused != null) {
        // Debug only: a flood of connections must not become a flood of log lines (the metric counts them).
        log.debug("connection from {} refused: over the limit of {}", address, refused);
        runtime.metrics().connectionRefused(refused);
        ctx.close();
        return;
      }
      countedInTotal = true;
      counted = fromTrustedProxy ? null : address;
    }
    this.ctx = ctx;
    long now = System.nanoTime();
    upgradeDeadline = now + runtime.config().upgradeTimeout().toNanos();
    silentFrom(now);
    sweep = sweeps.of(ctx.channel().eventLoop());
    sweep.add(this);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    read();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readComplete();
    ctx.fireChannelReadComplete();
  }

  /** The channel moves to another event loop ({@link UpgradeRouter}): it leaves this loop's sweep, on this loop. */
  @Override
  public void channelUnregistered(ChannelHandlerContext ctx) {
    leaveSweep();
    ctx.fireChannelUnregistered();
  }

  /** Registered again with another loop after a move: joins that loop's sweep (first registrations: nothing yet). */
  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    joinSweep(ctx.channel());
    ctx.fireChannelRegistered();
  }

  /** Leaves the sweep of the loop the channel is being unregistered from (on that loop). */
  void leaveSweep() {
    if (sweep != null) {
      sweep.remove(this);
      sweep = null;
    }
  }

  /** Joins the sweep of the loop {@code channel} was registered with again, unless this is its first registration. */
  void joinSweep(Channel channel) {
    if (this.ctx != null && sweep == null && channel.isActive()) {
      sweep = sweeps.of(channel.eventLoop());
      sweep.add(this);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive();
    ctx.fireChannelInactive();
  }

  /**
   * Whether the peer is a trusted proxy whose client is not counted yet: its upgrade request names the client
   * ({@link #countForwardedClient}).
   */
  boolean awaitsForwardedClient() {
    return countedInTotal && counted == null;
  }

  /**
   * The client of a trusted proxy's connection, named by the {@code X-Forwarded-For} header values of its upgrade
   * request (the proxy itself without one), counted against that address's limit; null if it is over it (then the
   * connection must be refused).
   */
  InetAddress countForwardedClient(List<String> forwardedFor) {
    InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    InetAddress client = sweeps.runtime().config().trustedProxies().client(peer, forwardedFor);
    if (!countedInTotal || counted != null) {
      return client; // closed meanwhile, or counted already
    }
    if (!sweeps.runtime().addressOpened(client)) {
      return null;
    }
    counted = client;
    return client;
  }

  /** The channel closed: it no longer counts, nor is looked at. */
  void inactive() {
    if (countedInTotal) {
      sweeps.runtime().connectionClosed(counted);
      countedInTotal = false;
      counted = null;
    }
    if (sweep != null) {
      sweep.remove(this);
      sweep = null;
    }
  }

  /**
   * Whether this guard is watching its channel (it accepted the connection, and the channel has not closed), so
   * that a handler may take over from it.
   */
  boolean isWatching() {
    return sweep != null;
  }

  /**
   * The upgrade is done and {@code codec} takes over, from its place right behind this guard's, which is removed:
   * idle events go on from there, and the codec calls {@link #read}, {@link #readComplete} and {@link #inactive}.
   */
  void movedTo(ChannelHandlerContext codec) {
    ctx = codec;
    upgradeChecked = true;
  }

  /**
   * Whether the client took some of what waits for it in the channel's outbound buffer since the last look: the
   * message at the head went out (another is there now, or none) or more of it did. Only the head counts: messages
   * added behind it are not the client taking anything (9d05253 counted any change, so a client that took nothing, a
   * dead one behind a half-open TCP connection, stayed while its document's edits piled up for it, until the
   * outbound limit). A buffer that emptied since the last look counts: the state's tail is still on its way through
   * the kernels' buffers, the ping behind it, and the client gets the idle timeout from here to read them (before,
   * the first look that saw the buffer empty sent the ping, and the client had as little as half of it: it was closed
   * right after a completed slow download). A message that reached the head since the last look counts once.
   *
   * <p>Past the buffer, the kernel holds what was written (its send buffer autotunes to some MB: ~2.6 MB on
   * loopback, up to tcp_wmem's maximum, 4 MB by default), a state's tail or all of a small state, which a slow reader
   * takes longer than the idle timeout to read (under ~45 KB/s at the default 60 s): the kernel sending the client
   * data and having data acknowledged within the last half idle timeout counts too ({@link #kernelTaking}), unless the
   * last look pinged: the server's own pings never count. A dead client (nothing acknowledged) or one that stopped
   * reading (its window shut: the kernel sends probes without data) is not taking.
   */
  @Override
  boolean takingOutput() {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    Object current = buffer == null ? null : buffer.current();
    int head = current == null ? 0 : System.identityHashCode(current);
    long progress = buffer == null ? 0 : buffer.currentProgress();
    boolean moved = head != outputHead || progress != outputProgress;
    outputHead = head;
    outputProgress = progress;
    return moved || !pinged() && kernelTaking();
  }

  /**
   * Whether the kernel both sent the client data and received an acknowledgement within the last half idle timeout
   * (the time between two looks), from the socket's TCP_INFO: on native epoll only; elsewhere it cannot tell (false:
   * the tail must then be read within the idle timeout, as before).
   */
  private boolean kernelTaking() {
    if (!(ctx.channel() instanceof EpollSocketChannel socket) || !socket.isOpen()) {
      return false;
    }
    long withinMillis = sweeps.runtime().config().idleTimeout().toMillis() / 2;
    EpollTcpInfo info = socket.tcpInfo();
    return info.lastDataSent() < withinMillis && info.lastAckRecv() < withinMillis;
  }

  /** Looks at this connection's deadlines ({@link ConnectionSweep}, on the event loop). */
  void check(long now, long idleNanos) {
    if (!upgradeChecked && now - upgradeDeadline >= 0) {
      upgradeChecked = true;
      SessionHandler session = ctx.pipeline().get(SessionHandler.class);
      if (session == null || session.connection() == null) {
        log.debug("connection from {} closed: no WebSocket upgrade within {}", ctx.channel().remoteAddress(),
            sweeps.runtime().config().upgradeTimeout());
        sweeps.runtime().metrics().connectionRefused("upgrade-timeout");
        ctx.close();
        return;
      }
    }
    IdleStateEvent event = idleEvent(now, idleNanos);
    if (event != null) {
      ctx.fireUserEventTriggered(event);
    }
  }
}
