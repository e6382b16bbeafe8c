package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;

/** Writes the fields of Yjs's update format v1 (Yjs {@code UpdateEncoderV1} / {@code DSEncoderV1}). */
final class UpdateEncoder {
  final Lib0Encoder out;

  UpdateEncoder() {
    this(new Lib0Encoder());
  }

  UpdateEncoder(Lib0Encoder out) {
    this.out = out;
  }

  void writeVarUint(long v) {
    out.writeVarUint(v);
  }

  void writeLeftId(ID id) {
    out.writeVarUint(id.client);
    out.writeVarUint(id.clock);
  }

  void writeLeftId(long client, int clock) {
    out.writeVarUint(client);
    out.writeVarUint(clock);
  }

  void writeRightId(ID id) {
    out.writeVarUint(id.client);
    out.writeVarUint(id.clock);
  }

  void writeClient(long client) {
    out.writeVarUint(client);
  }

  void writeInfo(int info) {
    out.writeUint8(info);
  }

  void writeString(String s) {
    out.writeVarString(s);
  }

  /** The chars of {@code s} from {@code from} on, as a string. */
  void writeString(CharSequence s, int from) {
    out.writeVarString(s, from);
  }

  void writeParentInfo(boolean isYKey) {
    out.writeVarUint(isYKey ? 1 : 0);
  }

  void writeTypeRef(int ref) {
    out.writeVarUint(ref);
  }

  void writeLen(int len) {
    out.writeVarUint(len);
  }

  void writeAny(Object value) {
    out.writeAny(value);
  }

  void writeBuf(byte[] buf) {
    out.writeVarUint8Array(buf);
  }

  void writeJson(Object value) {
    out.writeVarString(value == Undefined.INSTANCE ? "undefined" : Json.stringify(value));
  }

  void writeKey(String key) {
    out.writeVarString(key);
  }

  void writeDsClock(int clock) {
    out.writeVarUint(clock);
  }

  void writeDsLen(int len) {
    out.writeVarUint(len);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  /** Forgets what was written, keeping the buffer. */
  void reset() {
    out.reset();
  }
}
