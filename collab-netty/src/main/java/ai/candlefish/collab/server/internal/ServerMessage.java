package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.sync.SyncMessage;

/**
 * What the server tells a client, whatever protocol it speaks. {@link SharedDocument} and {@link Connection}
 * produce these; encoders turn them into frames. One instance may be written to many connections (a relayed
 * update), so messages are immutable and encoders must not change their arrays.
 */
public sealed interface ServerMessage {
  /** The document the message is about ("" for the connection as a whole). */
  String document();

  /** Roughly how many bytes the message takes on the wire, for the outbound buffer limit. */
  int size();

  /** This message about {@code document} instead (the client's address for it: {@link AddressedPeer}). */
  ServerMessage withDocument(String document);

  /**
   * A y-protocols sync message.
   *
   * @param type {@link SyncMessage#STEP1}, {@link SyncMessage#STEP2} or {@link SyncMessage#UPDATE}
   */
  record Sync(String document, int type, byte[] payload) implements ServerMessage {
    @Override
    public Sync withDocument(String document) {
      return new Sync(document, type, payload);
    }

    /** Step 1: the server's state vector. */
    public static Sync step1(String document, byte[] stateVector) {
      return new Sync(document, SyncMessage.STEP1, stateVector);
    }

    /** Step 2: what the client lacks. */
    public static Sync step2(String document, byte[] update) {
      return new Sync(document, SyncMessage.STEP2, update);
    }

    /** An incremental update. */
    public static Sync update(String document, byte[] update) {
      return new Sync(document, SyncMessage.UPDATE, update);
    }

    @Override
    public int size() {
      return payload.length + 8;
    }
  }

  /** A y-protocols awareness update. */
  record Awareness(String document, byte[] update) implements ServerMessage {
    @Override
    public Awareness withDocument(String document) {
      return new Awareness(document, update);
    }

    @Override
    public int size() {
      return update.length + 8;
    }
  }

  /**
   * The client's token was accepted for {@code document} ("" for the connection) and the document is open; sent by
   * multi-document protocols only.
   */
  record Authenticated(String document, boolean readOnly) implements ServerMessage {
    @Override
    public Authenticated withDocument(String document) {
      return new Authenticated(document, readOnly);
    }

    @Override
    public int size() {
      return document.length() + 8;
    }
  }

  /**
   * The client's token for {@code document} expires soon: a fresh one, for the same principal, keeps the document
   * open past that (Hocuspocus: the provider calls its {@code token} function again and sends the result).
   */
  record TokenRequest(String document) implements ServerMessage {
    @Override
    public TokenRequest withDocument(String document) {
      return new TokenRequest(document);
    }

    @Override
    public int size() {
      return document.length() + 8;
    }
  }

  /** The update the client sent with ack id {@code id} is applied and stored. */
  record Ack(String document, long id) implements ServerMessage {
    @Override
    public Ack withDocument(String document) {
      return new Ack(document, id);
    }

    @Override
    public int size() {
      return document.length() + 12;
    }
  }

  /**
   * The client may not do what it tried, and nothing of it was applied: a token was refused, a document may not be
   * opened or could not be loaded, a read-only client sent an update.
   *
   * @param ack the ack id of the refused update, or 0
   * @param code a {@link ai.candlefish.collab.server.CloseCodes} code saying why
   */
  record Refused(String document, long ack, int code, String reason) implements ServerMessage {
    @Override
    public Refused withDocument(String document) {
      return new Refused(document, ack, code, reason);
    }

    @Override
    public int size() {
      return document.length() + reason.length() + 16;
    }
  }

  /**
   * Whether the document's updates can be stored: {@code failing} once a write fails (acknowledgements wait; the
   * edits stay in memory and are retried), and again with {@code false} once a write succeeds.
   */
  record StoreStatus(String document, boolean failing) implements ServerMessage {
    @Override
    public StoreStatus withDocument(String document) {
      return new StoreStatus(document, failing);
    }

    @Override
    public int size() {
      return document.length() + 8;
    }
  }

  /** An application message for the client's copy of a document (see {@link ClientMessage.Stateless}). */
  record Stateless(String document, String payload) implements ServerMessage {
    @Override
    public Stateless withDocument(String document) {
      return new Stateless(document, payload);
    }

    @Override
    public int size() {
      return document.length() + payload.length() + 8;
    }
  }
}
