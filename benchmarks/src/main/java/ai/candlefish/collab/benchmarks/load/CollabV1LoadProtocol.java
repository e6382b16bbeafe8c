package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Hello;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.ServerFrame;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.SyncStep2;
import ai.candlefish.collab.protocol.v1.Update;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * collab/1, Candlefish Collab's protobuf protocol ({@code collab-netty/src/main/proto/collab/v1/collab.proto}): the
 * WebSocket subprotocol {@code collab.v1} at {@code ws://host:port/}, one {@code ClientFrame} or {@code ServerFrame}
 * per binary message. A simulated client opens one document on its connection: on open it sends {@code Hello};
 * on {@code Welcome}, {@code Open}; on {@code Opened}, its sync step 1 and its awareness. It answers the server's
 * step 1 with a step 2 and is synced when the server's step 2 arrives. Every update it sends carries an ack id;
 * the time from sending it to the server's {@code Ack} (which comes once the update is applied and stored) is
 * reported to {@link LoadProtocol.Listener#acknowledged}.
 */
public final class CollabV1LoadProtocol implements LoadProtocol {
  /** The only instance (the protocol has no settings). */
  public static final CollabV1LoadProtocol INSTANCE = new CollabV1LoadProtocol();
  /** The WebSocket subprotocol that selects collab/1. */
  public static final String SUBPROTOCOL = "collab.v1";
  /** The token of {@code Hello} (the load server accepts any). */
  static final String TOKEN = "load";

  private CollabV1LoadProtocol() {}

  @Override
  public String name() {
    return SUBPROTOCOL;
  }

  @Override
  public String subprotocol() {
    return SUBPROTOCOL;
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
    return new V1Conversation(document, doc, awareness, out, listener);
  }

  private static final class V1Conversation implements Conversation {
    private final String document;
    private final Doc doc;
    private final Awareness awareness;
    private final Sender out;
    private final Listener listener;
    /** Ack id to the {@link System#nanoTime()} of sending the update. */
    private final Map<Long, Long> unacknowledged = new HashMap<>();
    private long lastAckId;
    private boolean welcomed;
    private boolean opened;
    private boolean synced;

    V1Conversation(String document, Doc doc, Awareness awareness, Sender out, Listener listener) {
      this.document = document;
      this.doc = doc;
      this.awareness = awareness;
      this.out = out;
      this.listener = listener;
    }

    private void send(ClientFrame frame) {
      out.send(frame.toByteArray());
    }

    @Override
    public void opened() {
      send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setToken(TOKEN)).build());
    }

    @Override
    public void received(byte[] message) {
      ServerFrame frame;
      try {
        frame = ServerFrame.parseFrom(message);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("malformed collab/1 frame: " + e.getMessage(), e);
      }
      switch (frame.getFrameCase()) {
        case WELCOME -> {
          if (welcomed) {
            throw new IllegalStateException("a second Welcome");
          }
          welcomed = true;
          send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument(document)).build());
        }
        case OPENED -> {
          checkDocument(frame.getOpened().getDocument());
          if (opened) {
            throw new IllegalStateException("a second Opened");
          }
          opened = true;
          send(ClientFrame.newBuilder().setSyncStep1(SyncStep1.newBuilder().setDocument(document)
              .setStateVector(ByteString.copyFrom(doc.encodeStateVector()))).build());
          sendAwareness();
        }
        case SYNC_STEP1 -> {
          checkDocument(frame.getSyncStep1().getDocument());
          byte[] missing = doc.encodeStateAsUpdate(frame.getSyncStep1().getStateVector().toByteArray());
          send(ClientFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(document)
              .setUpdate(ByteString.copyFrom(missing))).build());
        }
        case SYNC_STEP2 -> {
          checkDocument(frame.getSyncStep2().getDocument());
          doc.applyUpdate(frame.getSyncStep2().getUpdate().toByteArray(), this);
          if (!synced) {
            synced = true;
            listener.synced();
          }
        }
        case UPDATE -> {
          checkDocument(frame.getUpdate().getDocument());
          listener.remoteUpdate(frame.getUpdate().getUpdate().toByteArray());
        }
        case ACK -> {
          checkDocument(frame.getAck().getDocument());
          Long sent = unacknowledged.remove(frame.getAck().getAckId());
          if (sent == null) {
            throw new IllegalStateException("Ack of unknown ack id " + frame.getAck().getAckId());
          }
          listener.acknowledged(sent);
        }
        case AWARENESS -> {
          checkDocument(frame.getAwareness().getDocument());
          awareness.applyUpdate(frame.getAwareness().getUpdate().toByteArray(), this);
        }
        case CUSTOM -> checkDocument(frame.getCustom().getDocument());
        case ERROR -> throw new IllegalStateException("server error " + frame.getError().getCode() + " about \""
            + frame.getError().getDocument() + "\" (ack id " + frame.getError().getAckId() + "): "
            + frame.getError().getMessage());
        default -> throw new IllegalStateException("unknown collab/1 server frame " + frame.getFrameCase());
      }
    }

    private void checkDocument(String name) {
      if (!name.equals(document)) {
        throw new IllegalStateException("frame about document \"" + name + "\", but \"" + document + "\" is open");
      }
    }

    @Override
    public void sendUpdate(byte[] update) {
      long ackId = ++lastAckId;
      unacknowledged.put(ackId, System.nanoTime());
      send(ClientFrame.newBuilder().setUpdate(Update.newBuilder().setDocument(document)
          .setUpdate(ByteString.copyFrom(update)).setAckId(ackId)).build());
    }

    @Override
    public void sendAwareness() {
      byte[] update = awareness.encodeUpdate(List.of(awareness.clientId()));
      send(ClientFrame.newBuilder().setAwareness(ai.candlefish.collab.protocol.v1.Awareness.newBuilder()
          .setDocument(document).setUpdate(ByteString.copyFrom(update))).build());
    }
  }
}
