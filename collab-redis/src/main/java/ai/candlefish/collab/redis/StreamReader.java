package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.DocumentKey;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes in a node's copies of other nodes' updates, in each document's order, and resyncs a document on any gap
 * (see {@link RedisClusterTransport}).
 *
 * <p>Copies arrive two ways. The fast way: the script that appends an entry to a document's stream also publishes
 * it on the document's channel ({@link #received}, from Lettuce's pub/sub thread), so a node gets each entry once,
 * as soon as it is written, without asking. The sure way: the stream itself, read with a non-blocking {@code XREAD}
 * that names only the streams that need it: a document that just started (what was published between its noted
 * position and its subscription), one whose copies skipped a sequence number (pub/sub drops messages on a
 * disconnect), and all of them after a burst that overflowed the queue, and once per {@code scanInterval} as a
 * safety net. Each entry's sequence number is checked against the last one seen: at or below is a copy already
 * applied, one more is next; a skip in a copy only asks for a read, a skip in the stream means entries were trimmed
 * away (or Redis lost its data) and resyncs the document. A lost connection resyncs every document.
 *
 * <p>Before, one blocking {@code XREAD} named every open stream on every round: its cost (here, in Lettuce and in
 * Redis) grew with the documents open, not with the entries it returned, and each delivery waited for a read to
 * come round.
 *
 * <p>A copy that finds the reader idle (nothing queued, {@link #positions} free) is taken in on the thread it
 * arrived on, Lettuce's pub/sub thread; only copies that arrive while the reader works (a read of the streams, a
 * resync, earlier copies) wait in its queue, so that a document's copies keep their order. Before, every copy was
 * queued and woke the reader thread: one more hand-off between threads per copy on every node (a node hears every
 * entry of its documents, its own included), and under load one more wait for a core before the update went on to
 * the document's thread.
 *
 * <p>Runs on one thread of its own, and on the thread that calls {@link #received}; the positions of the documents
 * are moved only under {@link #positions}. {@link #received}, {@link #wake}, {@link #readWanted}, {@link #add},
 * {@link #remove}, {@link #connectionLost} and {@link #close} may be called from any thread.
 */
final class StreamReader implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(StreamReader.class);
  private static final int BATCH = 512;

  private final String nodeId;
  private final byte[] nodeIdBytes;
  private final StreamScripts scripts;
  private final Map<DocumentKey, JoinedDocument> documents;
  /** The joined documents by stream name, for the entries a read returns. */
  private final Map<String, JoinedDocument> byStream = new ConcurrentHashMap<>();
  private final long scanIntervalNanos;
  private final long timeoutMillis;
  private final int maxQueued;
  private final Thread thread;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  /** Copies published on the documents' channels, waiting for this thread. */
  private final ConcurrentLinkedQueue<Copy> copies = new ConcurrentLinkedQueue<>();
  /**
   * Held while the documents' positions move: by the reader thread for a whole round (resyncs, queued copies, a read
   * of the streams, whose entries must find the positions that the read named), and by {@link #received} for a copy
   * it takes in itself.
   */
  private final ReentrantLock positions = new ReentrantLock();
  private final AtomicInteger queued = new AtomicInteger();
  private volatile boolean overflowed;
  private volatile boolean readWanted;
  /**
   * A document may be stale ({@link #staleMarked}): only then does a round look through every document for one to
   * resync. Before, every round did, and a round runs for every copy that arrives (100 documents at ~1,000 copies a
   * second: 1 % of a node's CPU samples).
   */
  private volatile boolean staleMarked = true;
  private volatile boolean lost;
  private volatile boolean parked;
  private volatile boolean closed;
  private volatile boolean connected = true;
  private long nextScanNanos;
  /** Counts reads, so that an entry goes only to the document instance whose offset that read named. */
  private long round;

  /** A copy of a stream entry from a document's channel: {@code message} from {@code offset} on. */
  private record Copy(JoinedDocument doc, byte[] message, int offset) {}

  StreamReader(RedisClient client, String nodeId, StreamScripts scripts, Map<DocumentKey, JoinedDocument> documents,
      Duration scanInterval, Duration commandTimeout, int maxQueued) {
    this.nodeId = nodeId;
    this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
    this.scripts = scripts;
    this.documents = documents;
    this.scanIntervalNanos = scanInterval.toNanos();
    this.timeoutMillis = commandTimeout.toMillis();
    this.maxQueued = maxQueued;
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

  /** A connection to Redis broke: whatever was published meanwhile may be lost to this node. */
  void connectionLost() {
    connected = false;
    lost = true;
    wake();
  }

  /** A document was marked stale (its flag is set already): the next round resyncs it. */
  void staleMarked() {
    staleMarked = true;
    wake(); // marked by a copy taken in on another thread, the reader may be parked until the next scan
  }

  /** {@code doc} should be read from its stream (it started, or its subscription is in place). */
  void readWanted(JoinedDocument doc) {
    doc.needsRead = true;
    readWanted = true;
    wake();
  }

  /**
   * A copy of an entry of {@code doc}'s stream arrived on its channel: {@code message} from {@code offset} on is
   * {@code <entry id> <sequence number> <type byte><data>}, sent by {@code from}. Taken in at once if the reader is
   * idle, else queued for it (behind the copies queued before it); beyond the queue's bound the copies are dropped
   * and every document is read from its stream instead. Called by one thread at a time (the channel's), in the
   * order the copies arrive.
   */
  void received(JoinedDocument doc, byte[] message, int offset) {
    if (closed) {
      return;
    }
    if (copies.isEmpty() && !overflowed && !lost && positions.tryLock()) {
      try {
        // Nothing queued before it (only this thread queues) and the reader not in a round: next in line.
        applyCopy(doc, message, offset);
        return;
      } finally {
        positions.unlock();
      }
    }
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      overflowed = true;
    } else {
      copies.add(new Copy(doc, message, offset));
    }
    wake();
  }

  /** Lets the reader thread run now if it waits. */
  void wake() {
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public void run() {
    long backoff = 50;
    nextScanNanos = System.nanoTime() + scanIntervalNanos;
    while (!closed) {
      try {
        positions.lock();
        try {
          if (lost) {
            lost = false;
            markAllStale();
          }
          resyncStale();
          applyCopies();
          boolean scan = System.nanoTime() - nextScanNanos >= 0 || !connected;
          if (scan || readWanted) {
            readWanted = false;
            readOnce(scan);
            if (scan) {
              nextScanNanos = System.nanoTime() + scanIntervalNanos;
            }
            if (!connected) {
              log.info("node {}: Redis answers again", nodeId);
            }
            connected = true;
            backoff = 50;
          }
        } finally {
          positions.unlock();
        }
        awaitWork();
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (connected) {
          log.warn("node {}: reading from Redis failed ({}); every open document is resynced from the store once"
              + " Redis answers", nodeId, e.toString());
        }
        connected = false;
        markAllStale();
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(1000, backoff * 2);
      }
    }
  }

  private void markAllStale() {
    for (JoinedDocument doc : documents.values()) {
      doc.markStale();
    }
  }

  /** Parks until a copy arrives, a read is wanted, or the next scan is due. */
  private void awaitWork() {
    parked = true;
    try {
      long left = nextScanNanos - System.nanoTime();
      if (copies.isEmpty() && !readWanted && !overflowed && !lost && !closed && left > 0) {
        LockSupport.parkNanos(this, left);
      }
    } finally {
      parked = false;
    }
  }

  /** Notes a new position for each stale document and tells its listener to reload, in that order. */
  private void resyncStale() {
    if (!staleMarked) {
      return;
    }
    staleMarked = false; // before the look: a document marked during it sets it again
    for (JoinedDocument doc : documents.values()) {
      if (doc.isStale() && !doc.isClosed() && !doc.isStarted()) {
        staleMarked = true; // resynced once it starts: look again on the next round, as every round did before
        continue;
      }
      if (doc.isStarted() && doc.isStale() && !doc.isClosed()) {
        doc.position(scripts.position(doc.streamBytes, doc.counterBytes));
        log.debug("node {}: resyncing {} from the store", nodeId, doc.key());
        doc.listener.onResync();
      }
    }
  }

  /** Applies the queued copies that come next in their documents' order; a skip asks for a read of the stream. */
  private void applyCopies() {
    if (overflowed) {
      overflowed = false;
      for (JoinedDocument doc : documents.values()) {
        doc.needsRead = true; // a queue that overflowed lost copies of unknown documents: read them all
      }
      readWanted = true;
      drop();
      return;
    }
    Copy copy;
    while ((copy = copies.poll()) != null) {
      queued.decrementAndGet();
      applyCopy(copy.doc, copy.message, copy.offset);
      if (overflowed) {
        return; // the next round reads everything instead
      }
    }
  }

  /** Applies one copy if it comes next in its document's order; a skip asks for a read. Under {@link #positions}. */
  private void applyCopy(JoinedDocument doc, byte[] message, int offset) {
    if (!doc.isStarted() || doc.isStale() || doc.isClosed() || doc.needsRead) {
      return; // read from its noted position (or resynced) instead
    }
    Entry entry = Entry.parse(message, offset, nodeIdBytes);
    if (entry == null) {
      log.debug("node {}: dropped a malformed copy of an entry of {}", nodeId, doc.key());
      return;
    }
    if (entry.seq <= doc.lastSeq()) {
      return; // read from the stream already
    }
    if (entry.seq != doc.lastSeq() + 1) {
      readWanted(doc); // a copy went missing (pub/sub loses messages on a disconnect): the stream has it
      return;
    }
    deliver(doc, entry.id, entry.seq, entry.from, entry.type, entry.data);
  }

  private void drop() {
    while (copies.poll() != null) {
      queued.decrementAndGet();
    }
  }

  /** Reads the streams of the started documents that need it, or of all of them ({@code all}); never blocks. */
  @SuppressWarnings("unchecked")
  private void readOnce(boolean all) {
    XReadArgs.StreamOffset<byte[]>[] offsets = new XReadArgs.StreamOffset[documents.size()];
    int n = 0;
    round++;
    for (JoinedDocument doc : documents.values()) {
      if (n == offsets.length) {
        break; // joined meanwhile: read from the next round on
      }
      if (doc.isStarted() && !doc.isStale() && !doc.isClosed() && (all || doc.needsRead)) {
        doc.needsRead = false;
        offsets[n++] = doc.offset();
        doc.readRound = round;
      }
    }
    if (n == 0) {
      // Nothing to read: still ask Redis something, so that a broken connection shows.
      await(connection.async().ping());
      return;
    }
    List<StreamMessage<byte[], byte[]>> messages = await(connection.async().xread(
        XReadArgs.Builder.count(BATCH), n == offsets.length ? offsets : Arrays.copyOf(offsets, n)));
    if (messages == null || messages.isEmpty()) {
      return;
    }
    byte[] lastStream = null;
    JoinedDocument doc = null;
    int ofStream = 0;
    for (StreamMessage<byte[], byte[]> m : messages) {
      byte[] stream = m.getStream();
      if (stream != lastStream) {
        lastStream = stream; // a reply names each stream once, and all its entries share that name
        doc = byStream.get(new String(stream, StandardCharsets.UTF_8));
        ofStream = 0;
      }
      if (doc == null || doc.readRound != round || doc.isStale() || doc.isClosed()) {
        continue; // joined again, left meanwhile, or resynced below: read again from its new position
      }
      if (++ofStream == BATCH) {
        readWanted(doc); // there may be more
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
        case 's' -> seq = parseSeq(field.getValue(), 0, field.getValue().length);
        case 't' -> type = field.getValue();
        case 'd' -> update = field.getValue();
        default -> { }
      }
    }
    // Read from after the last entry applied (its copy's id included), so anything but the next number is a gap.
    deliver(doc, m.getId(), seq, from, type == null || type.length != 1 ? 0 : type[0], update);
  }

  /** Applies the entry that follows {@code doc}'s last one; resyncs the document if it does not follow. */
  private void deliver(JoinedDocument doc, String id, long seq, byte[] from, byte type, byte[] update) {
    if (seq != doc.lastSeq() + 1) {
      // Entries were trimmed before this node read them, or Redis lost its data (the counter started again).
      log.info("node {}: stream of {} jumped from entry {} to {}; resyncing from the store", nodeId, doc.key(),
          doc.lastSeq(), seq);
      doc.markStale();
      return;
    }
    doc.advance(id, seq);
    if (Arrays.equals(from, nodeIdBytes)) {
      return; // our own: never applied again, never published again
    }
    if (type == StreamScripts.RELOAD[0]) {
      log.debug("node {}: node {} asked to reload {}", nodeId,
          from == null ? "?" : new String(from, StandardCharsets.UTF_8), doc.key());
      doc.markStale();
      return;
    }
    if (update != null) {
      doc.listener.onRemoteUpdate(update);
    }
  }

  /** The digits of {@code bytes[from, to)} as a number, or -1 if they are not 1 to 18 ASCII digits. */
  static long parseSeq(byte[] bytes, int from, int to) {
    if (to - from < 1 || to - from > 18) {
      return -1;
    }
    long seq = 0;
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b < '0' || b > '9') {
        return -1;
      }
      seq = seq * 10 + (b - '0');
    }
    return seq;
  }

  /**
   * A copy of a stream entry as {@link StreamScripts#publish} sends it on the document's channel: {@code <entry id>
   * <sequence number> <type byte><data>} after the sender's id.
   */
  record Entry(String id, long seq, byte[] from, byte type, byte[] data) {
    /**
     * The copy in {@code message} from {@code offset} on (the sender's id before it), or null if malformed. A copy
     * sent by {@code self} (every node hears its own entries on the channel) gets {@code self} as its sender and no
     * data: it only moves the position, and copying its update out was garbage.
     */
    static Entry parse(byte[] message, int offset, byte[] self) {
      if (offset < 3) {
        return null;
      }
      int idEnd = indexOf(message, (byte) ' ', offset);
      int seqEnd = idEnd < 0 ? -1 : indexOf(message, (byte) ' ', idEnd + 1);
      if (seqEnd < 0 || seqEnd + 1 >= message.length) {
        return null;
      }
      long seq = parseSeq(message, idEnd + 1, seqEnd);
      if (seq < 0) {
        return null;
      }
      String id = new String(message, offset, idEnd - offset, StandardCharsets.US_ASCII);
      if (Arrays.equals(message, 3, offset, self, 0, self.length)) {
        return new Entry(id, seq, self, message[seqEnd + 1], null);
      }
      byte[] from = Arrays.copyOfRange(message, 3, offset);
      return new Entry(id, seq, from, message[seqEnd + 1], Arrays.copyOfRange(message, seqEnd + 2,
          message.length));
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
      for (int i = from; i < bytes.length; i++) {
        if (bytes[i] == b) {
          return i;
        }
      }
      return -1;
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
