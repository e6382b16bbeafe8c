package ai.candlefish.collab.sync;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message of the y-protocols sync protocol, byte-compatible with {@code y-protocols/sync.js}:
 *
 * <ol>
 *   <li>{@link SyncStep1}: "here is my state vector" — the peer answers with a {@link SyncStep2};
 *   <li>{@link SyncStep2}: "here is what you lack" — an update computed against the received state vector;
 *   <li>{@link Update}: an incremental update, sent whenever a document changes.
 * </ol>
 *
 * <p>The encoding is the message type as a varUint followed by a length-prefixed byte array. Transports add their
 * own framing around it (y-websocket prefixes a message-type byte, Hocuspocus a document name).
 *
 * <p>Instances are immutable; byte arrays are copied in and out.
 */
public abstract sealed class SyncMessage permits SyncMessage.SyncStep1, SyncMessage.SyncStep2, SyncMessage.Update {
  /** Message type of {@link SyncStep1}. */
  public static final int STEP1 = 0;
  /** Message type of {@link SyncStep2}. */
  public static final int STEP2 = 1;
  /** Message type of {@link Update}. */
  public static final int UPDATE = 2;

  private final byte[] payload;

  private SyncMessage(byte[] payload) {
    this.payload = payload;
  }

  /** The message type (0, 1 or 2). */
  public abstract int type();

  /** The payload: a state vector for step 1, an update otherwise (a copy). */
  public final byte[] payload() {
    return payload.clone();
  }

  final byte[] raw() {
    return payload;
  }

  /** This message's bytes. */
  public final byte[] encode() {
    Lib0Encoder out = new Lib0Encoder(payload.length + 6);
    out.writeVarUint(type());
    out.writeVarUint8Array(payload);
    return out.toByteArray();
  }

  /**
   * Decodes the sync message at the front of {@code bytes}. As y-protocols' {@code readSyncMessage}, whatever follows
   * the message is ignored; the payload is not checked here (a malformed state vector or update fails in
   * {@link SyncProtocol#handle}).
   *
   * @throws DecodingException if {@code bytes} do not start with a whole message of a known type (0, 1 or 2)
   */
  public static SyncMessage decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    Lib0Decoder in = new Lib0Decoder(bytes);
    long type = in.readVarUint();
    if (type != STEP1 && type != STEP2 && type != UPDATE) {
      throw new DecodingException("unknown sync message type " + type + " (expected 0, 1 or 2)", 0);
    }
    byte[] payload = in.readVarUint8Array();
    return type == STEP1 ? new SyncStep1(payload, null)
        : type == STEP2 ? new SyncStep2(payload, null) : new Update(payload, null);
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && Arrays.equals(((SyncMessage) o).payload, payload);
  }

  @Override
  public final int hashCode() {
    return type() * 31 + Arrays.hashCode(payload);
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[" + payload.length + " bytes]";
  }

  private static byte[] copy(byte[] bytes, String name) {
    return Objects.requireNonNull(bytes, name).clone();
  }

  /** "Here is my state vector": the receiver answers with what the sender lacks. */
  public static final class SyncStep1 extends SyncMessage {
    /** @param stateVector an encoded state vector (copied) */
    public SyncStep1(byte[] stateVector) {
      super(copy(stateVector, "stateVector"));
    }

    private SyncStep1(byte[] owned, Void unused) {
      super(owned);
    }

    @Override
    public int type() {
      return STEP1;
    }

    /** The encoded state vector (a copy). */
    public byte[] stateVector() {
      return payload();
    }
  }

  /** "Here is what you lack": an update computed against the peer's state vector. */
  public static final class SyncStep2 extends SyncMessage {
    /** @param update a Yjs v1 update (copied) */
    public SyncStep2(byte[] update) {
      super(copy(update, "update"));
    }

    private SyncStep2(byte[] owned, Void unused) {
      super(owned);
    }

    @Override
    public int type() {
      return STEP2;
    }

    /** The Yjs v1 update (a copy). */
    public byte[] update() {
      return payload();
    }
  }

  /** An incremental update. */
  public static final class Update extends SyncMessage {
    /** @param update a Yjs v1 update (copied) */
    public Update(byte[] update) {
      super(copy(update, "update"));
    }

    private Update(byte[] owned, Void unused) {
      super(owned);
    }

    @Override
    public int type() {
      return UPDATE;
    }

    /** The Yjs v1 update (a copy). */
    public byte[] update() {
      return payload();
    }
  }
}
