package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;

/** Legacy JSON content (each value as a JSON string); Yjs still reads and writes it, so we do too. */
final class ContentJson extends ContentValues {
  ContentJson(ArrayList<Object> values) {
    super(values);
  }

  @Override
  ContentValues with(ArrayList<Object> values) {
    return new ContentJson(values);
  }

  @Override
  void writeValue(UpdateEncoder encoder, Object value) {
    encoder.writeString(value == Undefined.INSTANCE ? "undefined" : Json.stringify(value));
  }

  @Override
  int ref() {
    return JSON;
  }
}
