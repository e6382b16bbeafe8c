package ai.candlefish.collab.server.internal;

/**
 * What a client asks, whatever protocol it speaks. Decoders produce these; {@link Connection} consumes them.
 *
 * <p>Byte arrays are owned by the message (decoders allocate them, nobody changes them afterwards); they are not
 * copied, and the records' {@code equals} compares them by identity.
 */
public sealed interface ClientMessage {
  /** The document the message is about. */
  String document();

  /** Roughly how many bytes the message took on the wire, for limits. */
  int size();

  /** Open a document (single-document protocols send this for the client on connect). */
  record Open(String document) implements ClientMessage {
    @Override
    public int size() {
      return document.length();
    }
  }

  /**
   * A y-protocols sync message.
   *
   * @param type {@link ai.candlefish.collab.sync.SyncMessage#STEP1 STEP1} (payload: a state vector),
   *     {@link ai.candlefish.collab.sync.SyncMessage#STEP2 STEP2} or {@link ai.candlefish.collab.sync.SyncMessage#UPDATE
   *     UPDATE} (payload: a Yjs v1 update)
   */
  record Sync(String document, int type, byte[] payload) implements ClientMessage {
    @Override
    public int size() {
      return payload.length + 3;
    }
  }

  /** A y-protocols awareness update. */
  record Awareness(String document, byte[] update) implements ClientMessage {
    @Override
    public int size() {
      return update.length + 2;
    }
  }

  /** "Send me every awareness state." */
  record QueryAwareness(String document) implements ClientMessage {
    @Override
    public int size() {
      return 1;
    }
  }
}
