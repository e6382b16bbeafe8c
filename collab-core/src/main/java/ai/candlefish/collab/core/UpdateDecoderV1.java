package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;

/** Yjs's update format v1 ({@code UpdateDecoderV1} / {@code DSDecoderV1}). */
final class UpdateDecoderV1 extends UpdateDecoder {
  UpdateDecoderV1(Lib0Decoder in) {
    super(in);
  }

  @Override
  void checkClientCount(long count) {
    checkRestCount(count, 3, "clients"); // struct count, client, clock
  }

  @Override
  void checkStructCount(long count) {
    checkRestCount(count, 2, "structs"); // info and at least one more byte
  }

  @Override
  void checkStringCount(long count) {
    checkRestCount(count, 1, "JSON values");
  }

  @Override
  long readClient() {
    return rest.readVarUint();
  }

  @Override
  ID readLeftId() {
    return readId();
  }

  @Override
  ID readRightId() {
    return readId();
  }

  private ID readId() {
    long client = rest.readVarUint();
    int clock = rest.readVarUintAsInt();
    return new ID(client, clock);
  }

  @Override
  int readInfo() {
    return rest.readUint8();
  }

  @Override
  String readString() {
    return rest.readVarString();
  }

  @Override
  boolean lastStringWasAscii() {
    return rest.lastStringWasAscii();
  }

  @Override
  boolean readParentInfo() {
    return rest.readVarUint() == 1; // Yjs writes 1 (a named root) or 0 (an item) and reads anything but 1 as 0
  }

  @Override
  int readTypeRef() {
    return rest.readVarUintAsInt();
  }

  @Override
  int readLen() {
    return rest.readVarUintAsInt();
  }

  @Override
  Object readJson() {
    // Yjs reads an embed or format value with JSON.parse alone and fails on "undefined"; we read it as undefined,
    // since UpdateEncoderV1 writes it for an undefined value (which Yjs cannot write in v1 at all: it throws), so
    // that a state we stored loads again.
    int at = rest.offset();
    return parseJson(rest.readVarString(), at);
  }

  @Override
  String readKey() {
    return rest.readVarString();
  }

  @Override
  void resetDsCurVal() {
    // v1 clocks are absolute
  }

  @Override
  long readDsClock() {
    return rest.readVarUint();
  }

  @Override
  long readDsLen() {
    return rest.readVarUint();
  }
}
