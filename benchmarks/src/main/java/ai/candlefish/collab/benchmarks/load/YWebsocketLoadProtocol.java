package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The y-websocket protocol as npm {@code y-websocket}'s {@code WebsocketProvider} speaks it: one connection per
 * document at {@code ws://host:port/<document>}; binary messages of a varuint type (0 sync, 1 awareness, 2 auth,
 * 3 query awareness) followed by a y-protocols sync message or a varuint8array awareness update. On open the
 * client sends its sync step 1 and its awareness; it answers the server's step 1 with a step 2 and is synced when
 * the server's step 2 arrives.
 */
public final class YWebsocketLoadProtocol implements LoadProtocol {
  /** The only instance (the protocol has no settings). */
  public static final YWebsocketLoadProtocol INSTANCE = new YWebsocketLoadProtocol();

  static final int MESSAGE_SYNC = 0;
  static final int MESSAGE_AWARENESS = 1;
  static final int MESSAGE_AUTH = 2;
  static final int MESSAGE_QUERY_AWARENESS = 3;

  private YWebsocketLoadProtocol() {}

  @Override
  public String name() {
    return "y-websocket";
  }

  @Override
  public URI uri(URI server, String document) {
    String base = server.toString();
    return URI.create((base.endsWith("/") ? base : base + "/")
        + URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  @Override
  public Conversation newConversation(String document, Doc doc, Awareness awareness, Sender out,
      Listener listener) {
    return new YConversation(doc, awareness, out, listener);
  }

  static byte[] syncFrame(SyncMessage message) {
    Lib0Encoder out = new Lib0Encoder(message.payload().length + 8);
    out.writeVarUint(MESSAGE_SYNC);
    out.writeUint8Array(message.encode());
    return out.toByteArray();
  }

  static byte[] awarenessFrame(byte[] update) {
    Lib0Encoder out = new Lib0Encoder(update.length + 8);
    out.writeVarUint(MESSAGE_AWARENESS);
    out.writeVarUint8Array(update);
    return out.toByteArray();
  }

  private static final class YConversation implements Conversation {
    private final Doc doc;
    private final Awareness awareness;
    private final Sender out;
    private final Listener listener;
    private boolean synced;

    YConversation(Doc doc, Awareness awareness, Sender out, Listener listener) {
      this.doc = doc;
      this.awareness = awareness;
      this.out = out;
      this.listener = listener;
    }

    @Override
    public void opened() {
      out.send(syncFrame(SyncProtocol.step1(doc)));
      sendAwareness();
    }

    @Override
    public void received(byte[] message) {
      Lib0Decoder in = new Lib0Decoder(message);
      int type = in.readVarUintAsInt();
      if (type == MESSAGE_SYNC) {
        SyncMessage m = SyncMessage.decode(in.readUint8Array(in.remaining()));
        if (m instanceof SyncMessage.Update u) {
          listener.remoteUpdate(u.update());
          return;
        }
        SyncMessage reply = SyncProtocol.handle(doc, m, this);
        if (reply != null) {
          out.send(syncFrame(reply));
        }
        if (m instanceof SyncMessage.SyncStep2 && !synced) {
          synced = true;
          listener.synced();
        }
      } else if (type == MESSAGE_AWARENESS) {
        awareness.applyUpdate(in.readVarUint8Array(), this);
      } else if (type == MESSAGE_QUERY_AWARENESS) {
        sendAwareness();
      } else if (type != MESSAGE_AUTH) {
        throw new IllegalStateException("unknown y-websocket message type " + type);
      }
    }

    @Override
    public void sendUpdate(byte[] update) {
      out.send(syncFrame(SyncProtocol.update(update)));
    }

    @Override
    public void sendAwareness() {
      out.send(awarenessFrame(awareness.encodeUpdate(List.of(awareness.clientId()))));
    }
  }
}
