package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.sync.SyncMessage;

/**
 * What the server tells a client, whatever protocol it speaks. {@link SharedDocument} and {@link Connection}
 * produce these; encoders turn them into frames. One instance may be written to many connections (a relayed
 * update), so messages are immutable and encoders must not change their arrays.
 */
public sealed interface ServerMessage {
  /** The document the message is about. */
  String document();

  /** Roughly how many bytes the message takes on the wire, for the outbound buffer limit. */
  int size();

  /**
   * A y-protocols sync message.
   *
   * @param type {@link SyncMessage#STEP1}, {@link SyncMessage#STEP2} or {@link SyncMessage#UPDATE}
   */
  record Sync(String document, int type, byte[] payload) implements ServerMessage {
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
    public int size() {
      return update.length + 8;
    }
  }

  /** The client may not do what it tried (a read-only client sent an update); nothing of it was applied. */
  record PermissionDenied(String document, String reason) implements ServerMessage {
    @Override
    public int size() {
      return reason.length() + 8;
    }
  }
}
