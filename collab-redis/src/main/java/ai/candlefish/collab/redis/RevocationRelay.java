package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.Revocation;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations between nodes ({@link RedisClusterTransport#publishRevocation}): a node's revocation reaches the others
 * at once over pub/sub, and is kept in Redis as long as it is remembered, so that a node that was not listening
 * learns it later.
 *
 * <p>One script adds a revocation to the sorted set {@code <prefix>revocations} (scored by when it is forgotten; the
 * set expires with its last entry and holds at most {@link #MAX_ENTRIES}), counts it in {@code
 * <prefix>revocations:n} and publishes it on {@code <prefix>revoked} (in {@link PresenceRelay}'s message form, type
 * {@code R}). Every heartbeat a node reads the counter; when it changed since the node last read the set (a
 * revocation the node may not have heard: it was cut off from Redis, or it just started, or Redis lost its data), it
 * reads the set again. So a node cut off from Redis ends a revoked principal's sessions within a heartbeat of being
 * reconnected. A revocation this node could not publish (Redis unreachable) is published again on every heartbeat
 * until Redis takes it. What Redis loses (a restart without persistence) before a node that was cut off read it, that
 * node does not learn: those sessions last until their tokens expire.
 *
 * <p>A revocation is handed to the listener once per node ({@link #delivered}), whichever way it came. Member and
 * message payload: {@code <at millis>:<tenant length>:<tenant><principal id>} (UTF-8); the message's payload is
 * preceded by {@code <until millis>:}.
 *
 * <p>Thread-safe: messages arrive on Lettuce's I/O threads, {@link #tick} runs on the transport's scheduler.
 */
final class RevocationRelay {
  private static final Logger log = LoggerFactory.getLogger(RevocationRelay.class);
  static final byte REVOKED = 'R';
  /** The most revocations Redis keeps for a cluster; beyond, those forgotten soonest go first. */
  static final int MAX_ENTRIES = 100_000;

  private static final String ADD = String.join("\n",
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])",
      "local known = redis.call('ZSCORE', KEYS[1], ARGV[1])",
      "if known and tonumber(known) >= tonumber(ARGV[2]) then return 0 end",
      "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])",
      "local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])",
      "if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1) end",
      "local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')",
      "redis.call('PEXPIREAT', KEYS[1], last[2])",
      "redis.call('INCR', KEYS[2])",
      "redis.call('PUBLISH', ARGV[5], ARGV[6])",
      "return 1");

  private final String nodeId;
  private final String set;
  private final String counter;
  private final String channel;
  private final StatefulRedisConnection<String, byte[]> commands;
  private volatile Consumer<Revocation> listener;
  /** What this node heard or sent, by member, with when it is forgotten (epoch millis); oldest first. */
  private final LinkedHashMap<String, Long> delivered = new LinkedHashMap<>();
  /** This node's revocations that Redis has not taken yet. */
  private final Queue<Revocation> unpublished = new ArrayDeque<>();
  /** The counter when the set was last read; null before the first read (and while no listener is set). */
  private byte[] lastCount;

  RevocationRelay(String nodeId, Keys keys, StatefulRedisConnection<String, byte[]> commands,
      StatefulRedisPubSubConnection<String, byte[]> pubSub) {
    this.nodeId = nodeId;
    this.set = keys.prefix + "revocations";
    this.counter = keys.prefix + "revocations:n";
    this.channel = keys.prefix + "revoked";
    this.commands = commands;
    pubSub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, byte[] message) {
        if (from.equals(channel)) {
          received(message);
        }
      }
    });
    pubSub.sync().subscribe(channel);
  }

  /** Sets the listener; the next {@link #tick} reads what Redis remembers. */
  void listen(Consumer<Revocation> listener) {
    synchronized (this) {
      if (this.listener != null) {
        throw new IllegalStateException("node " + nodeId + " has a revocation listener already; set it once");
      }
      this.listener = listener;
      lastCount = null;
    }
  }

  /** Sends a revocation made on this node; one Redis cannot take now goes on the next {@link #tick}. */
  void publish(Revocation r) {
    synchronized (this) {
      deliveredNow(member(r), r.until().toEpochMilli());
    }
    add(r).whenComplete((ok, e) -> {
      if (e != null) {
        log.warn("node {}: could not send a revocation to the other nodes ({}); sending it again once Redis is back",
            nodeId, e.toString());
        synchronized (this) {
          unpublished.add(r);
        }
      }
    });
  }

  /** Publishes what failed before, then reads the set if its counter changed. On the scheduler; may block. */
  void tick() throws Exception {
    Revocation failed;
    while ((failed = peekUnpublished()) != null) {
      add(failed).get(5, TimeUnit.SECONDS);
      synchronized (this) {
        unpublished.poll();
      }
    }
    if (listener == null) {
      return;
    }
    byte[] read = commands.async().get(counter).get(5, TimeUnit.SECONDS);
    byte[] count = read == null ? new byte[0] : read; // none yet, or Redis lost its data
    byte[] seen;
    synchronized (this) {
      seen = lastCount;
    }
    if (seen != null && Arrays.equals(seen, count)) {
      return;
    }
    long now = System.currentTimeMillis();
    for (ScoredValue<byte[]> entry : commands.async().zrangebyscoreWithScores(set,
        Range.create((double) now, Double.POSITIVE_INFINITY)).get(5, TimeUnit.SECONDS)) {
      deliver(new String(entry.getValue(), StandardCharsets.UTF_8), (long) entry.getScore());
    }
    synchronized (this) {
      lastCount = count;
    }
  }

  private synchronized Revocation peekUnpublished() {
    return unpublished.peek();
  }

  private CompletableFuture<Long> add(Revocation r) {
    String member = member(r);
    byte[] until = ascii(r.until().toEpochMilli());
    byte[] message = PresenceRelay.frame(REVOKED, nodeId,
        (r.until().toEpochMilli() + ":" + member).getBytes(StandardCharsets.UTF_8));
    return commands.async().<Long>eval(ADD, ScriptOutputType.INTEGER, new String[] {set, counter},
        member.getBytes(StandardCharsets.UTF_8), until, ascii(System.currentTimeMillis()), ascii(MAX_ENTRIES),
        channel.getBytes(StandardCharsets.UTF_8), message).toCompletableFuture();
  }

  private void received(byte[] message) {
    PresenceRelay.Frame frame = PresenceRelay.Frame.parse(message);
    if (frame == null || frame.type() != REVOKED || frame.from().equals(nodeId)) {
      return;
    }
    String payload = new String(frame.payload(), StandardCharsets.UTF_8);
    int colon = payload.indexOf(':');
    try {
      deliver(payload.substring(colon + 1), Long.parseLong(payload.substring(0, colon)));
    } catch (RuntimeException e) {
      log.warn("node {}: ignored a malformed revocation from node {}", nodeId, frame.from());
    }
  }

  /** Hands the revocation {@code member}, remembered until {@code until}, to the listener unless it had it. */
  private void deliver(String member, long until) {
    Consumer<Revocation> l = listener;
    if (l == null) {
      return;
    }
    Revocation r;
    try {
      r = parse(member, until);
    } catch (RuntimeException e) {
      log.warn("node {}: ignored a malformed revocation in Redis", nodeId);
      return;
    }
    synchronized (this) {
      Long known = delivered.get(member);
      if (known != null && known >= until) {
        return;
      }
      deliveredNow(member, until);
    }
    l.accept(r);
  }

  /** Notes {@code member} as delivered; forgets what is past its time and, beyond the maximum, the oldest. */
  private void deliveredNow(String member, long until) {
    long now = System.currentTimeMillis();
    delivered.values().removeIf(u -> u < now);
    delivered.put(member, until);
    Iterator<Long> oldest = delivered.values().iterator();
    while (delivered.size() > MAX_ENTRIES) {
      oldest.next();
      oldest.remove();
    }
  }

  static String member(Revocation r) {
    return r.at().toEpochMilli() + ":" + r.tenant().length() + ":" + r.tenant() + r.principalId();
  }

  /**
   * The revocation of {@code member} ({@link #member}).
   *
   * @throws RuntimeException if it is malformed
   */
  static Revocation parse(String member, long until) {
    int first = member.indexOf(':');
    int second = member.indexOf(':', first + 1);
    long at = Long.parseLong(member.substring(0, first));
    int tenantLength = Integer.parseInt(member.substring(first + 1, second));
    String tenant = member.substring(second + 1, second + 1 + tenantLength);
    String principal = member.substring(second + 1 + tenantLength);
    return new Revocation(tenant, principal, Instant.ofEpochMilli(at), Instant.ofEpochMilli(until));
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }
}
