package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Hocuspocus 4.x as npm {@code @hocuspocus/provider}'s {@code HocuspocusProvider} speaks it: {@code ws://host:port/}
 * (no document in the path); every message is the document name (varString), a varUint message type and its body.
 * On open the client sends its token (the load servers accept any); once the server says "authenticated", its sync
 * step 1 and its awareness. It answers the server's step 1 with a step 2 and is synced when the server's step 2
 * arrives. The server answers each step 2 and update of the client with one "sync status" message, in order: the
 * time from sending an update to its status is reported to {@link LoadProtocol.Listener#acknowledged} (Hocuspocus
 * sends it once the update is applied; collab-netty once it is also stored). An application-level ping (the frame
 * {@code [9]}) is answered with a pong ({@code [10]}).
 */
public final class HocuspocusLoadProtocol implements LoadProtocol {
  /** The only instance (the protocol has no settings). */
  public static final HocuspocusLoadProtocol INSTANCE = new HocuspocusLoadProtocol();

  static final int MESSAGE_SYNC = 0;
  static final int MESSAGE_AWARENESS = 1;
  static final int MESSAGE_AUTH = 2;
  static final int MESSAGE_QUERY_AWARENESS = 3;
  static final int MESSAGE_SYNC_REPLY = 4;
  static final int MESSAGE_STATELESS = 5;
  static final int MESSAGE_CLOSE = 7;
  static final int MESSAGE_SYNC_STATUS = 8;
  static final int MESSAGE_PING = 9;
  static final int MESSAGE_PONG = 10;
  static final int AUTH_TOKEN = 0;
  static final int AUTH_PERMISSION_DENIED = 1;
  static final int AUTH_AUTHENTICATED = 2;
  static final String TOKEN = "load";

  private HocuspocusLoadProtocol() {}

  @Override
  public String name() {
    return "hocuspocus";
  }

  @Override
  public boolean acknowledges() {
    return true;
  }

  @Override
  public URI uri(URI server, String document) {
    return LoadProtocol.root(server);
  }

  @Override
  public Conversation newConversation(String document, Doc doc, Awareness awareness, Sender out,
      Listener listener) {
    return new HocuspocusConversation(document, doc, awareness, out, listener);
  }

  private static final class HocuspocusConversation implements Conversation {
    /** Stands in the queue of awaited sync statuses for a step 2, whose status times nothing. */
    private static final long NOT_TIMED = -1;

    private final String document;
    private final Doc doc;
    private final Awareness awareness;
    private final Sender out;
    private final Listener listener;
    /** The {@link System#nanoTime()} of each sent step 2 or update still waiting for its sync status, in order. */
    private final ArrayDeque<Long> awaitingStatus = new ArrayDeque<>();
    private boolean authenticated;
    private boolean synced;

    HocuspocusConversation(String document, Doc doc, Awareness awareness, Sender out, Listener listener) {
      this.document = document;
      this.doc = doc;
      this.awareness = awareness;
      this.out = out;
      this.listener = listener;
    }

    private Lib0Encoder start(int type, int capacity) {
      Lib0Encoder e = new Lib0Encoder(document.length() + capacity + 8);
      e.writeVarString(document);
      e.writeVarUint(type);
      return e;
    }

    private void sendSync(SyncMessage message) {
      Lib0Encoder e = start(MESSAGE_SYNC, message.payload().length + 8);
      e.writeUint8Array(message.encode());
      out.send(e.toByteArray());
    }

    @Override
    public void opened() {
      Lib0Encoder e = start(MESSAGE_AUTH, TOKEN.length() + 2);
      e.writeVarUint(AUTH_TOKEN);
      e.writeVarString(TOKEN);
      out.send(e.toByteArray());
    }

    @Override
    public void received(byte[] message) {
      if (message.length == 1 && message[0] == MESSAGE_PING) {
        out.send(new byte[] {MESSAGE_PONG});
        return;
      }
      Lib0Decoder in = new Lib0Decoder(message);
      String name = in.readVarString();
      if (!name.equals(document)) {
        throw new IllegalStateException("message about document \"" + name + "\", but \"" + document + "\" is open");
      }
      int type = in.readVarUintAsInt();
      switch (type) {
        case MESSAGE_AUTH -> auth(in);
        case MESSAGE_SYNC, MESSAGE_SYNC_REPLY -> sync(SyncMessage.decode(in.readUint8Array(in.remaining())));
        case MESSAGE_AWARENESS -> awareness.applyUpdate(in.readVarUint8Array(), this);
        case MESSAGE_QUERY_AWARENESS -> sendAwareness();
        case MESSAGE_SYNC_STATUS -> syncStatus(in.readVarUintAsInt() == 1);
        case MESSAGE_STATELESS -> in.readVarString();
        case MESSAGE_CLOSE -> throw new IllegalStateException("the server closed the document: "
            + (in.hasContent() ? in.readVarString() : "no reason"));
        default -> throw new IllegalStateException("unknown Hocuspocus message type " + type);
      }
      if (in.hasContent()) {
        throw new IllegalStateException(in.remaining() + " unexpected bytes after a message of type " + type);
      }
    }

    private void auth(Lib0Decoder in) {
      int kind = in.readVarUintAsInt();
      String detail = in.readVarString();
      if (kind == AUTH_PERMISSION_DENIED) {
        throw new IllegalStateException("permission denied: " + detail);
      }
      if (kind != AUTH_AUTHENTICATED || authenticated) {
        throw new IllegalStateException("unexpected auth message " + kind + " (" + detail + ")");
      }
      authenticated = true;
      sendSync(SyncProtocol.step1(doc));
      sendAwareness();
    }

    private void sync(SyncMessage m) {
      if (m instanceof SyncMessage.Update u) {
        listener.remoteUpdate(u.update());
        return;
      }
      SyncMessage reply = SyncProtocol.handle(doc, m, this);
      if (reply != null) {
        awaitingStatus.add(NOT_TIMED);
        sendSync(reply);
      }
      if (m instanceof SyncMessage.SyncStep2 && !synced) {
        synced = true;
        listener.synced();
      }
    }

    private void syncStatus(boolean applied) {
      Long sent = awaitingStatus.poll();
      if (sent == null) {
        throw new IllegalStateException("a sync status with no step 2 or update waiting for one");
      }
      if (!applied) {
        throw new IllegalStateException("the server did not apply an update");
      }
      if (sent != NOT_TIMED) {
        listener.acknowledged(sent);
      }
    }

    @Override
    public void sendUpdate(byte[] update) {
      awaitingStatus.add(System.nanoTime());
      sendSync(SyncProtocol.update(update));
    }

    @Override
    public void sendAwareness() {
      byte[] update = awareness.encodeUpdate(List.of(awareness.clientId()));
      Lib0Encoder e = start(MESSAGE_AWARENESS, update.length + 5);
      e.writeVarUint8Array(update);
      out.send(e.toByteArray());
    }
  }
}
