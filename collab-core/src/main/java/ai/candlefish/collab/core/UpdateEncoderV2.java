package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.core.internal.codec.RleEncoders;

/**
 * Yjs's update format v2 ({@code UpdateEncoderV2} / {@code DSEncoderV2}): each kind of field in a column of its own,
 * run-length and difference encoded (lib0's encoders, see {@link RleEncoders}), which is what makes v2 smaller.
 *
 * <p>Layout: a feature flag (0), the nine columns each with its byte length in front (key clocks, clients, left
 * clocks, right clocks, infos, strings, parent infos, type refs, lengths), then the rest without a length.
 * Deleted ranges go to the rest, each clock as the distance from the end of the client's previous range, each
 * length minus one.
 */
final class UpdateEncoderV2 extends UpdateEncoder {
  private final RleEncoders.IntDiffOptRle keyClocks = new RleEncoders.IntDiffOptRle();
  private final RleEncoders.UintOptRle clients = new RleEncoders.UintOptRle();
  private final RleEncoders.IntDiffOptRle leftClocks = new RleEncoders.IntDiffOptRle();
  private final RleEncoders.IntDiffOptRle rightClocks = new RleEncoders.IntDiffOptRle();
  private final RleEncoders.ByteRle infos = new RleEncoders.ByteRle();
  private final RleEncoders.Strings strings = new RleEncoders.Strings();
  private final RleEncoders.ByteRle parentInfos = new RleEncoders.ByteRle();
  private final RleEncoders.UintOptRle typeRefs = new RleEncoders.UintOptRle();
  private final RleEncoders.UintOptRle lens = new RleEncoders.UintOptRle();
  private int keyClock;
  private long dsCurrVal;

  UpdateEncoderV2() {
    super(new Lib0Encoder());
  }

  @Override
  void writeLeftId(long client, int clock) {
    clients.write(client);
    leftClocks.write(clock);
  }

  @Override
  void writeRightId(ID id) {
    clients.write(id.client);
    rightClocks.write(id.clock);
  }

  @Override
  void writeClient(long client) {
    clients.write(client);
  }

  @Override
  void writeInfo(int info) {
    infos.write(info);
  }

  @Override
  void writeString(CharSequence s, int from) {
    strings.write(s, from);
  }

  @Override
  void writeParentInfo(boolean isYKey) {
    parentInfos.write(isYKey ? 1 : 0);
  }

  @Override
  void writeTypeRef(int ref) {
    typeRefs.write(ref);
  }

  @Override
  void writeLen(int len) {
    lens.write(len);
  }

  @Override
  void writeJson(Object value) {
    rest.writeAny(value);
  }

  /**
   * Yjs numbers every key it writes, meaning to refer to repeated keys by number one day; it never does yet (its
   * key cache is commented out), so every key gets a new number and its string.
   */
  @Override
  void writeKey(String key) {
    keyClocks.write(keyClock++);
    strings.write(key, 0);
  }

  @Override
  void resetDsCurVal() {
    dsCurrVal = 0;
  }

  @Override
  void writeDsClock(int clock) {
    long diff = clock - dsCurrVal;
    dsCurrVal = clock;
    if (diff < 0) {
      // A range that starts before the previous one ended (only a crafted v1 update lists one). lib0's writeVarUint
      // writes a negative number as the one byte num & 0x7f: readers then see another clock, in Yjs and here alike.
      rest.writeUint8((int) (diff & 0x7F));
      return;
    }
    rest.writeVarUint(diff);
  }

  @Override
  void writeDsLen(int len) {
    if (len <= 0) {
      throw new IllegalStateException("a deleted range of length " + len + " cannot be encoded in v2");
    }
    rest.writeVarUint(len - 1);
    dsCurrVal += len;
  }

  @Override
  byte[] toByteArray() {
    Lib0Encoder out = new Lib0Encoder(rest.length() + 64);
    out.writeVarUint(0); // feature flag, unused
    out.writeVarUint8Array(keyClocks.toByteArray());
    out.writeVarUint8Array(clients.toByteArray());
    out.writeVarUint8Array(leftClocks.toByteArray());
    out.writeVarUint8Array(rightClocks.toByteArray());
    out.writeVarUint8Array(infos.toByteArray());
    out.writeVarUint8Array(strings.toByteArray());
    out.writeVarUint8Array(parentInfos.toByteArray());
    out.writeVarUint8Array(typeRefs.toByteArray());
    out.writeVarUint8Array(lens.toByteArray());
    byte[] restBytes = rest.toByteArray();
    out.writeUint8Array(restBytes);
    return out.toByteArray();
  }

  /** The v2 update without structs and deletions that this (unused) encoder writes. */
  byte[] emptyUpdate() {
    rest.writeVarUint(0); // no structs
    rest.writeVarUint(0); // no clients in the delete set
    return toByteArray();
  }
}
