package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.internal.text.LogText;

/**
 * What a client asks, whatever protocol it speaks. Decoders produce these; {@link Connection} consumes them.
 *
 * <p>Byte arrays are owned by the message (decoders allocate them, nobody changes them afterwards); they are not
 * copied, and the records' {@code equals} compares them by identity.
 */
public sealed interface ClientMessage {
  /** The document the message is about ("" for the connection as a whole). */
  String document();

  /** Roughly how many bytes the message took on the wire, for limits. */
  int size();

  /**
   * A token for the connection ({@code document} "") or for one document, which it then opens (multi-document
   * protocols authenticate per document). Answered with {@link ServerMessage.Authenticated} or
   * {@link ServerMessage.Refused}.
   */
  record Authenticate(String document, String token) implements ClientMessage {
    @Override
    public int size() {
      return document.length() + (token == null ? 0 : token.length());
    }

    @Override
    public String toString() {
      return "Authenticate[document=" + LogText.safe(document) + ", token=" + (token == null ? "none" : "(hidden)")
          + "]"; // tokens stay out of logs
    }
  }

  /** Open a document with the connection's principal (single-document protocols send this on connect). */
  record Open(String document) implements ClientMessage {
    @Override
    public int size() {
      return document.length();
    }
  }

  /** Leave a document; the connection stays open. */
  record Close(String document) implements ClientMessage {
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
   * @param ack 0, or an id the client wants back in a {@link ServerMessage.Ack} once the update is applied and
   *     stored (or in a {@link ServerMessage.Refused} if it is rejected)
   */
  record Sync(String document, int type, byte[] payload, long ack) implements ClientMessage {
    /** A sync message that asks for no acknowledgement. */
    public Sync(String document, int type, byte[] payload) {
      this(document, type, payload, 0);
    }

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

  /**
   * An application message about a document that is not part of it (Hocuspocus "stateless", collab/1 "custom"):
   * handed to {@link ai.candlefish.collab.spi.CollabHooks#onStateless}, never stored.
   */
  record Stateless(String document, String payload) implements ClientMessage {
    @Override
    public int size() {
      return payload.length() + 2;
    }
  }
}
