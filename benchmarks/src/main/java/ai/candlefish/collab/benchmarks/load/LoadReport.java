package ai.candlefish.collab.benchmarks.load;

import java.util.Locale;
import java.util.Map;

/**
 * The figures of one load run. Times in milliseconds, memory in bytes (-1 when not measured), CPU in percent of
 * one core over the measured phase.
 *
 * @param serverName what the server was ({@link LoadSettings#serverName()})
 * @param writers how many of the clients edited
 * @param connectMillisTotal from the first connection attempt until the last client was synced
 * @param connectP50Millis per connection, from the connect call until the WebSocket handshake was done
 * @param syncedP50Millis per connection, from the connect call until the initial sync was done
 * @param latencySamples relay latencies recorded (one per update and receiving client)
 * @param ack the ack latency (collab/1: from sending an update to the server's acknowledgement)
 * @param deliveriesPerSecond relayed updates received by clients per second of the measured phase
 * @param undelivered updates that some client had still not received 30 s after the edits stopped
 * @param unmatched updates received that no tracked client sent (should be 0)
 * @param echoes updates that the server sent back to their own sender (not counted as deliveries)
 * @param failureCauses why clients did not sync or closed without being asked to (the server's close code and
 *     reason, an I/O error, a timeout), with how many clients each; empty if none did
 * @param serverConnectCpuSeconds the server's CPU time from the first connection attempt until the last client was
 *     synced, in seconds (-1 when not measured)
 * @param serverHeapIdleBytes the server's heap after a full GC before the clients connected
 * @param serverHeapConnectedBytes ... once every client was synced
 * @param serverHeapEndBytes ... after the measured phase
 * @param serverRssIdleBytes the server's resident memory before the clients connected (after the GC of the heap
 *     figure, for a JVM)
 * @param serverRssConnectedBytes ... once every client was synced
 * @param serverRssBytes ... at the end of the measured phase
 * @param documentsDiverged documents whose clients or server disagree at the end
 * @param divergence the first disagreement found, or ""
 * @param loadAverage the machine's load averages (1, 5, 15 minutes) at the end of the measured phase
 * @param serverRunQueueWaitPercent how long the server's threads together were ready to run but waited for a
 *     core, in percent of the measured phase (from {@code /proc/<pid>/task/<tid>/schedstat}); a high value
 *     against a low CPU figure means the machine, not the server, was the bottleneck
 * @param serverWaitPerSliceMillis how long a server thread that became ready waited for a core, on average: each
 *     hop of an update from one thread to another (event loop, document thread, event loop) waits about this long
 * @param generatorRunQueueWaitPercent the same for the load generator
 * @param generatorWaitPerSliceMillis the same for the load generator
 * @param serverGc the server's GC pauses during the measured phase ({@code jstat -gc}), or null if unknown
 * @param generatorGc the load generator's, or null if unknown
 * @param cluster the figures of a run against several nodes ({@link LoadSettings#servers()}) or with cluster probes
 *     set, or null
 */
public record LoadReport(String scenario, String serverName, String protocol, int clients, int documents,
    double rate, int writers, double measuredSeconds, int connected, int connectFailures, double connectMillisTotal,
    double connectP50Millis, double connectP99Millis, double connectMaxMillis, double syncedP50Millis,
    double syncedP99Millis, double syncedMaxMillis, long latencySamples, double relayP50Millis,
    double relayP95Millis, double relayP99Millis, double relayMaxMillis, AckLatency ack, long updatesSent,
    long deliveries, double deliveriesPerSecond, int undelivered, long unmatched, long echoes,
    long unexpectedCloses, long protocolErrors, Map<String, Integer> failureCauses, double serverConnectCpuSeconds, double serverCpuPercent, double generatorCpuPercent,
    long serverHeapIdleBytes, long serverHeapConnectedBytes, long serverHeapEndBytes, long serverRssIdleBytes,
    long serverRssConnectedBytes, long serverRssBytes, int documentsChecked, int documentsDiverged, String divergence, String loadAverage, double serverRunQueueWaitPercent,
    double serverWaitPerSliceMillis, double generatorRunQueueWaitPercent, double generatorWaitPerSliceMillis,
    GcPauses serverGc, GcPauses generatorGc, ClusterFigures cluster) {

  /**
   * Stop-the-world garbage collections of a JVM: how many, and their time together.
   *
   * @param count young, full and concurrent cycles' pauses
   * @param seconds their time together
   */
  public record GcPauses(long count, double seconds) {
    GcPauses minus(GcPauses before) {
      return new GcPauses(count - before.count, seconds - before.seconds);
    }
  }

  /**
   * The time from sending an update to the server's acknowledgement, for protocols whose server acknowledges
   * updates once they are applied and stored (collab/1).
   *
   * @param samples acknowledgements recorded (after the warm-up, including the drain)
   * @param unacknowledged updates still without an acknowledgement 30 s after the edits stopped; -1 when the
   *     protocol has no acknowledgements
   */
  public record AckLatency(long samples, double p50Millis, double p95Millis, double p99Millis, double maxMillis,
      long unacknowledged) {
    /** Whether the protocol acknowledges updates at all. */
    public boolean measured() {
      return unacknowledged >= 0;
    }
  }

  /** Whether every document ended the same in all its clients and in the server. */
  public boolean converged() {
    return documentsDiverged == 0 && documentsChecked == documents;
  }

  /**
   * Connections that failed or closed, protocol errors, updates some client never received, and receipts of
   * updates nobody sent.
   */
  public long errors() {
    return connectFailures + unexpectedCloses + protocolErrors + undelivered + unmatched;
  }

  /** The server's resident memory per connection: its growth from idle to connected, divided by connections. */
  public double rssPerConnectionBytes() {
    return serverRssIdleBytes < 0 || connected == 0 ? -1
        : (double) (serverRssConnectedBytes - serverRssIdleBytes) / connected;
  }

  /** The report as a few lines for people. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(f("scenario %s, %s (%s): %d clients on %d documents, %d of them editing %s times/s, %.0f s measured%n",
        scenario, serverName, protocol, clients, documents, writers, num(rate), measuredSeconds));
    b.append(f("  connect: %d connected, %d failed, all synced after %.0f ms; per connection p50 %.1f ms, p99 %.1f"
        + " ms, max %.1f ms (handshake); synced p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", connected,
        connectFailures, connectMillisTotal, connectP50Millis, connectP99Millis, connectMaxMillis, syncedP50Millis,
        syncedP99Millis, syncedMaxMillis));
    if (updatesSent > 0) {
      b.append(f("  relay latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)%n",
          relayP50Millis, relayP95Millis, relayP99Millis, relayMaxMillis, latencySamples));
      if (ack.measured()) {
        b.append(f("  ack latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples, %d"
            + " unacknowledged)%n", ack.p50Millis(), ack.p95Millis(), ack.p99Millis(), ack.maxMillis(),
            ack.samples(), ack.unacknowledged()));
      }
      b.append(f("  updates: %d sent, %d deliveries, %.0f deliveries/s, %d undelivered, %d unmatched, %d sent back"
          + " to their sender%n", updatesSent, deliveries, deliveriesPerSecond, undelivered, unmatched, echoes));
    }
    b.append(f("  waiting for a core (run queue): server %s, load generator %.0f%% of the phase (%.2f ms per time"
        + " slice)%n", serverRunQueueWaitPercent < 0 ? "n/a" : f("%.0f%% of the phase (%.2f ms per time slice)",
        serverRunQueueWaitPercent, serverWaitPerSliceMillis), generatorRunQueueWaitPercent,
        generatorWaitPerSliceMillis));
    b.append(f("  GC pauses in the measured phase: server %s, load generator %s%n", pauses(serverGc),
        pauses(generatorGc)));
    b.append(f("  server: CPU %.1f s while the clients connected, %s of a core in the measured phase; heap after GC"
        + " %s idle, %s connected, %s at the end; RSS %s idle, %s connected, %s at the end (%s per connection)%n",
        serverConnectCpuSeconds, serverCpuPercent < 0 ? "n/a" : f("%.1f%%", serverCpuPercent)
            + (deliveriesPerSecond > 0
                ? f(" (%.1f µs per delivered update)", serverCpuPercent * 1e4 / deliveriesPerSecond) : ""),
        mib(serverHeapIdleBytes),
        mib(serverHeapConnectedBytes), mib(serverHeapEndBytes), mib(serverRssIdleBytes),
        mib(serverRssConnectedBytes), mib(serverRssBytes), rssPerConnectionBytes() < 0 ? "n/a"
        : f("%.1f KiB", rssPerConnectionBytes() / 1024)));
    if (serverHeapIdleBytes >= 0 && serverHeapConnectedBytes >= 0 && connected > 0) {
      b.append(f("  server heap per connection: %.1f KiB%n",
          (serverHeapConnectedBytes - serverHeapIdleBytes) / 1024.0 / connected));
    }
    b.append(f("  load generator: CPU %.0f%% of a core; %d unexpected closes, %d protocol errors; machine load %s%n",
        generatorCpuPercent, unexpectedCloses, protocolErrors, loadAverage));
    if (!failureCauses.isEmpty()) {
      b.append(f("  failed or closed clients by cause: %s%n", failureCauses));
    }
    if (cluster != null) {
      b.append(f("  cluster of %d node%s: cross-node relay p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples);"
          + " CPU per delivered update: nodes %s, database %s, Redis %s; bytes through Redis per delivered update"
          + " %s%n", cluster.nodes(), cluster.nodes() == 1 ? "" : "s", cluster.crossNodeP50Millis(),
          cluster.crossNodeP99Millis(), cluster.crossNodeMaxMillis(), cluster.crossNodeSamples(),
          micros(cluster.nodesCpuMicrosPerDelivery()), micros(cluster.databaseCpuMicrosPerDelivery()),
          micros(cluster.redisCpuMicrosPerDelivery()), cluster.redisBytesPerDelivery() < 0 ? "n/a"
          : f("%.0f", cluster.redisBytesPerDelivery())));
    }
    b.append(f("  convergence: %s (%d of %d documents checked, %d diverged)%s%n", converged() ? "OK" : "FAILED",
        documentsChecked, documents, documentsDiverged, divergence.isEmpty() ? "" : ": " + divergence));
    return b.toString();
  }

  /** The header of {@link #markdownRow()}. */
  public static String markdownHeader() {
    return "| scenario | clients / docs | edits/s per client | connect: all (s) | connect p99 (ms) | relay p50 / p95 "
        + "/ p99 / max (ms) | ack p50 / p95 / p99 / max (ms) | deliveries/s | server CPU (% core) | server heap idle / connected / end (MiB) | "
        + "heap per conn (KiB) | wait for a core per slice: server / generator (ms) | machine load | converged |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
  }

  /** One row of a Markdown table. */
  public String markdownRow() {
    String relay = updatesSent == 0 ? "–" : f("%.1f / %.1f / %.1f / %.1f", relayP50Millis, relayP95Millis,
        relayP99Millis, relayMaxMillis);
    String acks = updatesSent == 0 || !ack.measured() ? "–" : f("%.1f / %.1f / %.1f / %.1f", ack.p50Millis(),
        ack.p95Millis(), ack.p99Millis(), ack.maxMillis());
    String perConnection = serverHeapIdleBytes >= 0 && serverHeapConnectedBytes >= 0 && connected > 0
        ? f("%.1f", (serverHeapConnectedBytes - serverHeapIdleBytes) / 1024.0 / connected) : "–";
    return f("| %s | %d / %d | %s | %.1f | %.1f | %s | %s | %s | %.0f | %s / %s / %s | %s | %.2f / %.2f | %s | %s |",
        scenario, connected,
        documents, num(rate), connectMillisTotal / 1000, connectP99Millis, relay, acks,
        updatesSent == 0 ? "–" : f("%.0f", deliveriesPerSecond), serverCpuPercent, mibNumber(serverHeapIdleBytes),
        mibNumber(serverHeapConnectedBytes), mibNumber(serverHeapEndBytes), perConnection, serverWaitPerSliceMillis,
        generatorWaitPerSliceMillis, loadAverage.split(" ")[0], converged() ? "yes" : "NO (" + documentsDiverged + ")");
  }

  /** The header of {@link #peersRow()}. */
  public static String peersHeader() {
    return "| scenario | server (client protocol) | connected | relay p50 / p99 / max (ms) | delivered updates/s "
        + "| synced p50 / p99 / max (ms) | server CPU: connecting (s) / measured phase (% of a core) | server RSS idle / connected / end (MiB) "
        + "| RSS per connection (KiB) | errors | converged |\n"
        + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
  }

  /** One row of the side-by-side table of servers (run-load.sh --servers). */
  public String peersRow() {
    String relay = updatesSent == 0 ? "–" : f("%.1f / %.1f / %.0f", relayP50Millis, relayP99Millis,
        relayMaxMillis);
    return f("| %s | %s (%s) | %d of %d | %s | %s | %.0f / %.0f / %.0f | %.1f / %.0f | %s / %s / %s | %s | %d | %s |",
        scenario, serverName, protocol, connected, clients, relay,
        updatesSent == 0 ? "–" : f("%.0f", deliveriesPerSecond), syncedP50Millis, syncedP99Millis,
        syncedMaxMillis, serverConnectCpuSeconds, serverCpuPercent, mibNumber(serverRssIdleBytes), mibNumber(serverRssConnectedBytes),
        mibNumber(serverRssBytes), rssPerConnectionBytes() < 0 ? "–" : f("%.1f", rssPerConnectionBytes() / 1024),
        errors(), converged() ? "yes" : "NO (" + documentsDiverged + ")");
  }

  /**
   * The figures that benchmarks/run-cluster-load.sh tabulates, as one line of JSON: the run's and
   * {@link #cluster()}'s (per-delivery figures -1 when not measured).
   */
  public String clusterJson() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("server", serverName);
    m.put("protocol", protocol);
    m.put("nodes", cluster == null ? 1 : cluster.nodes());
    m.put("clients", clients);
    m.put("connected", connected);
    m.put("documents", documents);
    m.put("rate", rate);
    m.put("measuredSeconds", measuredSeconds);
    m.put("deliveriesPerSecond", deliveriesPerSecond);
    m.put("latencySamples", latencySamples);
    m.put("relayP50Millis", relayP50Millis);
    m.put("relayP99Millis", relayP99Millis);
    m.put("relayMaxMillis", relayMaxMillis);
    m.put("ackP50Millis", ack.measured() ? ack.p50Millis() : -1);
    m.put("ackP99Millis", ack.measured() ? ack.p99Millis() : -1);
    m.put("errors", errors());
    m.put("converged", converged());
    m.put("loadAverage", loadAverage);
    if (cluster != null) {
      m.put("crossNodeSamples", cluster.crossNodeSamples());
      m.put("crossNodeP50Millis", cluster.crossNodeP50Millis());
      m.put("crossNodeP99Millis", cluster.crossNodeP99Millis());
      m.put("deliveries", cluster.deliveries());
      m.put("nodesCpuSeconds", cluster.nodesCpuSeconds());
      m.put("databaseCpuSeconds", cluster.databaseCpuSeconds());
      m.put("redisCpuSeconds", cluster.redisCpuSeconds());
      m.put("redisInputBytes", cluster.redisInputBytes());
      m.put("redisOutputBytes", cluster.redisOutputBytes());
      m.put("nodesCpuMicrosPerDelivery", cluster.nodesCpuMicrosPerDelivery());
      m.put("databaseCpuMicrosPerDelivery", cluster.databaseCpuMicrosPerDelivery());
      m.put("redisCpuMicrosPerDelivery", cluster.redisCpuMicrosPerDelivery());
      m.put("redisBytesPerDelivery", cluster.redisBytesPerDelivery());
    }
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String micros(double value) {
    return value < 0 ? "n/a" : f("%.1f µs", value);
  }

  private static String pauses(GcPauses gc) {
    return gc == null ? "n/a" : f("%d, %.0f ms in all (%.1f ms on average)", gc.count(), gc.seconds() * 1000,
        gc.count() == 0 ? 0 : gc.seconds() * 1000 / gc.count());
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : mibNumber(bytes) + " MiB";
  }

  private static String mibNumber(long bytes) {
    return bytes < 0 ? "n/a" : f("%.1f", bytes / 1048576.0);
  }
}
