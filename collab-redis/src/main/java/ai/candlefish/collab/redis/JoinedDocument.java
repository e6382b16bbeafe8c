package ai.candlefish.collab.redis;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.spi.ClusterDocument;
import ai.candlefish.collab.spi.ClusterListener;
import ai.candlefish.collab.spi.DocumentKey;
import io.lettuce.core.XReadArgs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One document joined on a node: its stream position (read and written by the {@link StreamReader} thread, noted
 * once by {@code join} before that; copies of entries arrive on its channel, ahead of reads of its stream), and two presence mirrors: the other nodes' clients (to know whose presence to
 * remove when a node dies) and this node's clients (to coalesce and to answer a joining node's query).
 *
 * <p>Thread-safe: the position is volatile and has one writer at a time; the mirrors are guarded by {@code this}.
 */
final class JoinedDocument implements ClusterDocument {
  /** The mirrors' own client id: never a Yjs client's (those are 32-bit). */
  private static final long MIRROR_ID = Long.MAX_VALUE;

  private final RedisClusterTransport transport;
  private final DocumentKey key;
  final String stream;
  /** The stream's name as the reader and the scripts send it, encoded once. */
  final byte[] streamBytes;
  /** The counter that numbers {@link #stream}'s entries, encoded once (the publish script names it every time). */
  final byte[] counterBytes;
  final String channel;
  /** The channel's name as the publish script sends it, encoded once. */
  final byte[] channelBytes;
  final ClusterListener listener;

  private volatile String lastId = "0-0";
  private volatile long lastSeq;
  /** The reader's offset at {@link #lastId}, made again only when the position moves. */
  private volatile XReadArgs.StreamOffset<byte[]> offset;
  /** The reader's last read that named this stream ({@link StreamReader}'s own field). */
  long readRound;
  /** The reader should read this stream (it started, or a copy of an entry went missing); see {@link StreamReader}. */
  volatile boolean needsRead;
  private volatile boolean started;
  private volatile boolean stale;
  private volatile boolean closed;
  volatile boolean subscribed;
  private final AtomicBoolean publishFailed = new AtomicBoolean();

  private final Awareness remote = new Awareness(MIRROR_ID, System::currentTimeMillis);
  private final Map<Long, String> remoteOwners = new HashMap<>();
  private final Awareness local = new Awareness(MIRROR_ID, System::currentTimeMillis);
  private final Set<Long> dirty = new LinkedHashSet<>();

  JoinedDocument(RedisClusterTransport transport, DocumentKey key, String stream, String channel,
      ClusterListener listener) {
    this.transport = transport;
    this.key = key;
    this.stream = stream;
    this.streamBytes = stream.getBytes(StandardCharsets.UTF_8);
    this.counterBytes = transport.keys().counter(stream).getBytes(StandardCharsets.UTF_8);
    this.channel = channel;
    this.channelBytes = channel.getBytes(StandardCharsets.UTF_8);
    this.listener = listener;
    remote.onUpdate(change -> {
      String node = (String) change.origin();
      if (node == null) {
        return;
      }
      change.added().forEach(c -> remoteOwners.put(c, node));
      change.updated().forEach(c -> remoteOwners.put(c, node));
      change.removed().forEach(remoteOwners::remove);
    });
    local.onUpdate(change -> {
      for (Long c : change.all()) {
        if (c != MIRROR_ID) {
          dirty.add(c);
        }
      }
    });
  }

  @Override
  public DocumentKey key() {
    return key;
  }

  @Override
  public void start() {
    started = true;
    transport.started(this);
  }

  @Override
  public void publishUpdate(byte[] update) {
    Objects.requireNonNull(update, "update");
    if (!closed) {
      transport.publishUpdate(this, update);
    }
  }

  @Override
  public void publishAwareness(byte[] awarenessUpdate) {
    Objects.requireNonNull(awarenessUpdate, "awarenessUpdate");
    if (!closed) {
      transport.publishAwareness(this, awarenessUpdate);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      transport.left(this);
    }
  }

  boolean isClosed() {
    return closed;
  }

  boolean isStarted() {
    return started;
  }

  boolean isStale() {
    return stale;
  }

  void markStale() {
    stale = true;
    transport.staleMarked(); // after the flag: the reader looks for stale documents only when told
  }

  void position(StreamScripts.Position p) {
    lastId = p.id();
    lastSeq = p.seq();
    offset = null;
    stale = false;
  }

  String lastId() {
    return lastId;
  }

  long lastSeq() {
    return lastSeq;
  }

  void advance(String id, long seq) {
    lastId = id;
    lastSeq = seq;
    offset = null;
  }

  /** Where the reader goes on reading this stream. Reader thread. */
  XReadArgs.StreamOffset<byte[]> offset() {
    XReadArgs.StreamOffset<byte[]> o = offset;
    if (o == null) {
      o = XReadArgs.StreamOffset.from(streamBytes, lastId);
      offset = o;
    }
    return o;
  }

  /** Marks a failed publish; true the first time since the last {@link #clearPublishFailed}. */
  boolean markPublishFailed() {
    return publishFailed.compareAndSet(false, true);
  }

  boolean publishFailed() {
    return publishFailed.get();
  }

  void clearPublishFailed() {
    publishFailed.set(false);
  }

  // ---- presence mirrors

  /** Records the other node's presence update; false if it is malformed (then it is dropped). */
  synchronized boolean remoteAwareness(String node, byte[] update) {
    try {
      remote.applyUpdate(update, node);
      return true;
    } catch (DecodingException e) {
      return false;
    }
  }

  /** Removes the presence of {@code node}'s clients; the removal update to apply, or null if it had none. */
  synchronized byte[] removeNode(String node) {
    List<Long> gone = new ArrayList<>();
    remoteOwners.forEach((client, owner) -> {
      if (owner.equals(node)) {
        gone.add(client);
      }
    });
    if (gone.isEmpty()) {
      return null;
    }
    remote.removeStates(gone, null);
    gone.forEach(remoteOwners::remove);
    return remote.encodeUpdate(gone);
  }

  /** Records a presence update of this node's clients; false if it is malformed. */
  synchronized boolean localAwareness(byte[] update) {
    try {
      local.applyUpdate(update, "local");
      return true;
    } catch (DecodingException e) {
      return false;
    }
  }

  /** The coalesced presence changes of this node's clients since the last call, or null. */
  synchronized byte[] drainLocal() {
    if (dirty.isEmpty()) {
      return null;
    }
    byte[] update = local.encodeUpdate(dirty);
    dirty.clear();
    return update;
  }

  /** Every present client of this node (to answer a joining node), or null if none. */
  synchronized byte[] localStates() {
    // Only the clients: states() would parse every state's text to be thrown away.
    List<Long> clients = local.clientsWithState();
    clients.remove((Long) MIRROR_ID);
    return clients.isEmpty() ? null : local.encodeUpdate(clients);
  }

  /** Drops states not renewed for 30 s from both mirrors (their owners send removals; this bounds memory). */
  synchronized void expireMirrors() {
    remote.checkTimeouts();
    local.checkTimeouts();
  }

  @Override
  public String toString() {
    return "ClusterDocument[" + key + " at " + lastId + "/" + lastSeq + (stale ? ", stale" : "") + "]";
  }
}
