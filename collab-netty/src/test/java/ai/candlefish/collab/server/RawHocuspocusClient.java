package ai.candlefish.collab.server;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.sync.SyncMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw Hocuspocus client over the JDK's WebSocket: sends exact frames in order, records every message and the
 * close. For orderings and messages that a real provider does not produce (or produces only by chance).
 */
class RawHocuspocusClient extends WholeBinaryMessages {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A message from the server: document name, type, and the rest. */
  record Received(String document, int type, byte[] body) {
    int firstVarUint() {
      return new Lib0Decoder(body).readVarUintAsInt();
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  final CompletableFuture<String> closeReason = new CompletableFuture<>();
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  WebSocket socket;

  RawHocuspocusClient(int port) {
    this(port, true);
  }

  /** With {@code reading} false it never asks the JDK for a message, so the server's outbound buffer fills up. */
  RawHocuspocusClient(int port, boolean reading) {
    super(reading);
    socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port), this).join();
  }

  /** A Hocuspocus message: document name, type, then each part (a varuint, a varstring or a byte array). */
  static byte[] encode(String document, int type, Object... body) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarString(document);
    out.writeVarUint(type);
    for (Object part : body) {
      if (part instanceof Integer i) {
        out.writeVarUint(i);
      } else if (part instanceof String s) {
        out.writeVarString(s);
      } else {
        out.writeVarUint8Array((byte[]) part);
      }
    }
    return out.toByteArray();
  }

  synchronized RawHocuspocusClient send(String document, int type, Object... body) {
    byte[] bytes = encode(document, type, body);
    sending = sending.thenCompose(v -> socket.sendBinary(ByteBuffer.wrap(bytes), true));
    return this;
  }

  RawHocuspocusClient auth(String document, String token) {
    return send(document, 2, 0, token, "4.8.0");
  }

  RawHocuspocusClient step1(String document) {
    return send(document, 0, SyncMessage.STEP1, new byte[] {0});
  }

  RawHocuspocusClient update(String document, byte[] update) {
    return send(document, 0, SyncMessage.UPDATE, update);
  }

  RawHocuspocusClient close(String document) {
    return send(document, 7);
  }

  RawHocuspocusClient stateless(String document, String payload) {
    return send(document, 5, payload);
  }

  List<Received> of(String document, int type) {
    return received.stream().filter(r -> r.document().equals(document) && r.type() == type).toList();
  }

  /** Auth "authenticated" messages for {@code document}. */
  long authenticated(String document) {
    return of(document, 2).stream().filter(r -> r.firstVarUint() == 2).count();
  }

  List<String> denied(String document) {
    return of(document, 2).stream().filter(r -> r.firstVarUint() == 1).map(r -> {
      Lib0Decoder in = new Lib0Decoder(r.body());
      in.readVarUint();
      return in.readVarString();
    }).toList();
  }

  /** Sync status messages for {@code document}: 1 applied, 0 not. */
  List<Integer> statuses(String document) {
    return of(document, 8).stream().map(Received::firstVarUint).toList();
  }

  @Override
  void onMessage(byte[] message) {
    Lib0Decoder in = new Lib0Decoder(message);
    String document = in.readVarString();
    int type = in.readVarUintAsInt();
    received.add(new Received(document, type, in.readUint8Array(in.remaining())));
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason.complete(reason);
    closed.complete(statusCode);
    return null;
  }
}

