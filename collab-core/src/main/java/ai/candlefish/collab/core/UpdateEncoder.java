package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;

/**
 * Writes the fields of a Yjs update, in format v1 ({@link UpdateEncoderV1}) or v2 ({@link UpdateEncoderV2}): the
 * struct and delete-set writers are the same for both, as in Yjs ({@code UpdateEncoderV1/V2},
 * {@code DSEncoderV1/V2}). Counts, first clocks, Skip lengths and the delete set's clients go to {@link #rest}
 * directly ({@link #writeVarUint}); every other field has a method, which v2 sends to a column of its own.
 */
abstract sealed class UpdateEncoder permits UpdateEncoderV1, UpdateEncoderV2 {
  /** What Yjs calls the rest encoder: everything without a column of its own (in v1, everything). */
  final Lib0Encoder rest;

  UpdateEncoder(Lib0Encoder rest) {
    this.rest = rest;
  }

  final void writeVarUint(long v) {
    rest.writeVarUint(v);
  }

  abstract void writeLeftId(long client, int clock);

  final void writeLeftId(ID id) {
    writeLeftId(id.client, id.clock);
  }

  abstract void writeRightId(ID id);

  abstract void writeClient(long client);

  abstract void writeInfo(int info);

  final void writeString(String s) {
    writeString(s, 0);
  }

  /** The chars of {@code s} from {@code from} on, as a string. */
  abstract void writeString(CharSequence s, int from);

  /** {@link #writeString(CharSequence, int)} of chars known to be ASCII. */
  void writeAsciiString(String s, int from) {
    writeString(s, from);
  }

  abstract void writeParentInfo(boolean isYKey);

  abstract void writeTypeRef(int ref);

  abstract void writeLen(int len);

  final void writeAny(Object value) {
    rest.writeAny(value);
  }

  final void writeBuf(byte[] buf) {
    rest.writeVarUint8Array(buf);
  }

  /** An embed or format value: a JSON string in v1, a lib0 {@code any} in v2. */
  abstract void writeJson(Object value);

  abstract void writeKey(String key);

  /** Starts a client's deleted ranges (v2 writes their clocks as differences within a client). */
  abstract void resetDsCurVal();

  abstract void writeDsClock(int clock);

  abstract void writeDsLen(int len);

  /** The encoded update. */
  abstract byte[] toByteArray();

  /** What was written to {@link #rest} so far; {@link #rest} starts empty again (Yjs's {@code LazyStructWriter}). */
  final byte[] takeRest() {
    byte[] b = rest.toByteArray();
    rest.reset();
    return b;
  }
}
