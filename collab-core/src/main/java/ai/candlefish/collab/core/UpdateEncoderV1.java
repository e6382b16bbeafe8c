package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;

/** Yjs's update format v1 ({@code UpdateEncoderV1} / {@code DSEncoderV1}): every field in order, as lib0 varints and strings. */
final class UpdateEncoderV1 extends UpdateEncoder {
  UpdateEncoderV1() {
    super(new Lib0Encoder());
  }

  @Override
  void writeLeftId(long client, int clock) {
    rest.writeVarUint(client);
    rest.writeVarUint(clock);
  }

  @Override
  void writeRightId(ID id) {
    rest.writeVarUint(id.client);
    rest.writeVarUint(id.clock);
  }

  @Override
  void writeClient(long client) {
    rest.writeVarUint(client);
  }

  @Override
  void writeInfo(int info) {
    rest.writeUint8(info);
  }

  @Override
  void writeString(CharSequence s, int from) {
    rest.writeVarString(s, from);
  }

  @Override
  void writeAsciiString(String s, int from) {
    rest.writeAsciiString(s, from);
  }

  @Override
  void writeParentInfo(boolean isYKey) {
    rest.writeVarUint(isYKey ? 1 : 0);
  }

  @Override
  void writeTypeRef(int ref) {
    rest.writeVarUint(ref);
  }

  @Override
  void writeLen(int len) {
    rest.writeVarUint(len);
  }

  @Override
  void writeJson(Object value) {
    rest.writeVarString(value == Undefined.INSTANCE ? "undefined" : Json.stringify(value));
  }

  @Override
  void writeKey(String key) {
    rest.writeVarString(key);
  }

  @Override
  void resetDsCurVal() {
    // v1 writes clocks as they are
  }

  @Override
  void writeDsClock(int clock) {
    rest.writeVarUint(clock);
  }

  @Override
  void writeDsLen(int len) {
    rest.writeVarUint(len);
  }

  @Override
  byte[] toByteArray() {
    return rest.toByteArray();
  }

  /** Forgets what was written, keeping the buffer. */
  void reset() {
    rest.reset();
  }
}
