package ai.candlefish.collab.core;

import java.util.List;

final class ContentBinary extends Content {
  final byte[] bytes;

  ContentBinary(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  int length() {
    return 1;
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    out.add(bytes.clone());
  }

  @Override
  Content copy() {
    return new ContentBinary(bytes);
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeBuf(bytes);
  }

  @Override
  int ref() {
    return BINARY;
  }
}
