package ai.candlefish.collab.server.handler;

import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.CollabBridge;
import ai.candlefish.collab.server.internal.ServerConfig;
import ai.candlefish.collab.server.internal.ServerRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The machinery behind {@link CollabBridge}: an in-VM server channel ({@link LocalServerChannel}) on event loops of its
 * own whose connections run the same pipeline as the embedded port's after the upgrade (see
 * {@link BridgeInitializer}); each socket of the host is one {@link LocalChannel} connected to it ({@link HostSide}),
 * carrying Netty WebSocket frames both ways.
 *
 * <p>Thread-safe.
 */
public final class BridgeConnector implements AutoCloseable {
  private final ServerRuntime runtime;
  private final EventLoopGroup group;
  private final UpgradeRouter router;
  private final Channel serverChannel;
  private final ExecutorService senders;

  /** Binds the in-VM channel, on event loops of its own ({@code threads} of them). */
  public BridgeConnector(ServerRuntime runtime, int threads) {
    this.runtime = runtime;
    // Netty's NIO and epoll loops cannot carry in-VM channels.
    this.group = new MultiThreadIoEventLoopGroup(threads, ServerRuntime.threads("collab-bridge"),
        LocalIoHandler.newFactory());
    ServerConfig config = runtime.config();
    this.router = new UpgradeRouter(config.pathPrefix(), config.allowedOrigins(), config.pagePort(),
        CollabServerInitializer.PROTOCOLS, runtime.metrics());
    this.serverChannel = new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childHandler(new BridgeInitializer(runtime))
        .bind(LocalAddress.ANY).syncUninterruptibly().channel();
    // Sends may block (a servlet container's blocking send): one thread per socket that is sending, none idle long.
    this.senders = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        ServerRuntime.threads("collab-bridge-send"));
  }

  /** See {@link CollabBridge#check}. */
  public CollabBridge.Refusal check(String uri, Map<String, List<String>> headers) {
    Object decision = router.decide(uri, nettyHeaders(headers));
    return decision instanceof UpgradeRouter.Refusal r ? new CollabBridge.Refusal(r.status().code(), r.text()) : null;
  }

  /** See {@link CollabBridge#open}. */
  public CollabBridge.Socket open(String uri, Map<String, List<String>> headers, InetSocketAddress remote,
      CollabBridge.Sender sender) {
    for (EventExecutor loop : group) {
      if (loop.inEventLoop()) {
        throw new IllegalStateException("CollabBridge.open must not be called on one of the server's event loops");
      }
    }
    HostSide host = new HostSide(sender, senders, runtime.config().outboundBufferLimit(),
        runtime.config().maxMessageSize(), runtime.metrics());
    HttpHeaders requestHeaders = nettyHeaders(headers);
    Object decision = router.decide(uri, requestHeaders);
    if (decision instanceof UpgradeRouter.Refusal refusal) {
      host.refuse(CloseCodes.POLICY_VIOLATION, refusal.text());
      return host;
    }
    ChannelFuture connected = new Bootstrap()
        .group(group)
        .channel(LocalChannel.class)
        .handler(host)
        .connect(serverChannel.localAddress())
        .awaitUninterruptibly();
    if (!connected.isSuccess()) {
      throw new IllegalStateException("the collab server is closed", connected.cause());
    }
    connected.channel().writeAndFlush(new BridgeInitializer.Upgrade((UpgradeRouter.Route) decision, uri,
        requestHeaders, remote, host::consumed, host::takingOutput));
    return host;
  }

  static HttpHeaders nettyHeaders(Map<String, List<String>> headers) {
    HttpHeaders out = new DefaultHttpHeaders();
    headers.forEach((name, values) -> {
      if (name != null && values != null) {
        out.add(name, values);
      }
    });
    return out;
  }

  /** Stops accepting sockets (the open ones are closed with the server's channels). */
  public void stopAccepting() {
    serverChannel.close().awaitUninterruptibly();
  }

  /** Releases the threads, once every bridged connection is closed. */
  @Override
  public void close() {
    stopAccepting();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    senders.shutdown();
  }
}
