package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;

/** Reads the fields of Yjs's update format v1 (Yjs {@code UpdateDecoderV1} / {@code DSDecoderV1}). */
final class UpdateDecoder {
  final Lib0Decoder in;

  UpdateDecoder(Lib0Decoder in) {
    this.in = in;
  }

  int offset() {
    return in.offset();
  }

  DecodingException error(String message) {
    return new DecodingException(message, in.offset());
  }

  long readClient() {
    return in.readVarUint();
  }

  int readClock() {
    return in.readVarUintAsInt();
  }

  ID readId() {
    long client = in.readVarUint();
    int clock = in.readVarUintAsInt();
    return new ID(client, clock);
  }

  int readInfo() {
    return in.readUint8();
  }

  String readString() {
    return in.readVarString();
  }

  boolean readParentInfo() {
    long v = in.readVarUint();
    if (v > 1) {
      throw error("parent info must be 0 or 1 but was " + v);
    }
    return v == 1;
  }

  int readTypeRef() {
    return in.readVarUintAsInt();
  }

  int readLen() {
    return in.readVarUintAsInt();
  }

  Object readAny() {
    return in.readAny();
  }

  byte[] readBuf() {
    return in.readVarUint8Array();
  }

  Object readJson() {
    int at = in.offset();
    String s = in.readVarString();
    if ("undefined".equals(s)) {
      return Undefined.INSTANCE;
    }
    try {
      return Json.parse(s);
    } catch (DecodingException e) {
      throw new DecodingException("malformed JSON content: " + e.getMessage(), at, e);
    }
  }

  String readKey() {
    return in.readVarString();
  }
}
