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
public sealed interface SyncMessage permits SyncMessage.SyncStep1, SyncMessage.SyncStep2, SyncMessage.Update {
  /** Message type of {@link SyncStep1}. */
  int STEP1 = 0;
  /** Message type of {@link SyncStep2}. */
  int STEP2 = 1;
  /** Message type of {@link Update}. */
  int UPDATE = 2;

  /** The message type (0, 1 or 2). */
  int type();

  /** The payload: a state vector for step 1, an update otherwise (a copy). */
  byte[] payload();

  /** Writes this message (type and payload) to {@code out}. */
  void encodeTo(Lib0Encoder out);

  /** This message's bytes. */
  default byte[] encode() {
    Lib0Encoder out = new Lib0Encoder();
    encodeTo(out);
    return out.toByteArray();
  }

  /**
   * Decodes one sync message that fills {@code bytes}.
   *
   * @throws DecodingException if the bytes are not exactly one sync message
   */
  static SyncMessage decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    Lib0Decoder in = new Lib0Decoder(bytes);
    SyncMessage m = decode(in);
    if (in.hasContent()) {
      throw new DecodingException(in.remaining() + " unexpected bytes after the sync message", in.offset());
    }
    return m;
  }

  /**
   * Decodes one sync message from the decoder's position (transports that frame several fields use this).
   *
   * @throws DecodingException if the bytes are not a sync message
   */
  static SyncMessage decode(Lib0Decoder in) {
    int at = in.offset();
    long type = in.readVarUint();
    byte[] payload = in.readVarUint8Array();
    if (type == STEP1) {
      return new SyncStep1(payload, false);
    } else if (type == STEP2) {
      return new SyncStep2(payload, false);
    } else if (type == UPDATE) {
      return new Update(payload, false);
    }
    throw new DecodingException("unknown sync message type " + type, at);
  }

  /** "Here is my state vector": the receiver answers with what the sender lacks. */
  final class SyncStep1 implements SyncMessage {
    private final byte[] stateVector;

    /** @param stateVector an encoded state vector (copied) */
    public SyncStep1(byte[] stateVector) {
      this(Objects.requireNonNull(stateVector, "stateVector").clone(), false);
    }

    private SyncStep1(byte[] stateVector, boolean unused) {
      this.stateVector = stateVector;
    }

    @Override
    public int type() {
      return STEP1;
    }

    /** The encoded state vector (a copy). */
    public byte[] stateVector() {
      return stateVector.clone();
    }

    @Override
    public byte[] payload() {
      return stateVector.clone();
    }

    byte[] raw() {
      return stateVector;
    }

    @Override
    public void encodeTo(Lib0Encoder out) {
      out.writeVarUint(STEP1);
      out.writeVarUint8Array(stateVector);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SyncStep1 other && Arrays.equals(other.stateVector, stateVector);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(stateVector);
    }

    @Override
    public String toString() {
      return "SyncStep1[" + stateVector.length + " bytes]";
    }
  }

  /** "Here is what you lack": an update computed against the peer's state vector. */
  final class SyncStep2 implements SyncMessage {
    private final byte[] update;

    /** @param update a Yjs v1 update (copied) */
    public SyncStep2(byte[] update) {
      this(Objects.requireNonNull(update, "update").clone(), false);
    }

    private SyncStep2(byte[] update, boolean unused) {
      this.update = update;
    }

    @Override
    public int type() {
      return STEP2;
    }

    /** The Yjs v1 update (a copy). */
    public byte[] update() {
      return update.clone();
    }

    @Override
    public byte[] payload() {
      return update.clone();
    }

    byte[] raw() {
      return update;
    }

    @Override
    public void encodeTo(Lib0Encoder out) {
      out.writeVarUint(STEP2);
      out.writeVarUint8Array(update);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SyncStep2 other && Arrays.equals(other.update, update);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(update);
    }

    @Override
    public String toString() {
      return "SyncStep2[" + update.length + " bytes]";
    }
  }

  /** An incremental update. */
  final class Update implements SyncMessage {
    private final byte[] update;

    /** @param update a Yjs v1 update (copied) */
    public Update(byte[] update) {
      this(Objects.requireNonNull(update, "update").clone(), false);
    }

    private Update(byte[] update, boolean unused) {
      this.update = update;
    }

    @Override
    public int type() {
      return UPDATE;
    }

    /** The Yjs v1 update (a copy). */
    public byte[] update() {
      return update.clone();
    }

    @Override
    public byte[] payload() {
      return update.clone();
    }

    byte[] raw() {
      return update;
    }

    @Override
    public void encodeTo(Lib0Encoder out) {
      out.writeVarUint(UPDATE);
      out.writeVarUint8Array(update);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Update other && Arrays.equals(other.update, update);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(update);
    }

    @Override
    public String toString() {
      return "Update[" + update.length + " bytes]";
    }
  }
}
