package ai.candlefish.collab.core;

import java.util.ArrayList;

/** A run of JSON-like values (lib0 {@code any} encoding), the content of arrays and maps. */
final class ContentAny extends ContentValues {
  ContentAny(ArrayList<Object> values) {
    super(values);
  }

  @Override
  ContentValues with(ArrayList<Object> values) {
    return new ContentAny(values);
  }

  @Override
  void writeValue(UpdateEncoder encoder, Object value) {
    encoder.writeAny(value);
  }

  @Override
  int ref() {
    return ANY;
  }
}
