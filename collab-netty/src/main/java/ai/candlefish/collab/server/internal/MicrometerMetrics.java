package ai.candlefish.collab.server.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link ServerMetrics} on a Micrometer {@link MeterRegistry}. Meter names (all prefixed {@code collab.}):
 *
 * <ul>
 *   <li>{@code connections} (gauge, tag {@code protocol}): open WebSocket connections;
 *   <li>{@code documents.loaded} (gauge): documents in memory;
 *   <li>{@code messages.received}, {@code messages.sent} (distribution summaries of bytes, tag {@code protocol}):
 *       their count is the message count, their total the bytes;
 *   <li>{@code update.apply} (timer): applying a client's update to its document;
 *   <li>{@code store} (timer, tag {@code result} success/failure): store calls;
 *   <li>{@code store.backlog.updates}, {@code store.backlog.bytes} (gauges): updates applied in memory and not yet
 *       stored (waiting for the store debounce, in flight, or retried while the store fails), and the memory they
 *       and the acknowledgements waiting for them hold ({@code maxUnstoredBytes} bounds it);
 *   <li>{@code document.load} (timer, tag {@code result} success/failure): loading documents from the store;
 *   <li>{@code authentications} (counter, tag {@code result} success/refused/expired/revoked/error): authenticator calls
 *       (no principal or token in any tag);
 *   <li>{@code connections.refused} (counter, tag {@code reason}): connections refused before their upgrade
 *       (connection limits, origin, upgrade timeout) or not authenticated in time ({@code authentication-timeout});
 *   <li>{@code messages.rejected} (counter, tag {@code code}): refused messages and connections closed for a
 *       violation, by close code;
 *   <li>{@code messages.throttled} (counter, tag {@code limit}): messages held back (reading paused) by a rate
 *       ({@code messages}, {@code authentications}, {@code opens}) or by {@code in-flight}, and presence updates
 *       coalesced ({@code awareness});
 *   <li>{@code revocations} (gauge): revoked principals remembered.
 * </ul>
 *
 * <p>Only loaded when a registry is given, so Micrometer is an optional dependency.
 */
public final class MicrometerMetrics implements ServerMetrics {
  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> received = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> sent = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> rejected = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> authentications = new ConcurrentHashMap<>();
  private final Map<String, Counter> throttled = new ConcurrentHashMap<>();
  private final Timer updateApply;
  private final Timer storeSucceeded;
  private final Timer storeFailed;
  private final Timer loadSucceeded;
  private final Timer loadFailed;

  public MicrometerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.updateApply = keep(Timer.builder("collab.update.apply")
        .description("Time to apply a client's update to its document").register(registry));
    this.storeSucceeded = keep(storeTimer("success"));
    this.storeFailed = keep(storeTimer("failure"));
    this.loadSucceeded = keep(loadTimer("success"));
    this.loadFailed = keep(loadTimer("failure"));
  }

  private Timer loadTimer(String result) {
    return Timer.builder("collab.document.load").description("Time to load a document from the store")
        .tag("result", result).register(registry);
  }

  private Timer storeTimer(String result) {
    return Timer.builder("collab.store").description("Time of document store calls (append or replace)")
        .tag("result", result).register(registry);
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  @Override
  public void bind(ServerRuntime runtime) {
    keep(Gauge.builder("collab.documents.loaded", runtime.registry(), DocumentRegistry::size)
        .description("Documents in memory").register(registry));
    keep(Gauge.builder("collab.store.failing", runtime, ServerRuntime::documentsFailingToStore)
        .description("Documents whose updates the store fails to take (kept in memory, retried)")
        .register(registry));
    keep(Gauge.builder("collab.revocations", runtime.revocations(), Revocations::size)
        .description("Revoked principals remembered (their older tokens are refused)").register(registry));
    keep(Gauge.builder("collab.store.backlog.updates", runtime, ServerRuntime::unstoredUpdates)
        .description("Updates applied in memory and not yet stored").register(registry));
    keep(Gauge.builder("collab.store.backlog.bytes", runtime, ServerRuntime::unstoredBytes).baseUnit("bytes")
        .description("Memory the updates applied and not yet stored hold, with the acknowledgements waiting for them").register(registry));
  }

  @Override
  public void connectionOpened(String protocol) {
    connections.computeIfAbsent(protocol, p -> {
      AtomicInteger count = new AtomicInteger();
      keep(Gauge.builder("collab.connections", count, AtomicInteger::get).description("Open WebSocket connections")
          .tag("protocol", p).register(registry));
      return count;
    }).incrementAndGet();
  }

  @Override
  public void connectionClosed(String protocol) {
    AtomicInteger count = connections.get(protocol);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  @Override
  public void messageReceived(String protocol, int bytes) {
    received.computeIfAbsent(protocol, summary("collab.messages.received", "Messages from clients, in bytes"))
        .record(bytes);
  }

  @Override
  public void messageSent(String protocol, int bytes) {
    sent.computeIfAbsent(protocol, summary("collab.messages.sent", "Messages to clients, in bytes")).record(bytes);
  }

  private Function<String, DistributionSummary> summary(String name, String description) {
    return protocol -> keep(DistributionSummary.builder(name).description(description).baseUnit("bytes")
        .tag("protocol", protocol).register(registry));
  }

  @Override
  public void updateApplied(long nanos) {
    updateApply.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void storeCompleted(long nanos, boolean succeeded) {
    (succeeded ? storeSucceeded : storeFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void documentLoaded(long nanos, boolean succeeded) {
    (succeeded ? loadSucceeded : loadFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void authenticated(String result) {
    authentications.computeIfAbsent(result, r -> keep(Counter.builder("collab.authentications")
        .description("Authenticator calls, by result").tag("result", r).register(registry))).increment();
  }

  @Override
  public void connectionRefused(String reason) {
    refused.computeIfAbsent(reason, r -> keep(Counter.builder("collab.connections.refused")
        .description("Connections refused before their WebSocket upgrade, by reason")
        .tag("reason", r).register(registry))).increment();
  }

  @Override
  public void rejected(int code) {
    rejected.computeIfAbsent(code, c -> keep(Counter.builder("collab.messages.rejected")
        .description("Client messages and connections the server refused, by close code")
        .tag("code", Integer.toString(c)).register(registry))).increment();
  }

  @Override
  public void throttled(String limit) {
    throttled.computeIfAbsent(limit, l -> keep(Counter.builder("collab.messages.throttled")
        .description("Client messages held back (reading paused) or coalesced at a limit, by limit")
        .tag("limit", l).register(registry))).increment();
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
