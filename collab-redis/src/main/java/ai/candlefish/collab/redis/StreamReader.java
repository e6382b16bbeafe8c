package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.DocumentKey;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one blocking {@code XREAD} loop of a node, over the streams of every document it has open (and its own wake
 * stream), on a connection of its own. Checks each entry's sequence number against the last one seen and resyncs a
 * document on any gap; resyncs every document after a failed read (see {@link RedisClusterTransport}).
 *
 * <p>Runs on one thread of its own; {@link #wake} and {@link #close} may be called from any thread.
 */
final class StreamReader implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(StreamReader.class);
  private static final int BATCH = 512;

  private final String nodeId;
  private final String wakeKey;
  private final StreamScripts scripts;
  private final Map<DocumentKey, JoinedDocument> documents;
  private final Duration block;
  private final Thread thread;
  private final StatefulRedisConnection<String, byte[]> connection;
  private volatile boolean closed;
  private volatile boolean connected = true;
  private String wakeId = "0-0";

  StreamReader(RedisClient client, String wakeKey, String nodeId, StreamScripts scripts,
      Map<DocumentKey, JoinedDocument> documents, Duration block) {
    this.nodeId = nodeId;
    this.wakeKey = wakeKey;
    this.scripts = scripts;
    this.documents = documents;
    this.block = block;
    this.connection = client.connect(RedisClusterTransport.CODEC);
    this.thread = new Thread(this, "collab-redis-reader-" + nodeId);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isConnected() {
    return connected;
  }

  /** Interrupts a blocking read, so that a newly started document is read at once. */
  void wake() {
    if (closed || connection == null) {
      return;
    }
    try {
      connection.async().xadd(wakeKey, XAddArgs.Builder.maxlen(10).approximateTrimming(), "w", new byte[0]);
    } catch (RuntimeException e) {
      // disconnected: the loop is not blocked in Redis then
    }
  }

  @Override
  public void run() {
    long backoff = 50;
    while (!closed) {
      try {
        resyncStale();
        readOnce();
        if (!connected) {
          log.info("node {}: Redis answers again", nodeId);
        }
        connected = true;
        backoff = 50;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (connected) {
          log.warn("node {}: reading from Redis failed ({}); every open document is resynced from the store once"
              + " Redis answers", nodeId, e.toString());
        }
        connected = false;
        for (JoinedDocument doc : documents.values()) {
          doc.markStale();
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(1000, backoff * 2);
      }
    }
  }

  /** Notes a new position for each stale document and tells its listener to reload, in that order. */
  private void resyncStale() {
    for (JoinedDocument doc : documents.values()) {
      if (doc.isStarted() && doc.isStale() && !doc.isClosed()) {
        doc.position(scripts.position(doc.stream));
        log.debug("node {}: resyncing {} from the store", nodeId, doc.key());
        doc.listener.onResync();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void readOnce() {
    List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>();
    Map<String, JoinedDocument> byStream = new HashMap<>();
    offsets.add(XReadArgs.StreamOffset.from(wakeKey, wakeId));
    for (JoinedDocument doc : documents.values()) {
      if (doc.isStarted() && !doc.isStale() && !doc.isClosed()) {
        byStream.put(doc.stream, doc);
        offsets.add(XReadArgs.StreamOffset.from(doc.stream, doc.lastId()));
      }
    }
    List<StreamMessage<String, byte[]>> messages = connection.sync().xread(
        XReadArgs.Builder.block(block).count(BATCH), offsets.toArray(new XReadArgs.StreamOffset[0]));
    if (messages == null) {
      return;
    }
    for (StreamMessage<String, byte[]> m : messages) {
      if (m.getStream().equals(wakeKey)) {
        wakeId = m.getId();
        continue;
      }
      JoinedDocument doc = byStream.get(m.getStream());
      if (doc == null || doc.isStale() || doc.isClosed()) {
        continue; // left meanwhile, or resynced below: read again from its new position
      }
      deliver(doc, m);
    }
  }

  private void deliver(JoinedDocument doc, StreamMessage<String, byte[]> m) {
    Map<String, byte[]> body = m.getBody();
    long seq;
    try {
      seq = Long.parseLong(new String(body.get("s"), StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      seq = -1;
    }
    if (seq != doc.lastSeq() + 1) {
      // Entries were trimmed before this node read them, or Redis lost its data (the counter started again).
      log.info("node {}: stream of {} jumped from entry {} to {}; resyncing from the store", nodeId, doc.key(),
          doc.lastSeq(), seq);
      doc.markStale();
      return;
    }
    doc.advance(m.getId(), seq);
    String from = new String(body.get("n"), StandardCharsets.UTF_8);
    if (from.equals(nodeId)) {
      return; // our own: never applied again, never published again
    }
    byte[] type = body.get("t");
    if (type != null && type.length == 1 && type[0] == StreamScripts.RELOAD[0]) {
      log.debug("node {}: node {} asked to reload {}", nodeId, from, doc.key());
      doc.markStale();
      return;
    }
    byte[] update = body.get("d");
    if (update != null) {
      doc.listener.onRemoteUpdate(update);
    }
  }

  void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      connection.close();
    } catch (RuntimeException e) {
      // closing anyway
    }
  }
}
