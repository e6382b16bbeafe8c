package ai.candlefish.collab.server;

import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A minimal y-websocket client in Java for the server tests (the JDK's WebSocket and collab-core's sync): sends
 * its sync step 1 on open, answers and applies sync messages, sends its own updates, and records awareness
 * updates, "permission denied" messages and the close. With {@code reading} false it never asks the JDK for more
 * messages, so the server's outbound buffer fills up (a slow consumer).
 *
 * <p>Thread-safe: the document is used under this object's lock.
 */
final class YClient implements AutoCloseable {
  record Close(int code, String reason) {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Doc doc = Doc.create();
  final Awareness awareness = new Awareness(doc);
  final List<String> denied = new CopyOnWriteArrayList<>();
  /** How many awareness messages arrived. */
  final AtomicInteger awarenessMessages = new AtomicInteger();
  /** How many sync step 2 messages arrived. */
  final AtomicInteger step2s = new AtomicInteger();
  final CompletableFuture<Close> closed = new CompletableFuture<>();
  private final boolean reading;
  private final Subscription updates;
  private volatile boolean synced;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  private WebSocket socket;

  private YClient(boolean reading) {
    this.reading = reading;
    this.updates = doc.onUpdate((update, origin, txn) -> {
      if (origin != this) {
        send(frame(0, SyncProtocol.update(update)));
      }
    });
  }

  /** Connects and waits until the handshake is done (not until synced: see {@link #awaitSynced()}). */
  static YClient connect(URI uri) {
    return connect(uri, true);
  }

  static YClient connect(URI uri, boolean reading) {
    return connect(uri, reading, HTTP);
  }

  /** Connects with {@code http} (a client that trusts a test certificate, say). */
  static YClient connect(URI uri, boolean reading, HttpClient http) {
    YClient client = new YClient(reading);
    client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(uri, client.new Listener()).join();
    return client;
  }

  static byte[] frame(int type, SyncMessage message) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(type);
    out.writeUint8Array(message.encode());
    return out.toByteArray();
  }

  /** A y-websocket awareness message carrying {@code update}. */
  static byte[] awarenessFrame(byte[] update) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint8Array(update);
    return out.toByteArray();
  }

  /** Sets this client's presence to {@code state} and sends it; returns its awareness client id. */
  long present(Object state) {
    awareness.setLocalState(state);
    send(awarenessFrame(awareness.encodeUpdate()));
    return awareness.clientId();
  }

  /** Sends raw bytes as one binary message. */
  synchronized void send(byte[] bytes) {
    sending = sending.thenCompose(v -> socket.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /** Waits until everything sent so far is handed to the socket (up to 30 s). */
  void flush() {
    CompletableFuture<?> pending;
    synchronized (this) {
      pending = sending;
    }
    try {
      pending.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not send within 30 s", e);
    }
  }

  /** Sends a text message. */
  synchronized void sendText(String text) {
    sending = sending.thenCompose(v -> socket.sendText(text, true));
  }

  /** Runs {@code f} with the document under the lock. */
  synchronized <R> R withDoc(Function<Doc, R> f) {
    return f.apply(doc);
  }

  String text() {
    return withDoc(d -> d.getText("t").toString());
  }

  void insert(int index, String text) {
    withDoc(d -> {
      d.getText("t").insert(index, text);
      return null;
    });
  }

  boolean synced() {
    return synced;
  }

  void awaitSynced() {
    await("synced").atMost(Duration.ofSeconds(30)).until(this::synced);
  }

  Close awaitClose() {
    try {
      return closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not closed within 10 s", e);
    }
  }

  private synchronized void onMessage(byte[] message) {
    Lib0Decoder in = new Lib0Decoder(message);
    int type = in.readVarUintAsInt();
    if (type == 0) {
      SyncMessage m = SyncMessage.decode(in.readUint8Array(in.remaining()));
      SyncMessage reply = SyncProtocol.handle(doc, m, this);
      if (reply != null) {
        send(frame(0, reply));
      }
      if (m instanceof SyncMessage.SyncStep2) {
        step2s.incrementAndGet();
        synced = true;
      }
    } else if (type == 1) {
      awarenessMessages.incrementAndGet();
      awareness.applyUpdate(in.readVarUint8Array(), this);
    } else if (type == 2 && in.readVarUint() == 0) {
      denied.add(in.readVarString());
    }
  }

  private final class Listener extends WholeBinaryMessages {
    Listener() {
      super(reading);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      send(frame(0, SyncProtocol.step1(doc)));
      super.onOpen(webSocket);
    }

    @Override
    void onMessage(byte[] message) {
      YClient.this.onMessage(message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Close(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Close(-1, String.valueOf(error)));
    }
  }

  @Override
  public void close() {
    updates.close();
    if (!closed.isDone()) {
      socket.abort();
    }
  }
}
