package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.core.StateVector;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a collaboration server with many simulated clients and measures it: connects the clients (at most
 * {@link LoadSettings#connectConcurrency()} opening at once) and times each connection; lets every client edit its
 * document at the given rate (each client has its own collab-core {@code Doc}); times every relayed update from
 * its sender to each other client of the document ({@link LatencyTracker}); measures the server's CPU and heap
 * ({@link ProcessProbe}); and finally checks that every client of a document and the server hold the same
 * document (text and state vector; the server's state is fetched by a fresh client).
 *
 * <p>Phases: connect; warm-up (edits run, nothing recorded); measured phase; drain (edits stopped, waiting up to
 * 30 s until every update reached every receiver); convergence check. Latencies count every update sent after the
 * warm-up, including its receipts during the drain.
 *
 * <p>Run with {@code run-load.sh}, or {@code java -cp benchmarks/target/benchmarks.jar
 * ai.candlefish.collab.benchmarks.load.LoadGenerator --help}.
 */
public final class LoadGenerator {
  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
  private static final long DRAIN_MILLIS = 30_000;
  /**
   * How often the measured phase logs its latencies so far (system property {@code load.reportMillis}, default 10
   * s): 1 s shows when a tail happened, to set beside the GC and safepoint logs of the processes. Set explicitly, the
   * warm-up logs at that interval too, and each line has the cross-node latencies of a cluster run.
   */
  private static final long REPORT_NANOS =
      TimeUnit.MILLISECONDS.toNanos(Math.max(100, Long.getLong("load.reportMillis", 10_000)));
  private static final long SYNC_TIMEOUT_SECONDS = 300;
  /**
   * Documents whose server state is fetched at once in the convergence check: a new connection each, in the place
   * of one of the document's clients, which leaves first (see {@link #checkConvergence()}).
   */
  private static final int CONVERGENCE_BATCH = 50;
  /** How often the convergence check tries to fetch a document's state from the server. */
  private static final int PROBE_ATTEMPTS = 5;
  /** Connections open at once in the server's warm-up (see {@link #warmUpServer()}). */
  private static final int WARMUP_BATCH = 50;

  private final LoadSettings settings;
  private final LatencyTracker tracker = new LatencyTracker();
  private final LoadClient.Counters counters = new LoadClient.Counters();
  private final ProcessProbe server;
  private final ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
  private final ClusterProbe cluster;
  private final List<LoadClient> clients = new ArrayList<>();
  /** The command line the other processes of the run are started with (see {@link LoadHolders}). */
  private final List<String> commandLine;
  private EventLoopGroup group;
  private Bootstrap bootstrap;

  private LoadGenerator(LoadSettings settings, List<String> commandLine) {
    this.settings = settings;
    this.commandLine = List.copyOf(commandLine);
    this.server = settings.serverPid() == 0 ? null : new ProcessProbe(settings.serverPid());
    ClusterProbe probe = new ClusterProbe(settings);
    this.cluster = probe.measures() || settings.servers().size() > 1 ? probe : null;
  }

  /** Runs the scenario of {@code settings} (in one process) and returns its figures. */
  public static LoadReport run(LoadSettings settings) throws InterruptedException {
    return run(settings, List.of());
  }

  /**
   * Runs the scenario of {@code settings}, parsed from {@code commandLine}, and returns its figures; the other
   * processes of a run over several ({@link LoadSettings#processes()}) are started with {@code commandLine}.
   */
  static LoadReport run(LoadSettings settings, List<String> commandLine) throws InterruptedException {
    LoadGenerator generator = new LoadGenerator(settings, commandLine);
    try {
      return generator.run();
    } finally {
      generator.shutdown();
    }
  }

  private String documentName(int d) {
    return settings.documentPrefix() + d;
  }

  /** Starts the event loops the clients connect from. */
  private void startEventLoops() {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    group = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("load-io"), io);
    tracker.watch(group);
    bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    log.info("{}: {} clients on {} documents, {} edits/s each ({}, {}, {} server node{}{})", settings.scenario(),
        settings.clients(), settings.documents(), settings.rate(), settings.protocol().name(), epoll ? "epoll" : "nio",
        settings.servers().size(), settings.servers().size() == 1 ? "" : "s", settings.processes() == 1 ? ""
        : "; process " + settings.process() + " of " + settings.processes());
  }

  /**
   * One of the other processes of a run (see {@link LoadSettings#processes()}): connects its share of the clients,
   * says how many synced, lets them renew their awareness until its standard input ends (the measuring process is
   * done, or gone), then compares its documents with the server's and says how they and its clients fared
   * (the lines {@link LoadHolders} reads).
   */
  static void hold(LoadSettings settings) throws InterruptedException, IOException {
    LoadGenerator generator = new LoadGenerator(settings, List.of());
    try {
      generator.startEventLoops();
      Connected own = generator.connectClients();
      System.out.println(LoadHolders.SYNCED + " " + own.connected() + " " + (generator.clients.size()
          - own.connected()));
      System.out.flush();
      if (!settings.awarenessInterval().isZero()) {
        generator.clients.stream().filter(LoadGenerator::isSynced)
            .forEach(c -> c.startAwarenessRenewals(settings.awarenessInterval().toNanos()));
      }
      while (System.in.read() >= 0) {
        // held until the measuring process closes this stream
      }
      generator.clients.forEach(LoadClient::stop);
      Convergence convergence = generator.checkConvergence();
      System.out.println(LoadHolders.DONE + " " + generator.counters.unexpectedCloses.sum() + " "
          + generator.counters.protocolErrors.sum() + " " + convergence.checked + " " + convergence.diverged + " "
          + convergence.first);
      System.out.flush();
    } finally {
      generator.shutdown();
    }
  }

  private LoadReport run() throws InterruptedException {
    startEventLoops();
    List<LoadClient> seeders = seedDocuments();
    warmUpServer();
    settle("idle");
    long heapIdle = heap();
    long rssIdle = rss();

    // ---- connect (the other processes' shares too, once the idle memory is read)
    try (LoadHolders holders = LoadHolders.start(settings.processes() - 1, commandLine)) {
      return measure(seeders, heapIdle, rssIdle, holders);
    }
  }

  /** What the connect phase of this process's clients gave. */
  private record Connected(int connected, long connectStart, long lastSynced, Histogram connectTimes,
      Histogram syncTimes) {}

  /** Connects this process's clients (see {@link LoadSettings#processes()}) and waits until each has synced. */
  private Connected connectClients() throws InterruptedException {
    int[] perDocument = new int[settings.documents()];
    for (int i = 0; i < settings.clients(); i++) {
      perDocument[i % settings.documents()]++;
    }
    Semaphore opening = new Semaphore(settings.connectConcurrency());
    long connectStart = System.nanoTime();
    for (int i = 0; i < settings.clients(); i++) {
      if (settings.processOf(i % settings.documents()) != settings.process()) {
        continue;
      }
      opening.acquire();
      int d = i % settings.documents();
      LoadClient client = new LoadClient(i, documentName(d), settings.nodeOf(i),
          settings.protocol().forClient(i, settings.documents()), tracker,
          counters, perDocument[d] - 1, settings.hasReplica(i), settings.seed() * 1_000_003L + i);
      clients.add(client);
      client.synced.whenComplete((t, e) -> opening.release());
      connect(client, i);
      if ((i + 1) % 1000 == 0) {
        log.info("{} connections opened", i + 1);
      }
    }
    int connected = 0;
    long lastSynced = connectStart;
    Histogram connectTimes = new Histogram(3);
    Histogram syncTimes = new Histogram(3);
    for (LoadClient c : clients) {
      try {
        long synced = c.synced.get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        connectTimes.recordValue((c.handshaken.getNow(synced) - c.startNanos) / 1000);
        syncTimes.recordValue((synced - c.startNanos) / 1000);
        lastSynced = Math.max(lastSynced, synced);
        connected++;
      } catch (Exception e) {
        log.debug("client {} did not connect", c.index, e);
      }
    }
    log.info("{} of {} clients synced after {} ms", connected, clients.size(),
        Math.round((lastSynced - connectStart) / 1e6));
    logFailures(connectStart);
    return new Connected(connected, connectStart, lastSynced, connectTimes, syncTimes);
  }

  /**
   * The run of the measuring process from its clients' connect on; {@code holders} hold the other processes' shares
   * of the clients.
   */
  private LoadReport measure(List<LoadClient> seeders, long heapIdle, long rssIdle, LoadHolders holders)
      throws InterruptedException {
    long serverCpuConnectStart = server == null ? 0 : server.cpuNanos();
    Connected own = connectClients();
    LoadHolders.Synced held = holders.awaitSynced();
    int connected = own.connected() + held.connected();
    // Connect and sync times are this process's clients'; with other processes, all synced when the last reported.
    Histogram connectTimes = own.connectTimes();
    Histogram syncTimes = own.syncTimes();
    double connectMillis = ((settings.processes() == 1 ? own.lastSynced() : System.nanoTime())
        - own.connectStart()) / 1e6;
    double serverConnectCpuSeconds = server == null ? -1 : (server.cpuNanos() - serverCpuConnectStart) / 1e9;
    if (settings.processes() > 1) {
      log.info("{} of {} clients synced in all {} processes", connected, settings.clients(), settings.processes());
    }
    settle("connected");
    long heapConnected = heap();
    long rssConnected = rss();

    // ---- edit
    if (settings.rate() > 0) {
      clients.stream().filter(c -> c.index < settings.writers())
          .filter(c -> c.synced.isDone() && !c.synced.isCompletedExceptionally())
          .forEach(c -> c.startEditing(settings.rate()));
    }
    if (!settings.awarenessInterval().isZero()) {
      clients.stream().filter(c -> c.synced.isDone() && !c.synced.isCompletedExceptionally())
          .forEach(c -> c.startAwarenessRenewals(settings.awarenessInterval().toNanos()));
    }
    // With load.reportMillis set, the warm-up reports too: whether and when a saturated start drains (the cluster
    // relay's first seconds, while three fresh JVMs compile, run at p50 0.3-0.9 s on 2 cores).
    boolean reportWarmup = settings.rate() > 0 && System.getProperty("load.reportMillis") != null;
    long warmupEnd = System.nanoTime() + settings.warmup().toNanos();
    for (long now = System.nanoTime(); now < warmupEnd; now = System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(Math.min(warmupEnd - now, reportWarmup ? REPORT_NANOS : warmupEnd - now));
      if (reportWarmup) {
        Histogram interval = tracker.takeHistogram();
        log.info("warm-up, {} s left: relay p50 {} ms, p99 {} ms;{} {} sent at {}",
            Math.max(0, warmupEnd - System.nanoTime()) / 1_000_000 / 1000.0, millis(interval, 50),
            millis(interval, 99), crossNodePart(tracker.takeCrossNodeHistogram()), tracker.sentCount(),
            java.time.LocalTime.now());
      }
    }
    tracker.takeHistogram(); // the warm-up's latencies are dropped
    tracker.takeCrossNodeHistogram();
    tracker.takeAckHistogram();
    tracker.takeTails();
    log.info("warm-up done: {} sent, {} delivered", tracker.sentCount(), tracker.deliveredCount());
    // The slow probes (jstat: seconds on a busy machine) first, so that the counts and CPU times, read last, start
    // with the measured phase.
    long probesStart = System.nanoTime();
    LoadReport.GcPauses serverGcBefore = server == null ? null : server.gcPauses();
    LoadReport.GcPauses selfGcBefore = self.gcPauses();
    ProcessProbe.SchedStat serverSchedBefore = server == null ? null : server.schedStat();
    ProcessProbe.SchedStat selfSchedBefore = self.schedStat();
    ClusterProbe.Sample clusterBefore = cluster == null ? null : cluster.sample();
    // What arrived while the probes ran is dropped too: each jstat is a JVM starting, which on a small machine holds
    // up every process for up to a second or two, and a JVM server is probed twice (it and the generator), a Node
    // server once, so those seconds counted against JVM servers more (idle-10000 on a loaded machine: the first 1 s
    // report, which held them, had relay p99 0.9-2.6 s for every server, the next ones 5-100 ms).
    Histogram probed = tracker.takeHistogram();
    tracker.takeCrossNodeHistogram();
    tracker.takeAckHistogram();
    tracker.takeTails();
    log.info("probes done after {} ms (not counted: {} receipts, relay p99 {} ms, max {} ms)",
        (System.nanoTime() - probesStart) / 1_000_000, probed.getTotalCount(), millis(probed, 99),
        probed.getMaxValue() / 1000.0);
    long deliveredBefore = tracker.deliveredCount();
    long bytesBefore = counters.bytesReceived.sum();
    long messagesBefore = counters.messagesReceived.sum();
    long serverCpuBefore = server == null ? 0 : server.cpuNanos();
    long selfCpuBefore = self.cpuNanos();
    long measureStart = System.nanoTime();
    Histogram crossNode = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    Histogram latencies = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    Histogram acks = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    long measureEnd = measureStart + settings.duration().toNanos();
    for (long now = measureStart; now < measureEnd; now = System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(Math.min(measureEnd - now, REPORT_NANOS));
      if (settings.rate() > 0) {
        Histogram interval = tracker.takeHistogram();
        latencies.add(interval);
        Histogram crossNodeInterval = tracker.takeCrossNodeHistogram();
        crossNode.add(crossNodeInterval);
        Histogram ackInterval = tracker.takeAckHistogram();
        acks.add(ackInterval);
        log.info("{} s: relay p50 {} ms, p99 {} ms, max {} ms;{}{} {} sent, {} delivered so far; machine load {} at {}",
            (System.nanoTime() - measureStart) / 1_000_000 / 1000.0, millis(interval, 50), millis(interval, 99),
            interval.getMaxValue() / 1000.0, crossNodePart(crossNodeInterval),
            settings.protocol().acknowledges() ? " ack p50 " + millis(ackInterval,
            50) + " ms, p99 " + millis(ackInterval, 99) + " ms;" : "", tracker.sentCount(), tracker.deliveredCount(),
            ProcessProbe.loadAverage(), java.time.LocalTime.now());
        String tails = tracker.takeTails();
        if (tails != null) {
          log.info("{}", tails);
        }
      }
    }
    long measureNanos = System.nanoTime() - measureStart;
    // The counts and CPU times first, the slow probes last (see above).
    long delivered = tracker.deliveredCount() - deliveredBefore;
    long bytes = counters.bytesReceived.sum() - bytesBefore;
    long messages = counters.messagesReceived.sum() - messagesBefore;
    double serverCpu = server == null ? -1 : 100.0 * (server.cpuNanos() - serverCpuBefore) / measureNanos;
    double selfCpu = 100.0 * (self.cpuNanos() - selfCpuBefore) / measureNanos;
    ClusterProbe.Sample clusterAfter = cluster == null ? null : cluster.sample();
    ProcessProbe.SchedStat serverSched = server == null ? new ProcessProbe.SchedStat(-1, 0)
        : server.schedStat().minus(serverSchedBefore);
    ProcessProbe.SchedStat selfSched = self.schedStat().minus(selfSchedBefore);
    LoadReport.GcPauses serverGc = gcDuring(server, serverGcBefore);
    LoadReport.GcPauses selfGc = gcDuring(self, selfGcBefore);
    long rss = server == null ? -1 : server.rssBytes();
    String loadAverage = ProcessProbe.loadAverage();
    clients.forEach(LoadClient::stop);
    group.forEach(loop -> loop.submit(() -> { }).syncUninterruptibly()); // edits running at the stop are done

    // ---- drain
    long drainDeadline = System.currentTimeMillis() + DRAIN_MILLIS;
    while ((tracker.undelivered() > 0 || tracker.unacknowledged() > 0)
        && System.currentTimeMillis() < drainDeadline) {
      Thread.sleep(50);
    }
    latencies.add(tracker.takeHistogram());
    crossNode.add(tracker.takeCrossNodeHistogram());
    acks.add(tracker.takeAckHistogram());
    log.info("measured phase: {} messages, {} payload bytes received; per delivery {} messages, {} bytes", messages,
        bytes, delivered == 0 ? 0 : String.format("%.3f", (double) messages / delivered),
        delivered == 0 ? 0 : String.format("%.1f", (double) bytes / delivered));
    log.info("drained after {} ms: {} sent, {} delivered, {} undelivered", System.currentTimeMillis()
        - (drainDeadline - DRAIN_MILLIS), tracker.sentCount(), tracker.deliveredCount(), tracker.undelivered());
    long heapEnd = heap();

    // ---- converge
    Convergence convergence = checkConvergence();
    seeders.forEach(LoadClient::close);
    LoadHolders.Done others = holders.finish();
    convergence = new Convergence(convergence.checked + others.checked(), convergence.diverged + others.diverged(),
        convergence.first.isEmpty() ? others.first() : convergence.first);
    counters.unexpectedCloses.add(others.unexpectedCloses());
    counters.protocolErrors.add(others.protocolErrors());
    Map<String, Integer> failureCauses = failureCauses();
    if (held.failed() > 0) {
      failureCauses.merge("did not sync in another process", held.failed(), Integer::sum);
    }

    return new LoadReport(settings.scenario(), settings.serverName(), settings.protocol().name(), settings.clients(),
        settings.documents(), settings.rate(), settings.writers(), measureNanos / 1e9, connected,
        settings.clients() - connected, connectMillis, millis(connectTimes, 50), millis(connectTimes, 99),
        connectTimes.getMaxValue() / 1000.0, millis(syncTimes, 50), millis(syncTimes, 99),
        syncTimes.getMaxValue() / 1000.0, latencies.getTotalCount(), millis(latencies, 50), millis(latencies, 95),
        millis(latencies, 99), latencies.getMaxValue() / 1000.0, new LoadReport.AckLatency(acks.getTotalCount(),
        millis(acks, 50), millis(acks, 95), millis(acks, 99), acks.getMaxValue() / 1000.0,
        settings.protocol().acknowledges() ? tracker.unacknowledged() : -1), tracker.sentCount(), tracker.deliveredCount(),
        delivered / (measureNanos / 1e9), tracker.undelivered(), tracker.unmatchedCount(),
        counters.echoes.sum(), counters.unexpectedCloses.sum(), counters.protocolErrors.sum(), failureCauses,
        serverConnectCpuSeconds, serverCpu, selfCpu, heapIdle, heapConnected, heapEnd, rssIdle, rssConnected, rss,
        convergence.checked, convergence.diverged, convergence.first,
        loadAverage, 100.0 * serverSched.waitNanos() / measureNanos, serverSched.waitPerSliceMillis(),
        100.0 * selfSched.waitNanos() / measureNanos, selfSched.waitPerSliceMillis(), serverGc, selfGc,
        clusterFigures(clusterBefore, clusterAfter, crossNode, delivered));
  }

  private ClusterFigures clusterFigures(ClusterProbe.Sample before, ClusterProbe.Sample after, Histogram crossNode,
      long delivered) {
    if (cluster == null) {
      return null;
    }
    boolean redis = after.redis() != null;
    return new ClusterFigures(settings.servers().size(), crossNode.getTotalCount(), millis(crossNode, 50),
        millis(crossNode, 99), crossNode.getMaxValue() / 1000.0, delivered,
        after.nodesCpuNanos() < 0 ? -1 : (after.nodesCpuNanos() - before.nodesCpuNanos()) / 1e9,
        after.databaseCpuNanos() < 0 ? -1 : (after.databaseCpuNanos() - before.databaseCpuNanos()) / 1e9,
        redis ? after.redis().cpuSeconds() - before.redis().cpuSeconds() : -1,
        redis ? after.redis().inputBytes() - before.redis().inputBytes() : -1,
        redis ? after.redis().outputBytes() - before.redis().outputBytes() : -1);
  }

  /** Logs the first few clients that did not sync, one by one, with why and when. */
  private void logFailures(long connectStart) {
    List<InetAddress> from = settings.localAddresses();
    clients.stream().filter(c -> !isSynced(c)).limit(10).forEach(c -> log.warn(
        "client {} (document {}, from {}) did not sync: {}; {} ms after its connect call, {} ms into the connecting"
            + " phase; upgrade request sent {}; handshake {}", c.index, c.document,
        from.isEmpty() ? "-" : from.get(c.index % from.size()),
        failureCause(c), c.failure() == null ? "-" : (c.failedNanos() - c.startNanos) / 1_000_000,
        (c.startNanos - connectStart) / 1_000_000,
        c.activeNanos == 0 ? "never" : (c.activeNanos - c.startNanos) / 1_000_000 + " ms after the connect call",
        c.handshaken.isDone() && !c.handshaken.isCompletedExceptionally() ? "done" : "not done"));
  }

  /** Why clients did not sync or closed unasked, with how many clients each. */
  private Map<String, Integer> failureCauses() {
    Map<String, Integer> causes = new TreeMap<>();
    for (LoadClient c : clients) {
      if (!isSynced(c) || c.failure() != null) {
        causes.merge(failureCause(c), 1, Integer::sum);
      }
    }
    return causes;
  }

  private static boolean isSynced(LoadClient c) {
    return c.synced.isDone() && !c.synced.isCompletedExceptionally();
  }

  private static String failureCause(LoadClient c) {
    return c.failure() != null ? c.failure() : "no sync within " + SYNC_TIMEOUT_SECONDS + " s";
  }

  private void connect(LoadClient client, int i) {
    URI uri = client.protocol().uri(settings.servers().get(client.node), client.document);
    WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(uri)
        .version(WebSocketVersion.V13)
        .allowExtensions(false)
        .customHeaders(new DefaultHttpHeaders())
        .subprotocol(client.protocol().subprotocol())
        .maxFramePayloadLength(64 * 1024 * 1024)
        .handshakeTimeoutMillis(60_000)
        .dropPongFrames(true)
        .handleCloseFrames(false) // the client notes the server's close code and reason, then closes
        .build();
    Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
            new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(64 * 1024 * 1024), client);
      }
    });
    InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
    ChannelFuture f = settings.localAddresses().isEmpty() ? b.connect(remote)
        : b.connect(remote, new InetSocketAddress(settings.localAddresses().get(i % settings.localAddresses().size()),
            0));
    f.addListener(done -> {
      if (!done.isSuccess()) {
        log.warn("client {} cannot connect: {}", i, done.cause().toString());
        client.fail(done.cause());
      }
    });
  }

  private static LoadReport.GcPauses gcDuring(ProcessProbe process, LoadReport.GcPauses before) {
    if (process == null || before == null) {
      return null;
    }
    LoadReport.GcPauses now = process.gcPauses();
    return now == null ? null : now.minus(before);
  }

  /** Waits {@link LoadSettings#settle()} before the memory reading {@code reading}. */
  private void settle(String reading) throws InterruptedException {
    if (!settings.settle().isZero()) {
      log.info("waiting {} s before the {} memory reading", settings.settle().toSeconds(), reading);
      Thread.sleep(settings.settle().toMillis());
    }
  }

  /** The server's heap after a full GC, or -1 (no server process, or not a JVM). */
  private long heap() {
    return server == null || !server.isJvm() ? -1 : server.heapAfterGcBytes();
  }

  private long rss() {
    return server == null ? -1 : server.rssBytes();
  }

  /**
   * Gives every document its initial text ({@link LoadSettings#initialDocumentBytes()}): one seeding client per
   * document connects with the text in its replica and sends it in the sync; done once a fresh client receives it
   * from the server. The seeders stay connected until the end (a server without storage, such as Hocuspocus
   * without extensions, drops a document when its last client leaves) and are not counted as clients.
   */
  private List<LoadClient> seedDocuments() throws InterruptedException {
    if (settings.initialDocumentBytes() == 0) {
      return List.of();
    }
    long start = System.nanoTime();
    byte[] content = InitialDocument.ofSize(settings.initialDocumentBytes(), settings.seed());
    log.info("initial document: {} bytes, generated in {} ms", content.length,
        (System.nanoTime() - start) / 1_000_000);
    List<LoadClient> seeders = new ArrayList<>();
    for (int d = 0; d < settings.documents(); d++) {
      LoadClient seeder = passiveClient(-1_000_000 - d, d);
      seeder.preload(content);
      seeders.add(seeder);
      connect(seeder, d);
    }
    for (int d = 0; d < settings.documents(); d++) {
      LoadClient seeder = seeders.get(d);
      try {
        seeder.synced.get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("the seeding client of " + documentName(d) + " did not sync", e);
      }
      byte[] expected = seeder.snapshot().syncUninterruptibly().getNow().stateVector();
      awaitServerState(d, StateVector.decode(expected));
    }
    log.info("{} documents seeded with {} bytes each in {} ms", settings.documents(), content.length,
        (System.nanoTime() - start) / 1_000_000);
    return seeders;
  }

  /**
   * Opens, syncs and closes {@link LoadSettings#warmupConnections()} connections, {@link #WARMUP_BATCH} at a time,
   * on documents of their own ({@code <prefix>warmup-0..49}), then waits a second for the server to let them go
   * ({@link LoadSettings#settle()} waits longer, until their documents are unloaded too). A
   * server that has served before has compiled its code and touched its young generation; without this, a cold
   * server's JIT code cache, compiler arenas and first young collections count against the connections of the idle
   * figures. What the connections hold (their own objects, sockets, documents) must still count: the batches are
   * small and short-lived so that their objects die young instead of being promoted, since a JVM keeps the old
   * generation's pages resident after a full collection, and the measured connections would fill pages that the
   * warm-up's garbage had touched (with 500 at a time, RSS per connection came out at 2.6 KiB with 4.5 KiB of heap
   * per connection); the measured clients' documents are new to the server.
   */
  private void warmUpServer() throws InterruptedException {
    int total = settings.warmupConnections();
    if (total == 0) {
      return;
    }
    long start = System.nanoTime();
    int failed = 0;
    for (int first = 0; first < total; first += WARMUP_BATCH) {
      List<LoadClient> batch = new ArrayList<>();
      for (int i = first; i < Math.min(total, first + WARMUP_BATCH); i++) {
        LoadClient client = new LoadClient(-3_000_000 - i, settings.documentPrefix() + "warmup-" + (i % 50),
            0, settings.protocol().forClient(0, settings.documents()), new LatencyTracker(),
            new LoadClient.Counters(), 0, true, i);
        batch.add(client);
        connect(client, i);
      }
      for (LoadClient client : batch) {
        try {
          client.synced.get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          failed++;
        }
      }
      batch.forEach(LoadClient::close);
    }
    Thread.sleep(1000);
    log.info("server warmed up with {} connections ({} failed) in {} ms", total, failed,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Waits until a fresh client of document {@code d} receives a state with {@code expected}. */
  private void awaitServerState(int d, StateVector expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SYNC_TIMEOUT_SECONDS);
    while (true) {
      LoadClient probe = passiveClient(-2_000_000 - d, d);
      connect(probe, d);
      try {
        probe.synced.get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (StateVector.decode(probe.snapshot().syncUninterruptibly().getNow().stateVector()).equals(expected)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        log.debug("probe of {} did not sync", documentName(d), e);
      } finally {
        probe.close();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server never had the initial state of " + documentName(d));
      }
      Thread.sleep(200);
    }
  }

  /** A client outside the measured ones: its own tracker and counters, no edits. */
  private LoadClient passiveClient(int index, int d) {
    return new LoadClient(index, documentName(d), Math.floorMod(d, settings.servers().size()),
        settings.protocol().forClient(d, settings.documents()), new LatencyTracker(), new LoadClient.Counters(), 0,
        true, d);
  }

  /** " cross-node p50 .. ms, p99 .. ms;" for a report line, or nothing when no delivery crossed nodes. */
  private static String crossNodePart(Histogram crossNode) {
    return crossNode.getTotalCount() == 0 ? ""
        : " cross-node p50 " + millis(crossNode, 50) + " ms, p99 " + millis(crossNode, 99) + " ms;";
  }

  private static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private record Convergence(int checked, int diverged, String first) {}

  /**
   * Compares, per document of this process, the server's state (fetched by a new client) with every connected
   * client's: the text and state vector of each replica, the clocks every other client holds (see {@link LoadClient}).
   * With the {@link LatencyTracker}'s count (every update sent reached each other client of its document once), that
   * says every client received everything and the server holds what its replicas hold. The fresh clients connect a batch of documents at a time ({@link #CONVERGENCE_BATCH}): the machine allows a
   * process 20,000 open files, and the server holds one for each client too.
   */
  private Convergence checkConvergence() {
    Map<String, List<LoadClient>> byDocument = new HashMap<>();
    for (LoadClient c : clients) {
      byDocument.computeIfAbsent(c.document, k -> new ArrayList<>()).add(c);
    }
    // Every snapshot is asked for at once: one round trip per client would take long on a busy machine.
    Map<LoadClient, io.netty.util.concurrent.Future<LoadClient.Snapshot>> snapshots = new HashMap<>();
    for (LoadClient c : clients) {
      if (c.synced.isDone() && !c.synced.isCompletedExceptionally()) {
        snapshots.put(c, c.snapshot());
      }
    }
    int checked = 0;
    int diverged = 0;
    String first = "";
    List<Integer> documents = new ArrayList<>();
    for (int d = 0; d < settings.documents(); d++) {
      if (settings.processOf(d) == settings.process()) {
        documents.add(d);
      }
    }
    for (int batch = 0; batch < documents.size(); batch += CONVERGENCE_BATCH) {
      List<Integer> batchDocuments = documents.subList(batch, Math.min(documents.size(), batch + CONVERGENCE_BATCH));
      // Each probe takes the place of one of its document's clients, whose snapshot is taken: the server then holds
      // no more connections than it held clients (a server process may hold only so many files).
      List<io.netty.channel.ChannelFuture> left = new ArrayList<>();
      for (int d : batchDocuments) {
        List<LoadClient> documentClients = byDocument.getOrDefault(documentName(d), List.of());
        LoadClient leaving = documentClients.isEmpty() ? null : documentClients.get(documentClients.size() - 1);
        if (documentClients.size() > 1 && snapshots.containsKey(leaving)) {
          snapshots.get(leaving).syncUninterruptibly();
          left.add(leaving.leave());
        }
      }
      left.forEach(f -> f.awaitUninterruptibly(LoadClient.LEAVE_SECONDS + 5, TimeUnit.SECONDS));
      List<LoadClient> probes = new ArrayList<>();
      for (int d : batchDocuments) {
        LoadClient probe = passiveClient(-1 - d, d);
        probes.add(probe);
        connect(probe, d);
      }
      for (int i = 0; i < probes.size(); i++) {
        LoadClient probe = probes.get(i);
        String problem = compare(batchDocuments.get(i), probe, byDocument.getOrDefault(probe.document, List.of()),
            snapshots);
        checked++;
        if (problem != null) {
          diverged++;
          if (first.isEmpty()) {
            first = problem;
          }
        }
      }
    }
    return new Convergence(checked, diverged, first);
  }

  /**
   * What differs between the server's state of a document (fetched by {@code probe}, or by another one if the server
   * refused it: a connection that left may not be let go of yet) and its clients', or null.
   */
  private String compare(int d, LoadClient probe, List<LoadClient> documentClients,
      Map<LoadClient, io.netty.util.concurrent.Future<LoadClient.Snapshot>> snapshots) {
    LoadClient.Snapshot server = null;
    Exception failed = null;
    for (int attempt = 0; attempt < PROBE_ATTEMPTS && server == null; attempt++) {
      if (attempt > 0) {
        probe.close();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        probe = passiveClient(-1 - d, d);
        connect(probe, d);
      }
      try {
        probe.synced.get(60, TimeUnit.SECONDS);
        server = probe.snapshot().syncUninterruptibly().getNow();
      } catch (Exception e) {
        failed = e;
      }
    }
    probe.close();
    if (server == null) {
      return probe.document + ": cannot fetch the server's state: " + failed;
    }
    return compare(probe.document, server, documentClients, snapshots);
  }

  /** What differs between the server's state of document {@code name} and its clients' snapshots, or null. */
  static String compare(String name, LoadClient.Snapshot server, List<LoadClient> documentClients,
      Map<LoadClient, io.netty.util.concurrent.Future<LoadClient.Snapshot>> snapshots) {
    for (LoadClient c : documentClients) {
      if (!snapshots.containsKey(c)) {
        return name + ": client " + c.index + " never synced";
      }
      LoadClient.Snapshot s = snapshots.get(c).syncUninterruptibly().getNow();
      if (!s.connected()) {
        return name + ": client " + c.index + " was disconnected";
      }
      // A client without a replica has no text: the clocks it holds (received and its own) are compared.
      if ((s.text() != null && !s.text().equals(server.text()))
          || !StateVector.decode(s.stateVector()).equals(StateVector.decode(server.stateVector()))) {
        return name + ": client " + c.index + (s.text() == null ? " received the clocks "
            + StateVector.decode(s.stateVector()) + ", the server has " + StateVector.decode(server.stateVector())
            : " has " + s.text().length() + " characters, the server " + server.text().length());
      }
    }
    return null;
  }

  private void shutdown() {
    clients.forEach(LoadClient::close);
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Command line: see {@link LoadCommandLine#USAGE}. Prints the summary, then one Markdown row of each table,
   * prefixed with {@code ROW } and {@code PEERS }; {@code --table-header} and {@code --peers-header} print the
   * tables' headers.
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--table-header")) {
      System.out.println(LoadReport.markdownHeader());
      return;
    }
    if (args.length == 1 && args[0].equals("--peers-header")) {
      System.out.println(LoadReport.peersHeader());
      return;
    }
    LoadSettings settings;
    try {
      settings = LoadCommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(LoadCommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (settings == null) {
      System.out.println(LoadCommandLine.USAGE);
      return;
    }
    if (settings.process() > 0) {
      hold(settings);
      System.exit(0);
      return;
    }
    StallWatch.startFromProperty(); // the generator's whole-JVM stalls, as on the nodes
    LoadReport report = run(settings, List.of(args));
    System.out.print(report.summary());
    System.out.println("ROW " + report.markdownRow());
    System.out.println("PEERS " + report.peersRow());
    if (report.cluster() != null) {
      System.out.println("CLUSTER " + report.clusterJson());
    }
    System.exit(report.converged() && report.undelivered() == 0 && report.ack().unacknowledged() <= 0 ? 0 : 1);
  }
}
