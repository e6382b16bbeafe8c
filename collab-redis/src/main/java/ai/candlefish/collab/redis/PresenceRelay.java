package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.DocumentKey;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence between nodes over Redis pub/sub, and the nodes' heartbeats.
 *
 * <p>Messages are {@code type (1 byte), node id length (2 bytes), node id (UTF-8), payload}: on a document's
 * channel {@code A} (an awareness update of the sender's clients), {@code Q} (a node joined: answer with your
 * clients' states) and {@code U} (a copy of an entry of the document's stream, sent by the publish script of {@link
 * StreamScripts}; handed to the {@link StreamReader}); on {@code <prefix>nodes} {@code H} (alive) and {@code B} (goodbye);
 * on {@code <prefix>revoked} {@code R} (a revocation, {@link RevocationRelay}). A node not heard from (any
 * message counts) for the node timeout is gone: each document removes the presence of that node's clients, as if
 * they had all left, and the transport is told (it reloads every document from the store, since the lost node may
 * have died between storing an update and publishing it). A goodbye removes the presence only: a node that closes
 * cleanly has published everything it stored.
 *
 * <p>Thread-safe. Messages arrive on Lettuce's I/O threads; {@link #heartbeat} and {@link #flush} run on the
 * transport's scheduler.
 */
final class PresenceRelay {
  private static final Logger log = LoggerFactory.getLogger(PresenceRelay.class);
  private static final byte AWARENESS = 'A';
  private static final byte QUERY = 'Q';
  private static final byte HEARTBEAT = 'H';
  private static final byte GOODBYE = 'B';
  private static final byte UPDATE = 'U';

  private final String nodeId;
  private final Keys keys;
  private final StatefulRedisConnection<String, byte[]> commands;
  private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private final Map<DocumentKey, JoinedDocument> documents;
  private final Map<String, JoinedDocument> byChannel = new ConcurrentHashMap<>();
  private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
  private final long timeoutNanos;
  private final Runnable nodeLost;
  private final StreamReader reader;
  private volatile boolean nodesSubscribed;
  /** Heartbeats so far (scheduler thread only): the mirrors' expiry runs on every {@link #EXPIRE_EVERY}th. */
  private long beats;
  /**
   * The mirrors drop states not renewed for 30 s only to bound their memory (owners send removals), so a walk over
   * every open document's two mirrors once every 5 heartbeats is enough; on every heartbeat it was ~1 % of a node's
   * CPU at 100 documents.
   */
  private static final int EXPIRE_EVERY = 5;

  /**
   * @param nodeLost called (on the scheduler) when a node stops answering without a goodbye: it may have stored
   *     updates that it never published
   * @param reader where the copies of stream entries ({@code U}) on the documents' channels go
   */
  PresenceRelay(String nodeId, Keys keys, StatefulRedisConnection<String, byte[]> commands,
      StatefulRedisPubSubConnection<String, byte[]> pubSub, Map<DocumentKey, JoinedDocument> documents,
      Duration nodeTimeout, Runnable nodeLost, StreamReader reader) {
    this.nodeId = nodeId;
    this.reader = reader;
    this.nodeLost = nodeLost;
    this.keys = keys;
    this.commands = commands;
    this.pubSub = pubSub;
    this.documents = documents;
    this.timeoutNanos = nodeTimeout.toNanos();
    pubSub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, byte[] message) {
        received(channel, message);
      }
    });
    pubSub.sync().subscribe(keys.nodes);
    nodesSubscribed = true;
  }

  void joined(JoinedDocument doc) {
    byChannel.put(doc.channel, doc);
    subscribe(doc);
  }

  private void subscribe(JoinedDocument doc) {
    pubSub.async().subscribe(doc.channel).whenComplete((ok, e) -> {
      if (e == null && !doc.isClosed()) {
        doc.subscribed = true;
        publish(doc.channel, QUERY, new byte[0]);
        if (doc.isStarted()) {
          reader.readWanted(doc); // what was published before the subscription is only in the stream
        }
      }
    });
  }

  void left(JoinedDocument doc) {
    byChannel.remove(doc.channel, doc);
    try {
      pubSub.async().unsubscribe(doc.channel);
    } catch (RuntimeException e) {
      // disconnected: Lettuce does not resubscribe a channel it was told to leave
    }
  }

  /** A presence update of this node's clients: coalesced until the next {@link #flush}. */
  void local(JoinedDocument doc, byte[] update) {
    if (!doc.localAwareness(update)) {
      log.debug("node {}: dropped a malformed presence update of {}", nodeId, doc.key());
    }
  }

  /** Publishes each document's coalesced presence changes. On the scheduler. */
  void flush() {
    for (JoinedDocument doc : documents.values()) {
      byte[] update = doc.drainLocal();
      if (update != null) {
        publish(doc.channel, AWARENESS, update);
      }
    }
  }

  /** Says this node is alive, removes the nodes not heard from, retries failed subscriptions. On the scheduler. */
  void heartbeat() {
    publish(keys.nodes, HEARTBEAT, new byte[0]);
    long now = System.nanoTime();
    for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
      if (now - e.getValue() > timeoutNanos && lastSeen.remove(e.getKey(), e.getValue())) {
        log.info("node {}: node {} not heard from for {} ms; removing its clients' presence", nodeId, e.getKey(),
            TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        gone(e.getKey());
        nodeLost.run();
      }
    }
    if (!nodesSubscribed) {
      pubSub.async().subscribe(keys.nodes).whenComplete((ok, e) -> nodesSubscribed = e == null);
    }
    boolean expire = ++beats % EXPIRE_EVERY == 0;
    for (JoinedDocument doc : documents.values()) {
      if (!doc.subscribed && !doc.isClosed()) {
        subscribe(doc);
      }
      if (expire) {
        doc.expireMirrors();
      }
    }
  }

  List<String> liveNodes() {
    List<String> nodes = new ArrayList<>();
    nodes.add(nodeId);
    long now = System.nanoTime();
    lastSeen.forEach((node, seen) -> {
      if (now - seen <= timeoutNanos) {
        nodes.add(node);
      }
    });
    return nodes;
  }

  /** Tells the others that this node's clients are gone (on close); waits briefly. */
  void goodbye() {
    try {
      commands.async().publish(keys.nodes, encode(GOODBYE, new byte[0])).get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("node {}: could not say goodbye (Redis unreachable?); the others time this node out", nodeId);
    }
  }

  private void gone(String node) {
    for (JoinedDocument doc : documents.values()) {
      byte[] removal = doc.removeNode(node);
      if (removal != null) {
        doc.listener.onRemoteAwareness(removal);
      }
    }
  }

  private void received(String channel, byte[] message) {
    ByteBuffer in = ByteBuffer.wrap(message);
    if (in.remaining() < 3) {
      return;
    }
    byte type = in.get();
    int length = in.getShort() & 0xffff;
    if (length > in.remaining()) {
      return;
    }
    if (type == UPDATE) {
      JoinedDocument doc = byChannel.get(channel);
      if (doc != null) {
        reader.received(doc, message, 3 + length);
      }
      return;
    }
    String from = new String(message, 3, length, StandardCharsets.UTF_8);
    if (from.equals(nodeId)) {
      return;
    }
    byte[] payload = new byte[in.remaining() - length];
    System.arraycopy(message, 3 + length, payload, 0, payload.length);
    if (type == GOODBYE) {
      lastSeen.remove(from);
      gone(from);
      return;
    }
    lastSeen.put(from, System.nanoTime());
    if (channel.equals(keys.nodes)) {
      return;
    }
    JoinedDocument doc = byChannel.get(channel);
    if (doc == null || doc.isClosed()) {
      return;
    }
    if (type == AWARENESS) {
      if (doc.remoteAwareness(from, payload)) {
        doc.listener.onRemoteAwareness(payload);
      } else {
        log.debug("node {}: dropped a malformed presence update of {} from node {}", nodeId, doc.key(), from);
      }
    } else if (type == QUERY) {
      byte[] states = doc.localStates();
      if (states != null) {
        publish(doc.channel, AWARENESS, states);
      }
    }
  }

  private void publish(String channel, byte type, byte[] payload) {
    try {
      commands.async().publish(channel, encode(type, payload));
    } catch (RuntimeException e) {
      // disconnected: presence is ephemeral, and clients renew theirs every 15 s
    }
  }

  private byte[] encode(byte type, byte[] payload) {
    return frame(type, nodeId, payload);
  }

  /** A message of this form (see the class comment) from node {@code nodeId}. */
  static byte[] frame(byte type, String nodeId, byte[] payload) {
    byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(3 + node.length + payload.length);
    out.write(type);
    out.write(node.length >>> 8);
    out.write(node.length);
    out.write(node, 0, node.length);
    out.write(payload, 0, payload.length);
    return out.toByteArray();
  }

  /** A message of this form, read: its type, the node that sent it and its payload. */
  record Frame(byte type, String from, byte[] payload) {
    /** The message's parts, or null if it is too short for what its header says. */
    static Frame parse(byte[] message) {
      if (message.length < 3) {
        return null;
      }
      int length = (message[1] & 0xff) << 8 | message[2] & 0xff;
      if (length > message.length - 3) {
        return null;
      }
      return new Frame(message[0], new String(message, 3, length, StandardCharsets.UTF_8),
          Arrays.copyOfRange(message, 3 + length, message.length));
    }
  }
}
