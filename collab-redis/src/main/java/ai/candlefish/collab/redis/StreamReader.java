package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.DocumentKey;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one blocking {@code XREAD} loop of a node, over the streams of every document it has open (and its own wake
 * stream), on a connection of its own. Checks each entry's sequence number against the last one seen and resyncs a
 * document on any gap; resyncs every document after a failed read (see {@link RedisClusterTransport}).
 *
 * <p>An {@code XREAD} names every open stream, so its cost (here and in Redis) grows with the documents open, not
 * with the entries it returns. Hence the loop keeps each stream's name as bytes and its offset ready (nothing is
 * encoded per read but the offsets that moved), and after a read that returned entries it starts the next one no
 * sooner than {@link #PACE_NANOS} after the last: under load each read carries several entries instead of one, for
 * at most that much latency; after a quiet spell the first entry is still delivered as soon as Redis has it.
 *
 * <p>Runs on one thread of its own; {@link #wake}, {@link #add}, {@link #remove} and {@link #close} may be called
 * from any thread.
 */
final class StreamReader implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(StreamReader.class);
  private static final int BATCH = 512;
  /** The least time from one read's start to the next one's, after a read that returned entries. */
  static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final byte[] WAKE_FIELD = {'w'};

  private final String nodeId;
  private final byte[] nodeIdBytes;
  private final byte[] wakeKey;
  private final StreamScripts scripts;
  private final Map<DocumentKey, JoinedDocument> documents;
  /** The joined documents by stream name, for the entries a read returns. */
  private final Map<String, JoinedDocument> byStream = new ConcurrentHashMap<>();
  private final Duration block;
  private final long timeoutMillis;
  private final Thread thread;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private volatile boolean closed;
  private volatile boolean connected = true;
  private String wakeId = "0-0";
  private long lastReadNanos;
  /** Counts reads, so that an entry goes only to the document instance whose offset that read named. */
  private long round;
  private boolean lastReadReturned;

  StreamReader(RedisClient client, String wakeKey, String nodeId, StreamScripts scripts,
      Map<DocumentKey, JoinedDocument> documents, Duration block, Duration commandTimeout) {
    this.nodeId = nodeId;
    this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
    this.wakeKey = wakeKey.getBytes(StandardCharsets.UTF_8);
    this.scripts = scripts;
    this.documents = documents;
    this.block = block;
    this.timeoutMillis = block.toMillis() + commandTimeout.toMillis();
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
    this.thread = new Thread(this, "collab-redis-reader-" + nodeId);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isConnected() {
    return connected;
  }

  /** A document was joined: its entries can be told apart from now on (it is read once started). */
  void add(JoinedDocument doc) {
    byStream.put(doc.stream, doc);
  }

  /** A document was left. */
  void remove(JoinedDocument doc) {
    byStream.remove(doc.stream, doc);
  }

  /** Interrupts a blocking read, so that a newly started document is read at once. */
  void wake() {
    if (closed || connection == null) {
      return;
    }
    try {
      connection.async().xadd(wakeKey, XAddArgs.Builder.maxlen(10).approximateTrimming(), WAKE_FIELD, new byte[0]);
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
        pace();
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
        lastReadReturned = false;
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

  /** Waits out the rest of {@link #PACE_NANOS} if the last read returned entries (then more are likely coming). */
  private void pace() {
    if (!lastReadReturned) {
      return;
    }
    long left = PACE_NANOS - (System.nanoTime() - lastReadNanos);
    if (left > 0) {
      LockSupport.parkNanos(left);
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
    XReadArgs.StreamOffset<byte[]>[] offsets = new XReadArgs.StreamOffset[documents.size() + 1];
    int n = 0;
    round++;
    offsets[n++] = XReadArgs.StreamOffset.from(wakeKey, wakeId);
    for (JoinedDocument doc : documents.values()) {
      if (n == offsets.length) {
        break; // joined meanwhile: read from the next round on
      }
      if (doc.isStarted() && !doc.isStale() && !doc.isClosed()) {
        offsets[n++] = doc.offset();
        doc.readRound = round;
      }
    }
    lastReadNanos = System.nanoTime();
    List<StreamMessage<byte[], byte[]>> messages = await(connection.async().xread(
        XReadArgs.Builder.block(block).count(BATCH), n == offsets.length ? offsets : Arrays.copyOf(offsets, n)));
    lastReadReturned = messages != null && !messages.isEmpty();
    if (!lastReadReturned) {
      return;
    }
    byte[] lastStream = null;
    JoinedDocument doc = null;
    for (StreamMessage<byte[], byte[]> m : messages) {
      byte[] stream = m.getStream();
      if (stream != lastStream) {
        lastStream = stream; // a reply names each stream once, and all its entries share that name
        doc = Arrays.equals(stream, wakeKey) ? null : byStream.get(new String(stream, StandardCharsets.UTF_8));
      }
      if (doc == null) {
        if (Arrays.equals(stream, wakeKey)) {
          wakeId = m.getId();
        }
        continue;
      }
      if (doc.readRound != round || doc.isStale() || doc.isClosed()) {
        continue; // joined again, left meanwhile, or resynced below: read again from its new position
      }
      deliver(doc, m);
    }
  }

  /** The read's result; its failures as Lettuce's unchecked exceptions (a timeout when Redis does not answer). */
  private <T> T await(RedisFuture<T> future) {
    try {
      return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new RedisException("interrupted while reading from Redis", e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RedisCommandTimeoutException("XREAD did not answer within " + timeoutMillis + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new RedisException(cause);
    }
  }

  private void deliver(JoinedDocument doc, StreamMessage<byte[], byte[]> m) {
    byte[] from = null;
    byte[] type = null;
    byte[] update = null;
    long seq = -1;
    for (Map.Entry<byte[], byte[]> field : m.getBody().entrySet()) {
      byte[] name = field.getKey();
      if (name.length != 1) {
        continue;
      }
      switch (name[0]) {
        case 'n' -> from = field.getValue();
        case 's' -> seq = parseSeq(field.getValue());
        case 't' -> type = field.getValue();
        case 'd' -> update = field.getValue();
        default -> { }
      }
    }
    if (seq != doc.lastSeq() + 1) {
      // Entries were trimmed before this node read them, or Redis lost its data (the counter started again).
      log.info("node {}: stream of {} jumped from entry {} to {}; resyncing from the store", nodeId, doc.key(),
          doc.lastSeq(), seq);
      doc.markStale();
      return;
    }
    doc.advance(m.getId(), seq);
    if (Arrays.equals(from, nodeIdBytes)) {
      return; // our own: never applied again, never published again
    }
    if (type != null && type.length == 1 && type[0] == StreamScripts.RELOAD[0]) {
      log.debug("node {}: node {} asked to reload {}", nodeId,
          from == null ? "?" : new String(from, StandardCharsets.UTF_8), doc.key());
      doc.markStale();
      return;
    }
    if (update != null) {
      doc.listener.onRemoteUpdate(update);
    }
  }

  /** The entry's sequence number (ASCII digits), or -1 if it has none. */
  private static long parseSeq(byte[] digits) {
    if (digits == null || digits.length == 0 || digits.length > 18) {
      return -1;
    }
    long seq = 0;
    for (byte b : digits) {
      if (b < '0' || b > '9') {
        return -1;
      }
      seq = seq * 10 + (b - '0');
    }
    return seq;
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
